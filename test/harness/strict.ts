/**
 * "Strict" objects: plain objects wrapped in a Proxy that throws a clear error when code reads a
 * property the harness did not provide. n8n's own harness uses jest-mock-extended's `mock()`,
 * which silently returns mock functions; here a gap in what we hand to n8n-core must be visible.
 *
 * Properties listed in `optional` read as `undefined` (they are optional in n8n's interfaces and
 * the real server leaves them unset too). Symbol keys and a few keys that generic code probes
 * (`then` for await, `toJSON`, `asymmetricMatch` for jest, `constructor`, inspection) also read
 * as `undefined` / their normal value.
 */
import { recordHarnessGap } from './logs';

const PROBED_KEYS = new Set<PropertyKey>([
	'then',
	'toJSON',
	'asymmetricMatch',
	'$$typeof',
	'nodeType',
	'tagName',
	'@@__IMMUTABLE_ITERABLE__@@',
	'@@__IMMUTABLE_RECORD__@@',
	'_isMockFunction',
	'constructor',
]);

export class HarnessGapError extends Error {
	constructor(what: string, property: string) {
		super(
			`[test harness] ${what}.${property} was read by n8n-core/the node but the harness does not provide it. ` +
				`Add it in test/harness (strict object "${what}").`,
		);
		this.name = 'HarnessGapError';
	}
}

export function strict<T extends object>(what: string, target: T, optional: Iterable<string> = []): T {
	const optionalKeys = new Set<string>(optional);
	return new Proxy(target, {
		get(obj, prop, receiver) {
			if (typeof prop === 'symbol' || prop in obj || PROBED_KEYS.has(prop)) {
				return Reflect.get(obj, prop, receiver);
			}
			if (optionalKeys.has(prop)) return undefined;
			const error = new HarnessGapError(what, prop);
			recordHarnessGap(error.message);
			throw error;
		},
	});
}

