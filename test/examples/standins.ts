/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Stand-ins for the n8n-nodes-base nodes the example workflows use around the Anyformat nodes.
 * n8n-nodes-base is not a dependency of this package (it is n8n itself, hundreds of MB), so each
 * stand-in does what the real node does for the parameters the examples set, under the real type
 * name and version, and nothing more: a parameter it does not know, or a value other than the ones
 * it implements, fails the example's test instead of being ignored.
 *
 * - Manual Trigger: one empty item (what the real one emits).
 * - Edit Fields (Set) 3.4, mode Raw: the item is the parsed JSON Output.
 * - Split Out: one item per element of Field To Split Out.
 * - Read/Write Files from Disk: streams the file into n8n's binary store through the real
 *   `helpers.prepareBinaryData`, as property `data`. The committed paths under /home/node/.n8n-files/
 *   are mapped to examples/documents/ (test/e2e/lib/examples.js, as the demo and the e2e suite do), so
 *   the Anyformat node receives the same PDF bytes as in a real n8n.
 * - No Operation: passes its items on. Sticky Note: never executed.
 */
import { createReadStream } from 'node:fs';

import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';

type Execute = (this: IExecuteFunctions) => Promise<INodeExecutionData[][]>;

const prop = (name: string, type: INodeProperties['type'], defaultValue: INodeProperties['default']) =>
	({ displayName: name, name, type, default: defaultValue, ...(type === 'collection' ? { options: [] } : {}) }) as INodeProperties;

function standIn(
	name: string,
	version: number,
	properties: INodeProperties[],
	execute?: Execute,
	group: INodeTypeDescription['group'] = ['transform'],
): [string, INodeType] {
	const description = {
		displayName: `${name} (stand-in)`,
		name,
		group,
		version,
		description: 'test stand-in',
		defaults: { name },
		inputs: group.includes('trigger') || !execute ? [] : ['main'],
		outputs: execute ? ['main'] : [],
		properties,
	} as unknown as INodeTypeDescription;
	return [`n8n-nodes-base.${name}`, execute ? { description, execute } : { description }];
}

function requireValue(ctx: IExecuteFunctions, name: string, expected: unknown, i = 0) {
	const value = ctx.getNodeParameter(name, i);
	if (JSON.stringify(value) !== JSON.stringify(expected)) {
		throw new Error(`[stand-in ${ctx.getNode().type}] ${name} = ${JSON.stringify(value)} is not implemented`);
	}
}

const manualTrigger: Execute = async function () {
	return [[{ json: {} }]];
};

const setRaw: Execute = async function () {
	return [
		this.getInputData().map((_, i) => {
			requireValue(this, 'mode', 'raw', i);
			requireValue(this, 'options', {}, i);
			const json = this.getNodeParameter('jsonOutput', i) as string;
			return { json: JSON.parse(json) as IDataObject, pairedItem: { item: i } };
		}),
	];
};

const splitOut: Execute = async function () {
	return [
		this.getInputData().flatMap((item, i) => {
			requireValue(this, 'options', {}, i);
			const field = this.getNodeParameter('fieldToSplitOut', i) as string;
			const values = item.json[field];
			if (!Array.isArray(values)) throw new Error(`[stand-in splitOut] ${field} is not an array`);
			return values.map((value) => ({
				json: (typeof value === 'object' && value !== null ? value : { [field]: value }) as IDataObject,
				pairedItem: { item: i },
			}));
		}),
	];
};

export function readFileStandIn(mapPath: (path: string) => string): Execute {
	return async function () {
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < this.getInputData().length; i++) {
			requireValue(this, 'operation', 'read', i);
			requireValue(this, 'options', {}, i);
			const path = mapPath(this.getNodeParameter('fileSelector', i) as string);
			const binary = await this.helpers.prepareBinaryData(createReadStream(path), path);
			out.push({
				json: { fileName: binary.fileName, mimeType: binary.mimeType, fileSize: binary.fileSize },
				binary: { data: binary },
				pairedItem: { item: i },
			});
		}
		return [out];
	};
}

const noOp: Execute = async function () {
	return [this.getInputData().map((item, i) => ({ ...item, pairedItem: { item: i } }))];
};

/** The stand-ins by type name; the file reader maps the examples' document paths with `mapPath`. */
export function standIns(mapPath: (path: string) => string): Map<string, INodeType> {
	return new Map([
		standIn('manualTrigger', 1, [], manualTrigger, ['trigger']),
		standIn('set', 3.4, [prop('mode', 'string', 'manual'), prop('jsonOutput', 'string', '{}'), prop('options', 'collection', {})], setRaw),
		standIn('splitOut', 1, [prop('fieldToSplitOut', 'string', ''), prop('options', 'collection', {})], splitOut),
		standIn(
			'readWriteFile',
			1,
			[prop('operation', 'string', 'read'), prop('fileSelector', 'string', ''), prop('options', 'collection', {})],
			readFileStandIn(mapPath),
		),
		standIn('noOp', 1, [], noOp),
		standIn('stickyNote', 1, [prop('content', 'string', ''), prop('width', 'number', 240), prop('height', 'number', 160), prop('color', 'number', 1)]),
	]);
}
