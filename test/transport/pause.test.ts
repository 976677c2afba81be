/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * `pause()` sleeps in naps of at most a second. Each nap once raced its timer against one shared
 * promise that never settles, which kept a reaction (about 330 bytes) per nap for the life of the
 * process. Measured on the heap after a forced garbage collection, under fake timers so that thirty
 * thousand naps take a moment.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

import { pause } from '../../nodes/shared/pause';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const heapAfterGc = () => {
	gc();
	gc();
	return process.memoryUsage().heapUsed;
};

afterEach(() => jest.useRealTimers());

test('thirty thousand one-second naps keep nothing on the heap', async () => {
	jest.useFakeTimers();
	const naps = 30_000;
	// a warm-up run, so that compiled code and timer pools are not counted
	const warm = pause(100_000);
	await jest.advanceTimersByTimeAsync(100_000);
	await warm;
	const before = heapAfterGc();
	const long = pause(naps * 1000);
	await jest.advanceTimersByTimeAsync(naps * 1000);
	await long;
	const grown = heapAfterGc() - before;
	// the leak kept about 330 bytes a nap (about 11 MB here on main); allow a tenth of it for noise (measured: 0.3 to 0.6 MB)
	expect(grown).toBeLessThan(naps * 33);
});

test('a pause still ends on time and is stopped at once', async () => {
	jest.useFakeTimers();
	let done = false;
	const p = pause(2500).then(() => (done = true));
	await jest.advanceTimersByTimeAsync(2400);
	expect(done).toBe(false);
	await jest.advanceTimersByTimeAsync(200);
	await p;
	expect(done).toBe(true);
	const controller = new AbortController();
	const stopped = pause(60_000, controller.signal);
	controller.abort();
	await expect(stopped).rejects.toMatchObject({ name: 'ExecutionCancelledError' });
});
