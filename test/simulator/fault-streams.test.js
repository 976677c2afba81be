'use strict';
// Random faults draw from one seeded stream per route, so the soak's fault count does not depend on
// how concurrency interleaves submissions with reads.
const { Faults } = require('./faults');

function draws(order, seed = 11) {
	const faults = new Faults();
	faults.configure({ seed, rate: 0.5 });
	const byRoute = {};
	for (const route of order) {
		const pick = faults.pick(route);
		(byRoute[route] ??= []).push(pick ? pick.kind : null);
		faults.release(pick);
	}
	return byRoute;
}

test('the n-th request of a route draws the same fault however the routes interleave', () => {
	const apart = draws([...Array(20).fill('run'), ...Array(20).fill('results')]);
	const mixed = draws(Array.from({ length: 40 }, (_, i) => (i % 2 ? 'run' : 'results')));
	expect(mixed.run).toEqual(apart.run);
	expect(mixed.results).toEqual(apart.results);
	expect(apart.run.filter(Boolean).length).toBeGreaterThan(0);
	expect(apart.run.filter((kind) => kind === null).length).toBeGreaterThan(0);
});

test('routes draw from different streams, and another seed gives other draws', () => {
	const order = [...Array(30).fill('run'), ...Array(30).fill('results')];
	const a = draws(order, 11);
	expect(a.run.map(Boolean)).not.toEqual(a.results.map(Boolean));
	expect(draws(order, 12).run).not.toEqual(a.run);
});
