/**
 * The decision how a process spends a budget other clients share (issue 11): how many share it,
 * counted from what the others spent beside this process, and how long the next request waits —
 * at once up to its share of what the latest answer left (after a reserve for the others' requests
 * under way), spread over the window beyond it, never the last one before the window ends.
 */
import { estimateSharers, paceWait, type PaceInput, type WindowSpending } from '../../nodes/shared/transport/budgetShare';

describe('estimateSharers', () => {
	test.each<[string, WindowSpending[], number]>([
		['nothing spent yet', [{ own: 0, others: 0 }, { own: 0, others: 0 }], 1],
		['only this process spent', [{ own: 12, others: 0 }, { own: 30, others: 0 }], 1],
		['another client spent as much as this one', [{ own: 0, others: 0 }, { own: 20, others: 20 }], 2],
		['the others spent three times as much', [{ own: 0, others: 0 }, { own: 10, others: 30 }], 4],
		['over the last window and this one together', [{ own: 10, others: 30 }, { own: 10, others: 10 }], 3],
		['only the last window showed the others', [{ own: 25, others: 35 }, { own: 0, others: 0 }], 2.4],
		['the others spent little: still at least two', [{ own: 0, others: 0 }, { own: 50, others: 1 }], 2],
		['the others spent before this process spent anything', [{ own: 0, others: 0 }, { own: 0, others: 5 }], 6],
	])('%s', (_name, windows, sharers) => {
		expect(estimateSharers(windows)).toBeCloseTo(sharers, 10);
	});
});

describe('paceWait', () => {
	const NOW = 1_000_000;
	/** a window of 60 with 2 s left; the last grant 10 ms ago; 4 requests at once per client */
	const input = (over: Partial<PaceInput>): PaceInput => ({
		now: NOW,
		remaining: 60,
		resetAt: NOW + 2_000,
		lastStart: NOW - 10,
		base: 60,
		sharers: 1,
		inFlightPerClient: 4,
		...over,
	});

	test.each<[string, Partial<PaceInput>, number]>([
		['nothing left: until the window ends', { remaining: 0, base: 0 }, 2_000],
		['nothing left, the window already over: a moment (the next window opens)', { remaining: 0, resetAt: NOW - 5 }, 1],
		['alone: at once', { remaining: 3, base: 40 }, 0],
		['alone, the last one: at once', { remaining: 1, base: 1 }, 0],
		// two sharers: reserve (2 − 1) × 4 = 4, share (60 − 4) ÷ 2 = 28
		['two sharers, a fresh window: at once', { sharers: 2 }, 0],
		['two sharers, 27 of the share of 28 spent: at once', { sharers: 2, remaining: 33 }, 0],
		['two sharers, the share of 28 spent: the rest spread (2010 ms ÷ 32, from the last grant)', { sharers: 2, remaining: 32 }, 2_010 / 32 - 10],
		['two sharers, an answer left 6: a share of 1, at once', { sharers: 2, remaining: 6, base: 6 }, 0],
		['two sharers, an answer left 5: no share beyond the reserve, spread (2010 ms ÷ 5)', { sharers: 2, remaining: 5, base: 5 }, 2_010 / 5 - 10],
		['two sharers, one left: not before the window ends', { sharers: 2, remaining: 1, base: 1 }, 2_000],
		['two sharers, spread, the spacing already passed: at once', { sharers: 2, remaining: 5, base: 5, lastStart: NOW - 500 }, 0],
		// four sharers: reserve 12, share (60 − 12) ÷ 4 = 12
		['four sharers, 11 of the share of 12 spent: at once', { sharers: 4, remaining: 49 }, 0],
		['four sharers, the share of 12 spent: spread', { sharers: 4, remaining: 48 }, 2_010 / 48 - 10],
		['a fractional estimate (2.4): reserve 6, share 22', { sharers: 2.4, remaining: 39 }, 0],
		['a fractional estimate (2.4), the share of 22 spent: spread', { sharers: 2.4, remaining: 38 }, 2_010 / 38 - 10],
		['so many sharers that the reserve is the whole budget: spread from the first', { sharers: 16, remaining: 60 }, 2_010 / 60 - 10],
	])('%s', (_name, over, waitMs) => {
		expect(paceWait(input(over))).toBeCloseTo(waitMs, 6);
	});

	test('two clients with the same view, each taking its share at once, never exceed what was left', () => {
		for (const left of [6, 7, 13, 28, 41, 60]) {
			let total = 0;
			for (let client = 0; client < 2; client++) {
				let remaining = left;
				while (paceWait(input({ sharers: 2, remaining, base: left })) === 0) {
					remaining--;
					total++;
				}
			}
			// the reserve covers up to 4 requests of the other client not yet counted in the answer
			expect(total + 4).toBeLessThanOrEqual(left);
		}
	});
});
