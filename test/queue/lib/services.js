'use strict';
/**
 * Redis and Postgres for the queue-mode suite, from Debian's packages (scripts/queue/run.sh installs
 * them): each started here as a plain process with its own data folder on a free loopback port, and
 * stopped (only the processes started here, by pid) at the end. Postgres refuses to run as root, so it
 * runs as Debian's `postgres` user; n8n connects with trust authentication on 127.0.0.1.
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort } = require('../../e2e/lib/n8n');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function pgBin(name) {
	const root = '/usr/lib/postgresql';
	const versions = fs.existsSync(root) ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
	for (const v of versions) {
		const bin = path.join(root, v, 'bin', name);
		if (fs.existsSync(bin)) return bin;
	}
	throw new Error(`PostgreSQL's ${name} not found under ${root}: run scripts/queue/run.sh (it installs postgresql)`);
}

function asPostgres(bin, args) {
	return process.getuid && process.getuid() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

function launch(cmd, args, logFile) {
	const out = fs.openSync(logFile, 'a');
	const child = spawn(cmd, args, { stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
	return { child, exited };
}

async function stopProcess(proc, graceMs = 10000) {
	if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
	try {
		process.kill(-proc.child.pid, 'SIGTERM');
	} catch {
		return;
	}
	const timer = setTimeout(() => {
		try {
			process.kill(-proc.child.pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}, graceMs);
	await proc.exited;
	clearTimeout(timer);
}

async function waitFor(check, what, timeoutMs = 30000) {
	const until = Date.now() + timeoutMs;
	while (Date.now() < until) {
		if (check()) return;
		await sleep(200);
	}
	throw new Error(`${what} did not become ready in ${timeoutMs} ms`);
}

/** Starts Redis and Postgres; resolves {redis: {host, port}, postgres: {host, port, database, user}, env, stop()}. */
async function startServices() {
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'anyformat-queue-services-'));
	fs.chmodSync(dir, 0o755);
	const started = [];
	const stop = async () => {
		for (const proc of started.reverse()) await stopProcess(proc);
		fs.rmSync(dir, { recursive: true, force: true });
	};
	try {
		const redisPort = await freePort();
		const redisDir = path.join(dir, 'redis');
		fs.mkdirSync(redisDir);
		const redis = launch('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--dir', redisDir, '--save', '', '--appendonly', 'no'], path.join(dir, 'redis.log'));
		started.push(redis);
		await waitFor(() => {
			try {
				return execFileSync('redis-cli', ['-p', String(redisPort), 'ping'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'PONG';
			} catch {
				return false;
			}
		}, 'redis');

		const pgPort = await freePort();
		const pgData = path.join(dir, 'pg');
		fs.mkdirSync(pgData);
		if (process.getuid && process.getuid() === 0) execFileSync('chown', ['postgres:postgres', pgData]);
		const [initCmd, initArgs] = asPostgres(pgBin('initdb'), ['-D', pgData, '-U', 'n8n', '--auth=trust', '-E', 'UTF8', '--no-sync']);
		execFileSync(initCmd, initArgs, { stdio: ['ignore', 'ignore', 'pipe'] });
		const [pgCmd, pgArgs] = asPostgres(pgBin('postgres'), ['-D', pgData, '-p', String(pgPort), '-k', pgData, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200']);
		const postgres = launch(pgCmd, pgArgs, path.join(dir, 'postgres.log'));
		started.push(postgres);
		await waitFor(() => {
			try {
				execFileSync(pgBin('pg_isready'), ['-h', '127.0.0.1', '-p', String(pgPort)], { stdio: 'ignore' });
				return true;
			} catch {
				return false;
			}
		}, 'postgres');
		execFileSync(pgBin('createdb'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'n8n', 'n8n'], { stdio: 'inherit' });

		const env = {
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(pgPort),
			DB_POSTGRESDB_DATABASE: 'n8n',
			DB_POSTGRESDB_USER: 'n8n',
			DB_POSTGRESDB_PASSWORD: 'n8n',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redisPort),
		};
		const psql = (sql) =>
			execFileSync(pgBin('psql'), ['-h', '127.0.0.1', '-p', String(pgPort), '-U', 'n8n', '-d', 'n8n', '-At', '-c', sql], { encoding: 'utf8' }).trim();
		return { env, psql, redisPort, pgPort, dir, stop };
	} catch (error) {
		await stop();
		throw error;
	}
}

module.exports = { startServices };
