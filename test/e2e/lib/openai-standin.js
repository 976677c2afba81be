'use strict';
/**
 * A scripted OpenAI-compatible stand-in for n8n's OpenAI Chat Model (test code, loopback only), run as
 * its own process: `node openai-standin.js LOG_FILE` prints `STANDIN_URL=http://127.0.0.1:PORT/v1`.
 *
 * - `GET /v1/models`: one model.
 * - `POST /v1/chat/completions`: while the conversation holds no tool result, it calls the first tool
 *   offered, filling each of the tool's parameters from the user's message: `url` with the first link
 *   in it, `text` with what follows "Text:", anything else with the whole message. Once a tool result
 *   is there, it answers in words built from that result (the invoice number, total and vendor it finds).
 *   Streaming (`stream: true`) and plain answers are both served.
 * Every request body is appended to LOG_FILE as one JSON line, so a test can read what reached the model.
 */
const fs = require('node:fs');
const http = require('node:http');

const logFile = process.argv[2];
let calls = 0;

function userText(messages) {
	const user = messages.filter((m) => m.role === 'user').pop();
	if (!user) return '';
	if (typeof user.content === 'string') return user.content;
	return (user.content || []).map((part) => part.text || '').join('\n');
}

function argumentsFor(tool, text) {
	const properties = (tool.function && tool.function.parameters && tool.function.parameters.properties) || {};
	const args = {};
	for (const name of Object.keys(properties)) {
		if (/url|link/i.test(name)) args[name] = (text.match(/https?:\/\/\S+/) || [''])[0].replace(/[).,]+$/, '');
		else if (/text/i.test(name)) args[name] = text.includes('Text:') ? text.slice(text.indexOf('Text:') + 5).trim() : text;
		else args[name] = text;
	}
	return args;
}

/** The first value under `name` anywhere in a (possibly JSON-encoded, possibly twice) value. */
function find(value, name, depth = 0) {
	if (depth > 8 || value === null || value === undefined) return undefined;
	if (typeof value === 'string') {
		const t = value.trim();
		if (!(t.startsWith('{') || t.startsWith('['))) return undefined;
		try {
			return find(JSON.parse(t), name, depth + 1);
		} catch {
			return undefined;
		}
	}
	if (Array.isArray(value)) {
		for (const v of value) {
			const found = find(v, name, depth + 1);
			if (found !== undefined) return found;
		}
		return undefined;
	}
	if (typeof value === 'object') {
		if (Object.prototype.hasOwnProperty.call(value, name) && typeof value[name] !== 'object') return value[name];
		for (const v of Object.values(value)) {
			const found = find(v, name, depth + 1);
			if (found !== undefined) return found;
		}
	}
	return undefined;
}

function answerFrom(toolContent) {
	const pick = (name) => String(find(toolContent, name) ?? 'unknown');
	return `Invoice ${pick('invoice_number')} from ${pick('vendor_name')}: total ${pick('total_amount')}.`;
}

function completion(body) {
	const messages = body.messages || [];
	const toolResult = messages.filter((m) => m.role === 'tool').pop();
	const tools = body.tools || [];
	calls++;
	if (!toolResult && tools.length) {
		const tool = tools[0];
		return {
			finish_reason: 'tool_calls',
			message: {
				role: 'assistant',
				content: null,
				tool_calls: [
					{
						id: `call_${calls}`,
						type: 'function',
						function: { name: tool.function.name, arguments: JSON.stringify(argumentsFor(tool, userText(messages))) },
					},
				],
			},
		};
	}
	const content = toolResult ? answerFrom(toolResult.content) : 'I have no tool to use.';
	return { finish_reason: 'stop', message: { role: 'assistant', content } };
}

function sendJson(res, status, value) {
	const payload = JSON.stringify(value);
	res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
	res.end(payload);
}

function sendStream(res, id, model, choice) {
	res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
	const chunk = (delta, finish) =>
		res.write(
			`data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created: 0, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`,
		);
	const { message } = choice;
	if (message.tool_calls) {
		chunk({ role: 'assistant', content: null, tool_calls: message.tool_calls.map((c, index) => ({ index, ...c })) }, null);
	} else {
		chunk({ role: 'assistant', content: message.content }, null);
	}
	chunk({}, choice.finish_reason);
	res.write('data: [DONE]\n\n');
	res.end();
}

const server = http.createServer((req, res) => {
	const chunks = [];
	req.on('data', (c) => chunks.push(c));
	req.on('end', () => {
		const raw = Buffer.concat(chunks).toString('utf8');
		const path = (req.url || '').split('?')[0].replace(/\/+$/, '');
		let body = {};
		try {
			body = raw ? JSON.parse(raw) : {};
		} catch {
			body = { unparsed: raw };
		}
		if (logFile) fs.appendFileSync(logFile, `${JSON.stringify({ method: req.method, path, body })}\n`);
		if (req.method === 'GET' && path.endsWith('/models')) {
			return sendJson(res, 200, { object: 'list', data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'standin' }] });
		}
		if (req.method === 'POST' && path.endsWith('/chat/completions')) {
			const choice = completion(body);
			const id = `chatcmpl-${calls}`;
			const model = body.model || 'gpt-4o-mini';
			if (body.stream) return sendStream(res, id, model, choice);
			return sendJson(res, 200, {
				id,
				object: 'chat.completion',
				created: Math.floor(Date.now() / 1000),
				model,
				choices: [{ index: 0, ...choice }],
				usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
			});
		}
		sendJson(res, 404, { error: { message: `no route ${req.method} ${path}` } });
	});
});

server.listen(0, '127.0.0.1', () => {
	process.stdout.write(`STANDIN_URL=http://127.0.0.1:${server.address().port}/v1\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
