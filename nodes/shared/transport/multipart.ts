/**
 * A multipart body n8n's HTTP layer streams instead of buffering. n8n hands any object body to axios,
 * and axios encodes a spec-compliant FormData itself (`formDataToStream`), reading each file part
 * through its `stream()` and announcing a Content-Length computed from the parts' sizes. The platform's
 * own FormData only accepts in-memory Blobs, so these small classes stand in for FormData and File
 * with a part whose bytes come from n8n's binary store as a stream. (axios accepts only class
 * instances as FormData-like, not plain objects.) `stream()` is called once per attempt, so a body
 * can be sent again after a 429. A part with an empty name goes without a filename, i.e. as a form field.
 */
export class StreamedFile {
	constructor(
		readonly name: string,
		readonly type: string,
		readonly size: number,
		private readonly open: () => AsyncIterable<Uint8Array>,
	) {}

	stream(): AsyncIterable<Uint8Array> {
		return this.open();
	}

	get [Symbol.toStringTag]() {
		return 'File';
	}
}

type Part = [string, string | StreamedFile];

export class MultipartBody {
	private readonly parts: Part[] = [];

	constructor(parts: Part[] = []) {
		this.parts.push(...parts);
	}

	append(name: string, value: string | StreamedFile): void {
		this.parts.push([name, value]);
	}

	entries(): IterableIterator<Part> {
		return this.parts[Symbol.iterator]();
	}

	[Symbol.iterator](): IterableIterator<Part> {
		return this.entries();
	}

	get [Symbol.toStringTag]() {
		return 'FormData';
	}
}
