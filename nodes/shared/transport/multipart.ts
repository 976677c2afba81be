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

	/**
	 * What the part's own source failed with while it was last sent. The request then broke off
	 * before its body was complete, so the server cannot have taken it (see `submitRun`).
	 */
	failure: Error | undefined;

	stream(): AsyncIterable<Uint8Array> {
		this.failure = undefined;
		return this.guarded();
	}

	private async *guarded(): AsyncIterable<Uint8Array> {
		try {
			yield* this.open();
			return;
		} catch (error) {
			this.failure = error as Error;
		}
		// the source's own error (already an n8n error naming the item, for a download)
		throw this.failure;
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

	/** The error a part's source failed with during the last sending, if one did. */
	sourceFailure(): Error | undefined {
		for (const [, value] of this.parts) {
			if (typeof value !== 'string' && value.failure) return value.failure;
		}
		return undefined;
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
