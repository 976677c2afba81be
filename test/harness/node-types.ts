/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * INodeTypes registry for the harness. Node types are wrapped transparently so that the original
 * error instance a node throws is remembered (n8n-core stores only a `{...error}` copy in runData,
 * which loses the prototype, so `instanceof NodeOperationError` would fail on it).
 */
import type { IDataObject, INodeType, INodeTypes, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers, UnexpectedError } from 'n8n-workflow';

export class HarnessNodeTypes implements INodeTypes {
	/** the last error thrown out of a node's execute(), by node type name */
	readonly thrown = new Map<string, unknown>();

	private readonly wrapped = new WeakMap<INodeType, INodeType>();

	constructor(private readonly types: Map<string, INodeType | IVersionedNodeType>) {}

	private lookup(name: string): INodeType | IVersionedNodeType {
		const type = this.types.get(name);
		if (!type) {
			throw new UnexpectedError(`[test harness] Unknown node type "${name}"`, {
				extra: { known: [...this.types.keys()] },
			});
		}
		return type;
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		return this.lookup(nodeType);
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		return this.wrap(nodeType, NodeHelpers.getVersionedNodeType(this.lookup(nodeType), version));
	}

	getKnownTypes(): IDataObject {
		return {};
	}

	private wrap(name: string, nodeType: INodeType): INodeType {
		const existing = this.wrapped.get(nodeType);
		if (existing) return existing;
		const { thrown } = this;
		const execute = nodeType.execute;
		let proxy: INodeType;
		const wrappedExecute =
			typeof execute === 'function'
				? async function (this: unknown, ...args: unknown[]) {
						try {
							// class-style nodes are called as nodeType.execute(context): keep `this` the original object
							const self = this === proxy ? nodeType : this;
							return await (execute as (...a: unknown[]) => unknown).apply(self, args);
						} catch (error) {
							thrown.set(name, error);
							throw error;
						}
					}
				: undefined;
		proxy = new Proxy(nodeType, {
			get(target, prop, receiver) {
				if (prop === 'execute' && wrappedExecute) return wrappedExecute;
				return Reflect.get(target, prop, receiver);
			},
		});
		this.wrapped.set(nodeType, proxy);
		return proxy;
	}
}
