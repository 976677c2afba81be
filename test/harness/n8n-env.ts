/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * One-time initialisation of the n8n-core services that node execution reaches through the
 * `@n8n/di` Container. What n8n-core 2.41 pulls from the Container while a node runs:
 *   - Logger (@n8n/backend-common)        node-execution-context `this.logger`, many services
 *   - InstanceSettings                     every node execution context (instanceId, hmac secret)
 *   - ErrorReporter                        WorkflowExecute.reportNodeExecutionError (Sentry otherwise)
 *   - BinaryDataService (+BinaryDataConfig) getBinaryStream / getBinaryMetadata / prepareBinaryData
 *   - ExecutionContextService              establishExecutionContext (auto-constructed; needs Cipher
 *                                          -> InstanceSettings.encryptionKey)
 *   - OutboundHttp (@n8n/backend-network)  httpRequest* helpers (auto-constructed from env config;
 *                                          SSRF protection is off by default)
 * plus n8n-workflow's LoggerProxy, which the engine logs through.
 *
 * IMPORTANT: n8n-core has its own nested copies of @n8n/di, @n8n/backend-common, @n8n/config...
 * (node_modules/n8n-core/node_modules/@n8n/*). We must register services in *that* Container, so
 * those packages are resolved from n8n-core's directory, through Jest's require (same module
 * registry as n8n-core itself).
 *
 * Jest gives each test file a fresh module registry, so this runs once per test file (and the DI
 * Container, being module state, is per test file too). Binary data goes to a temp dir per test
 * file, removed in afterAll.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { BinaryDataConfig, BinaryDataService, DataDeduplicationService, ErrorReporter, InstanceSettings } from 'n8n-core';
import { LoggerProxy } from 'n8n-workflow';

import { HarnessDeduplicator } from './deduplication';
import { CapturingErrorReporter, CapturingLogger, captureConsole } from './logs';
import { strict } from './strict';

const coreDir = dirname(require.resolve('n8n-core/package.json'));

/** require() a package as n8n-core sees it (its nested copy if it has one). */
function requireFromCore<T>(id: string): T {
	return require(require.resolve(id, { paths: [coreDir] })) as T;
}

type ContainerLike = {
	get<T>(type: abstract new (...args: never[]) => T): T;
	set<T>(type: abstract new (...args: never[]) => T, instance: T): void;
	has(type: unknown): boolean;
};

export const { Container } = requireFromCore<{ Container: ContainerLike }>('@n8n/di');
const { Logger } = requireFromCore<{ Logger: abstract new (...args: never[]) => unknown }>('@n8n/backend-common');

export interface HarnessEnvironment {
	/** temp root for this test file: n8n user folder + binary data */
	rootDir: string;
	binaryDataDir: string;
	binaryDataService: BinaryDataService;
	logger: CapturingLogger;
}

let env: HarnessEnvironment | undefined;
let initializing: Promise<HarnessEnvironment> | undefined;
let rootDir: string | undefined;
/** DataDeduplicationService.init() may run only once per module registry */
let dedupeInitialized = false;

/** Hosts the harness talks to must never go through an HTTP proxy taken from the environment. */
function bypassProxyForLocalhost() {
	const local = ['localhost', '127.0.0.1', '::1'];
	for (const key of ['NO_PROXY', 'no_proxy']) {
		const current = (process.env[key] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
		if (current.includes('*')) continue;
		const missing = local.filter((h) => !current.includes(h));
		if (missing.length && (process.env.HTTP_PROXY || process.env.http_proxy || process.env.HTTPS_PROXY || process.env.https_proxy || process.env[key])) {
			process.env[key] = [...current, ...missing].join(',');
		}
	}
}

async function initialize(): Promise<HarnessEnvironment> {
	bypassProxyForLocalhost();
	captureConsole();

	rootDir ??= mkdtempSync(join(tmpdir(), 'anyformat-n8n-'));
	const n8nFolder = join(rootDir, '.n8n');
	const binaryDataDir = join(rootDir, 'binaryData');
	mkdirSync(binaryDataDir, { recursive: true });

	// Logging: quiet + captured, for both the DI Logger and n8n-workflow's LoggerProxy
	const logger = new CapturingLogger();
	Container.set(Logger, logger as never);
	LoggerProxy.init(logger);

	// ErrorReporter would init Sentry; capture instead
	Container.set(ErrorReporter, new CapturingErrorReporter() as unknown as ErrorReporter);

	// InstanceSettings: the real class, pointed at a temp user folder (it writes <n8nFolder>/config)
	const instanceSettingsConfig = strict('InstanceSettingsConfig', {
		n8nFolder,
		userHome: rootDir,
		encryptionKey: 'anyformat-test-harness-encryption-key',
		enforceSettingsFilePermissions: true,
	});
	const instanceSettings = new (InstanceSettings as unknown as new (config: unknown, logger: unknown) => InstanceSettings)(
		instanceSettingsConfig,
		logger,
	);
	Container.set(InstanceSettings, instanceSettings);

	// BinaryDataService in filesystem mode, as `n8n start` does: Container.get(BinaryDataService).init()
	const binaryDataConfig = new (BinaryDataConfig as unknown as new (...args: unknown[]) => BinaryDataConfig)(
		instanceSettings,
		strict('ExecutionsConfig', { mode: 'regular' }),
		strict('StorageConfig', { storagePath: binaryDataDir }),
	);
	binaryDataConfig.mode = 'filesystem';
	binaryDataConfig.localStoragePath = binaryDataDir;
	Container.set(BinaryDataConfig, binaryDataConfig);
	const binaryDataService = Container.get(BinaryDataService);
	await binaryDataService.init();

	// n8n's deduplication store (`checkProcessedAndRecord`), in memory: see ./deduplication.ts
	if (!dedupeInitialized) {
		await DataDeduplicationService.init(new HarnessDeduplicator());
		dedupeInitialized = true;
	}

	return { rootDir, binaryDataDir, binaryDataService, logger };
}

export async function ensureN8nEnvironment(): Promise<HarnessEnvironment> {
	if (env) return env;
	initializing ??= initialize();
	env = await initializing;
	return env;
}

export function getHarnessTempRoot(): string | undefined {
	return rootDir;
}

/** Remove this test file's temp dir (binary data, user folder). Registered in afterAll. */
export function cleanupHarnessTempDir(): void {
	if (rootDir) rmSync(rootDir, { recursive: true, force: true });
	rootDir = undefined;
	env = undefined;
	initializing = undefined;
}

if (typeof afterAll === 'function') {
	afterAll(() => cleanupHarnessTempDir());
}
