/** The URL input's pure decisions, as tables: link check, file info from headers, retry, web page sniffing. */
import {
	checkSourceUrl,
	looksLikeWebPage,
	sourceFailureRetryable,
	sourceFileInfo,
} from '../../nodes/shared/transport/source';

describe('checkSourceUrl', () => {
	test.each([
		['https://example.com/a.pdf', true],
		['  http://127.0.0.1:8080/x?sig=1  ', true],
		['', false],
		['example.com/a.pdf', false],
		['ftp://example.com/a.pdf', false],
		['file:///etc/passwd', false],
		['javascript:alert(1)', false],
		['data:application/pdf;base64,JVBERi0=', false],
	])('%j → usable %s', (raw, usable) => {
		expect('url' in checkSourceUrl(raw)).toBe(usable);
	});
	test('an object from an expression', () => {
		expect(checkSourceUrl({ url: 'https://x' })).toMatchObject({ problem: expect.stringMatching(/gave an object/) });
	});
});

describe('sourceFileInfo', () => {
	const url = new URL('https://files.example.com/path/inv%C3%A9%20no.pdf?sig=abc');
	test.each([
		[{}, { fileName: 'invé no.pdf', mimeType: 'application/octet-stream', size: undefined }],
		[{ 'content-type': 'application/PDF; charset=binary', 'content-length': '1234' }, { fileName: 'invé no.pdf', mimeType: 'application/pdf', size: 1234 }],
		[{ 'content-disposition': 'attachment; filename="a b.pdf"' }, { fileName: 'a b.pdf' }],
		[{ 'content-disposition': 'attachment; filename=plain.pdf; size=3' }, { fileName: 'plain.pdf' }],
		[{ 'content-disposition': "attachment; filename=\"x.pdf\"; filename*=UTF-8''n%C2%BA7.pdf" }, { fileName: 'nº7.pdf' }],
		[{ 'content-disposition': 'attachment; filename="../../etc/evil.pdf"' }, { fileName: 'evil.pdf' }],
		[{ 'content-disposition': "attachment; filename*=UTF-8''%E0%A4%A" }, { fileName: 'invé no.pdf' }],
		[{ 'content-length': '12', 'content-encoding': 'gzip' }, { size: undefined }],
		[{ 'content-length': 'abc' }, { size: undefined }],
	])('%j', (headers, expected) => {
		expect(sourceFileInfo(headers, url)).toMatchObject(expected);
	});
	test.each([
		['https://x.example/', 'application/pdf', 'document.pdf'],
		['https://x.example/', 'image/png', 'document.png'],
		['https://x.example/', 'application/x-unknown', 'document'],
	])('no name in %s with %s → %s', (href, type, name) => {
		expect(sourceFileInfo({ 'content-type': type }, new URL(href)).fileName).toBe(name);
	});
});

describe('sourceFailureRetryable (like a read of the API)', () => {
	test.each([
		[{ code: 'ECONNRESET' }, true],
		[{ code: 'ETIMEDOUT' }, true],
		[{ status: 408 }, true],
		[{ status: 425 }, true],
		[{ status: 429 }, true],
		[{ status: 500 }, true],
		[{ status: 503 }, true],
		[{ status: 400 }, false],
		[{ status: 401 }, false],
		[{ status: 403 }, false],
		[{ status: 404 }, false],
		[{ status: 410 }, false],
		[{ status: 304 }, false],
	])('%j → %s', (failure, retry) => {
		expect(sourceFailureRetryable(failure)).toBe(retry);
	});
});

describe('looksLikeWebPage', () => {
	const bytes = (text: string) => Buffer.from(text);
	test.each([
		['text/html', undefined, true],
		['application/xhtml+xml', undefined, true],
		['application/pdf', bytes('%PDF-1.7'), false],
		['application/pdf', bytes('<!DOCTYPE html><html>'), true],
		['application/octet-stream', bytes('\n\n   <HTML lang="en">'), true],
		['application/pdf', bytes('\uFEFF<!doctype html>'), true],
		['text/plain', bytes('<html> is a tag, said the text'), true],
		['text/plain', bytes('Invoice <html> inside'), false],
		['image/svg+xml', bytes('<svg xmlns="http://www.w3.org/2000/svg">'), false],
	])('%s %j → %s', (type, first, page) => {
		expect(looksLikeWebPage(type, first)).toBe(page);
	});
});
