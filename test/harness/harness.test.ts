/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { NodeOperationError } from 'n8n-workflow';

import {
	AUDIT_FILE,
	HarnessGapError,
	getCapturedLogs,
	recordForAudit,
	runNode,
	type RunNodeOptions,
} from './index';
import { TestApi, TestFnApi } from './fixtures/TestApi.credentials';
import { HarnessProbe } from './fixtures/HarnessProbe.node';

const TYPE = 'n8n-nodes-harness.harnessProbe';
const API_KEY = 'sk-test-harness-0123456789';

let server: Server;
let baseUrl: string;
const seen: Array<{ method?: string; url?: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
	server = createServer((req, res) => {
		seen.push({ method: req.method, url: req.url, headers: req.headers });
		res.setHeader('content-type', 'application/json');
		res.end(
			JSON.stringify({
				method: req.method,
				url: req.url,
				authorization: req.headers.authorization ?? null,
				apiToken: req.headers['x-api-token'] ?? null,
				client: req.headers['x-test-client'] ?? null,
			}),
		);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
	await new Promise<void>((resolve) => server.close(() => resolve()));
});

const probe = (overrides: Partial<RunNodeOptions> & Pick<RunNodeOptions, 'parameters'>): Promise<Awaited<ReturnType<typeof runNode>>> =>
	runNode({ nodeType: new HarnessProbe(), typeName: TYPE, credentialTypes: [new TestApi(), new TestFnApi()], ...overrides });

describe('test harness', () => {
	test('(a) httpRequestWithAuthentication applies a generic authenticate over real HTTP', async () => {
		const result = await probe({
			parameters: { operation: 'request', path: '/echo?x=1' },
			credentials: { testApi: { apiKey: API_KEY, baseUrl } },
		});

		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(result.items).toHaveLength(1);
		expect(result.items[0].json).toEqual({
			method: 'GET',
			url: '/echo?x=1',
			authorization: `Bearer ${API_KEY}`,
			apiToken: null,
			client: 'harness',
		});
		expect(seen.at(-1)?.headers.authorization).toBe(`Bearer ${API_KEY}`);
	});

	test('(a) credential property defaults are applied like the real credentials helper', async () => {
		const credType = new TestApi();
		credType.properties.find((p) => p.name === 'baseUrl')!.default = baseUrl;
		const result = await runNode({
			nodeType: new HarnessProbe(),
			typeName: TYPE,
			credentialTypes: [credType, new TestFnApi()],
			parameters: { operation: 'request' },
			credentials: { testApi: { apiKey: API_KEY } }, // no baseUrl: the type's default is used
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ authorization: `Bearer ${API_KEY}` });
	});

	test('(a) a function authenticate is called', async () => {
		const result = await probe({
			parameters: { operation: 'request', auth: 'function' },
			credentials: { testFnApi: { token: 'tok-123', baseUrl } },
		});
		expect(result.error).toBeUndefined();
		expect(result.items[0].json).toMatchObject({ apiToken: 'tok-123', authorization: null });
	});

	test('(a) an HTTP failure becomes a NodeApiError and the run status is error', async () => {
		const result = await probe({
			parameters: { operation: 'request' },
			credentials: { testApi: { apiKey: API_KEY, baseUrl: 'http://127.0.0.1:1' } },
		});
		expect(result.status).toBe('error');
		expect(result.error).toBeDefined();
		expect(result.error?.name).toBe('NodeApiError');
		expect(result.items).toEqual([]);
	});

	describe('(b) binary input through the filesystem BinaryDataService', () => {
		let dir: string;
		beforeAll(() => {
			dir = mkdtempSync(join(tmpdir(), 'harness-bin-'));
		});
		afterAll(() => rmSync(dir, { recursive: true, force: true }));

		test('a Buffer is stored and readable with getBinaryStream / getBinaryMetadata', async () => {
			const content = Buffer.from('%PDF-1.4 hello harness\n'.repeat(100));
			const result = await probe({
				parameters: { operation: 'binaryHash' },
				items: [{ json: {}, binary: { data: { data: content, fileName: 'a.pdf', mimeType: 'application/pdf' } } }],
			});
			expect(result.error).toBeUndefined();
			const input = result.inputItems[0].binary!.data;
			expect(input.id).toMatch(/^filesystem-v2:workflows\/.+\/executions\/.+\/binary_data\//);
			expect(result.items[0].json).toEqual({
				id: input.id,
				sha256: createHash('sha256').update(content).digest('hex'),
				bytesRead: content.length,
				fileSize: content.length,
				fileName: 'a.pdf',
				mimeType: 'application/pdf',
			});
		});

		test('a file path is streamed into storage (20 MB, constant memory)', async () => {
			const file = join(dir, 'big.bin');
			const chunk = Buffer.alloc(1024 * 1024, 7);
			const hash = createHash('sha256');
			await new Promise<void>((resolve, reject) => {
				const ws = createWriteStream(file);
				ws.on('error', reject);
				for (let i = 0; i < 20; i++) {
					ws.write(chunk);
					hash.update(chunk);
				}
				ws.end(resolve);
			});
			const result = await probe({
				parameters: { operation: 'binaryHash', binaryPropertyName: 'file' },
				items: [{ json: {}, binary: { file: { data: file } } }],
			});
			expect(result.error).toBeUndefined();
			expect(result.items[0].json).toMatchObject({
				sha256: hash.digest('hex'),
				fileSize: 20 * 1024 * 1024,
				fileName: 'big.bin',
			});
		});
	});

	test('(c) cancelAfterMs aborts getExecutionCancelSignal() like the Stop button', async () => {
		const result = await probe({ parameters: { operation: 'sleep', sleepMs: 20000 }, cancelAfterMs: 200 });
		expect(result.canceledAt).toBeDefined();
		expect(result.endedAt - result.canceledAt!).toBeLessThan(5000);
		expect(result.status).toBe('canceled');
		expect(result.items[0]?.json).toMatchObject({ aborted: true });
		expect((result.items[0].json.sleptMs as number) < 5000).toBe(true);
	});

	test('(c) cancelWhen stops the execution the first time its condition holds', async () => {
		let checks = 0;
		const result = await probe({ parameters: { operation: 'sleep', sleepMs: 20000 }, cancelWhen: () => ++checks === 3 });
		expect(result.status).toBe('canceled');
		expect(result.items[0]?.json).toMatchObject({ aborted: true });
		expect(result.canceledAt).toBeGreaterThanOrEqual(result.executionStartedAt);
		expect(result.endedAt).toBeGreaterThanOrEqual(result.canceledAt!);
	});

	test('(c) without cancellation the sleep completes', async () => {
		const result = await probe({ parameters: { operation: 'sleep', sleepMs: 50 } });
		expect(result.status).toBe('success');
		expect(result.items[0].json).toMatchObject({ aborted: false });
	});

	test('(d) NodeOperationError with itemIndex fails the node', async () => {
		const result = await probe({
			parameters: { operation: 'fail' },
			items: [{ json: { fail: false } }, { json: { fail: true } }],
		});
		expect(result.status).toBe('error');
		expect(result.error).toBeInstanceOf(NodeOperationError);
		expect(result.error?.message).toBe('Item 1 asked to fail');
		expect((result.error as NodeOperationError).description).toBe('the probe node failed on purpose');
		expect((result.error as NodeOperationError).context.itemIndex).toBe(1);
		expect(result.items).toEqual([]);
	});

	test('(d) with continueOnFail the error item is paired with its input', async () => {
		const result = await probe({
			parameters: { operation: 'fail' },
			items: [{ json: { fail: false } }, { json: { fail: true } }, { json: { fail: false } }],
			continueOnFail: true,
		});
		expect(result.status).toBe('success');
		expect(result.error).toBeUndefined();
		expect(result.items).toEqual([
			{ json: { ok: true, index: 0 }, pairedItem: { item: 0 } },
			{ json: { error: 'Item 1 asked to fail' }, pairedItem: { item: 1 } },
			{ json: { ok: true, index: 2 }, pairedItem: { item: 2 } },
		]);
	});

	test('logs are captured and results are written to the audit file', async () => {
		recordForAudit('harness self-test marker', { marker: 'audit-marker-42' });
		await probe({
			parameters: { operation: 'request' },
			credentials: { testApi: { apiKey: API_KEY, baseUrl } },
		});
		const logs = getCapturedLogs();
		expect(logs.some((l) => l.message.includes('Workflow execution started'))).toBe(true);
		const audit = readFileSync(AUDIT_FILE, 'utf8');
		expect(audit).toContain('audit-marker-42');
		expect(audit).toContain('runNode n8n-nodes-harness.harnessProbe status=success');
		// the echo server reflects the Authorization header, so the key is in the items: the audit sees it
		expect(audit).toContain(API_KEY);
	});

	test('missing credentials surface as a node error', async () => {
		const result = await probe({ parameters: { operation: 'request' } });
		expect(result.status).toBe('error');
		expect(result.error?.message).toMatch(/credentials/i);
	});

	test('HarnessGapError is exported for tests that want to assert no gaps were hit', () => {
		expect(getCapturedLogs().filter((l) => l.level === 'harness-gap')).toEqual([]);
		expect(new HarnessGapError('x', 'y').message).toContain('x.y');
	});
});
