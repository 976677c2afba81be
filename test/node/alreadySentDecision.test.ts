/** Skip Documents Already Sent: the skip / send (claim) / keep / release decision, as a table. */
import { claimDecision, keysToRelease, type ClaimEvent } from '../../nodes/Anyformat/helpers/alreadySentDecision';

describe('claimDecision', () => {
	test.each<[string, ClaimEvent, ReturnType<typeof claimDecision>]>([
		['check: key new to the store (this call claimed it) → send', { at: 'check', inStore: false }, 'send'],
		['check: key already in the store (sent earlier, or being sent) → skip', { at: 'check', inStore: true }, 'skip'],
		['the API took it (a receipt with a run id) → keep', { at: 'submitted', state: 'submitted' }, 'keep'],
		['its fate is unknown (it may have created a run) → keep', { at: 'submitted', state: 'unknown' }, 'keep'],
		['the API refused it → release', { at: 'submitted', state: 'failed' }, 'release'],
		['not sent (an earlier failure or the deadline) → release', { at: 'submitted', state: 'not-sent' }, 'release'],
		['no submission was made at all → release', { at: 'submitted', state: undefined }, 'release'],
	])('%s', (_name, event, expected) => {
		expect(claimDecision(event)).toBe(expected);
	});
});

describe('keysToRelease', () => {
	test.each<[string, Array<{ key: string; state: string | undefined }>, string[]]>([
		['nothing claimed', [], []],
		['taken and refused', [{ key: 'a', state: 'submitted' }, { key: 'b', state: 'failed' }], ['b']],
		['one key, two items: one refused, one unknown → kept', [{ key: 'a', state: 'failed' }, { key: 'a', state: 'unknown' }], []],
		['one key, two items, both refused → released once', [{ key: 'a', state: 'failed' }, { key: 'a', state: 'not-sent' }], ['a']],
		['none sent', [{ key: 'a', state: undefined }, { key: 'b', state: undefined }], ['a', 'b']],
	])('%s', (_name, items, expected) => {
		expect(keysToRelease(items)).toEqual(expected);
	});
});
