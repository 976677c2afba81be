import { triggerOutputData } from '../shared/mapping/review';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { listRunsPage } from '../shared/transport/api';
import { ApiSession } from '../shared/transport/request';
import { eventOfStatus } from '../shared/transport/status';
import type { Cursor, ListedRun } from './cursor';
import type { ResultsWait } from './resultsWait';
import {
	advanceCursor,
	advancePartial,
	finishBound,
	initialCursor,
	readCursor,
	readListedRun,
	staleRuns,
	takeForThisPoll,
	unhandledFinals,
	walkStartBound,
} from './cursor';
import { keepWaits, RESULTS_WAIT_MS, resultsWaitDecision } from './resultsWait';
import { itemsForRun } from './items';
import type { PollSettings } from './settings';
import { readSettings } from './settings';
import { finishWalk, pauseWalk } from './resume';
import type { WalkResult } from './walk';
import { walkOn, walkToHorizon } from './walk';

/** Pages of 100 runs one poll reads at most (5,000 runs created since the oldest unfinished one). */
export const MAX_PAGES_PER_POLL = 50;
/** Runs one poll emits at most; the next poll goes on from there. */
export const MAX_RUNS_PER_POLL = 100;

/**
 * One poll. Emits each run that reached a selected final state since the last poll, once, oldest
 * finished first; the cursor in the node's static data moves only after every request of the poll
 * has succeeded (a failed request throws: nothing is emitted and the next poll starts from the same
 * cursor). See the README, "Anyformat Polling Trigger", for what n8n's saving of static data adds.
 */
export async function pollRuns(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const settings = readSettings(this);
	const session = await ApiSession.create(this);
	if (this.getMode() === 'manual') return await testEvent(this, session, settings);

	const memory = this.getWorkflowStaticData('node');
	const stored = readCursor(memory);
	const fetchPage = async (page: number) => await listRunsPage(session, settings.workflowId, page);
	const resumed = stored?.resume !== undefined && stored.order !== undefined;
	const walk =
		stored?.resume && stored.order
			? await walkOn(fetchPage, stored.resume, stored.order, stored.horizon, MAX_PAGES_PER_POLL)
			: await walkToHorizon(fetchPage, stored ?? {}, stored?.horizon ?? null, MAX_PAGES_PER_POLL);
	const runs = readRuns(this, walk.entries);
	const since =
		settings.backlogHours > 0 ? Date.now() - settings.backlogHours * 3_600_000 : undefined;
	const cursor = stored ?? initialCursor(runs, since);
	const apiNow = walkStartBound(readRuns(this, walk.firstPage, false));
	const { items, taken, waiting, waits } = await emitFinished(
		this,
		session,
		cursor,
		runs,
		settings,
		{ now: apiNow, fresh: !resumed },
	);
	const next = nextCursor(this, settings.workflowId, {
		stored,
		cursor,
		runs,
		taken,
		walk,
		apiNow,
		waiting,
	});
	saveCursor(memory, withWaits(next, keepWaits(cursor.waits, waits, taken)));
	this.logger.debug('Anyformat Polling Trigger polled', {
		workflowId: settings.workflowId,
		pages: walk.pages,
		emittedRuns: taken.length,
		waitingForResults: waiting.map((run) => run.id),
		requests: session.stats.requests,
	});
	return items.length > 0
		? triggerOutputData(
				this.getNode().parameters,
				this.helpers.returnJsonArray(items),
				settings.review,
			)
		: null;
}

interface PollOutcome {
	stored: Cursor | undefined;
	cursor: Cursor;
	runs: ListedRun[];
	taken: ListedRun[];
	walk: WalkResult;
	apiNow: number | undefined;
	/** runs left waiting for their results */
	waiting: ListedRun[];
}

/** The cursor after a poll: a complete walk, a walk to go on at the next poll, or one finished now. */
function nextCursor(ctx: IPollFunctions, workflowId: string, poll: PollOutcome): Cursor {
	const { stored, cursor, runs, taken, walk, apiNow, waiting } = poll;
	if (!walk.complete && stored) {
		ctx.logger.warn(
			`Anyformat Polling Trigger: more than ${MAX_PAGES_PER_POLL * 100} runs of workflow ${workflowId} were created since the oldest run not yet handled (created ${new Date(stored.horizon ?? 0).toISOString()}); one poll reads at most ${MAX_PAGES_PER_POLL} pages. ${taken.length} finished runs among the pages read were handled; the next poll goes on reading towards that run${walk.nextPage === undefined ? ' (the list is in no order: it reads the newest pages again)' : ` from page ${walk.nextPage}`}.`,
		);
		if (walk.nextPage === undefined || walk.order === undefined)
			return advancePartial(cursor, taken, walk);
		const list = { order: walk.order, count: walk.count, nextPage: walk.nextPage };
		const top = Math.max(stored.horizon ?? 0, ...runs.map((run) => run.createdAt));
		return pauseWalk(cursor, runs, taken, list, stored.resume, { top, start: apiNow });
	}
	if (stored?.resume) {
		warnStale(ctx, cursor, runs);
		return finishWalk(cursor, runs, taken, stored.resume, walk, finishBound(undefined, waiting));
	}
	if (!stored && !walk.complete) {
		ctx.logger.warn(
			`Anyformat Polling Trigger: first poll of workflow ${workflowId} read its ${MAX_PAGES_PER_POLL * 100} most recent runs; older runs still processing are not watched.`,
		);
	}
	warnStale(ctx, cursor, runs);
	return advanceCursor(cursor, runs, taken, walk, finishBound(apiNow, waiting));
}

function warnStale(ctx: IPollFunctions, cursor: Cursor, runs: ListedRun[]): void {
	for (const run of staleRuns(runs).filter(
		(r) => cursor.horizon === null || r.createdAt >= cursor.horizon,
	)) {
		ctx.logger.warn(
			`Anyformat Polling Trigger: run ${run.id} has been "${run.rawStatus}" for more than a day; it is no longer waited for.`,
		);
	}
}

function readRuns(
	ctx: IPollFunctions,
	entries: Parameters<typeof readListedRun>[0][],
	log = true,
): ListedRun[] {
	const runs: ListedRun[] = [];
	for (const entry of entries) {
		const run = readListedRun(entry);
		if (run) runs.push(run);
		else if (log)
			ctx.logger.warn('Anyformat Polling Trigger: skipped a runs-list entry without id or times', {
				id: String(entry?.id),
			});
	}
	return runs;
}

function withWaits(next: Cursor, waits: Record<string, ResultsWait>): Cursor {
	const cursor: Cursor = { ...next, waits };
	if (Object.keys(waits).length === 0) delete cursor.waits;
	return cursor;
}

/**
 * Items of the runs this poll takes. A run whose results answer 412 although the list shows it
 * final waits (not taken; the others go on; `waits`: since when, by id) until `resultsWaitDecision`
 * gives it up.
 */
async function emitFinished(
	ctx: IPollFunctions,
	session: ApiSession,
	cursor: Cursor,
	runs: ListedRun[],
	settings: PollSettings,
	apiClock: { now: number | undefined; fresh: boolean },
): Promise<{
	items: IDataObject[];
	taken: ListedRun[];
	waiting: ListedRun[];
	waits: Record<string, ResultsWait>;
}> {
	const planned = takeForThisPoll(
		unhandledFinals(runs, cursor),
		settings.events,
		MAX_RUNS_PER_POLL,
	);
	const emitted = new Set(planned.emitted);
	const items: IDataObject[] = [];
	const taken: ListedRun[] = [];
	const waiting: ListedRun[] = [];
	const waits: Array<[string, ResultsWait]> = [];
	for (const run of planned.taken) {
		if (emitted.has(run)) {
			const outcome = await itemsForRun(session, run, settings);
			if (outcome.state === 'not-yet') {
				const prior = Object.hasOwn(cursor.waits ?? {}, run.id)
					? cursor.waits?.[run.id]
					: undefined;
				const { decision, next } = resultsWaitDecision(
					prior,
					apiClock.now,
					Date.now(),
					apiClock.fresh,
				);
				if (decision === 'wait') {
					waiting.push(run);
					waits.push([run.id, next]);
					continue;
				}
				warnGivenUp(ctx, run, settings.workflowId, next);
			}
			if (outcome.state === 'emit') items.push(...outcome.items);
		}
		taken.push(run);
	}
	return { items, taken, waiting, waits: Object.fromEntries(waits) };
}

function warnGivenUp(
	ctx: IPollFunctions,
	run: ListedRun,
	workflowId: string,
	wait: ResultsWait,
): void {
	ctx.logger.warn(
		`Anyformat Polling Trigger: run ${run.id} of workflow ${workflowId} is "${run.rawStatus}" in the runs list since ${run.times.updatedAt}, but its results still answer 412 (not ready) at ${wait.asks} polls since ${new Date(wait.local).toISOString()}, more than ${RESULTS_WAIT_MS / 60_000} minutes of waiting; it is no longer waited for and does not start this workflow. Read its results with the Anyformat node's Get Results (run ID ${run.id}) once they are ready; if they never are, contact Anyformat support.`,
	);
}

function saveCursor(memory: IDataObject, next: Cursor): void {
	// assign only on change: n8n saves static data it sees changed
	if (JSON.stringify(memory.cursor) !== JSON.stringify(next))
		memory.cursor = next as unknown as IDataObject;
}

/** "Fetch Test Event": the most recent finished run among the newest page of the list. */
async function testEvent(
	ctx: IPollFunctions,
	session: ApiSession,
	settings: PollSettings,
): Promise<INodeExecutionData[][]> {
	const walk = await walkToHorizon(
		async (page) => await listRunsPage(session, settings.workflowId, page),
		{},
		Infinity,
		2,
	);
	const finished = readRuns(ctx, walk.entries)
		.filter((run) => settings.events.includes(eventOfStatus(run.status) as string))
		.sort((a, b) => b.updatedAt - a.updatedAt);
	for (const run of finished) {
		const outcome = await itemsForRun(session, run, settings);
		if (outcome.state === 'emit') {
			const output = ctx.helpers.returnJsonArray(outcome.items);
			return triggerOutputData(ctx.getNode().parameters, output, settings.review);
		}
	}
	throw new NodeOperationError(
		ctx.getNode(),
		`No finished run of workflow ${settings.workflowId} yet for the selected events`,
		{
			description:
				'Run a document through this Anyformat workflow and let it finish (or select the other event), then fetch a test event again. The most recent runs of the list are looked at.',
		},
	);
}
