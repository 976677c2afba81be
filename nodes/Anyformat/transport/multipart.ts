/**
 * A multipart body n8n's HTTP layer streams instead of buffering. n8n hands any object body to axios,
 * and axios encodes a spec-compliant FormData itself (`formDataToStream`), reading each file part
 * through its `stream()` and announcing a Content-Length computed from the parts' sizes. The platform's
 * own FormData only accepts in-memory Blobs, so this is a minimal stand-in that accepts a part whose
 * bytes come from n8n's binary store as a stream. `stream()` is called once per attempt, so a body can
 * be sent again after a 429.
 */
export interface StreamedFile {
	name: string;
	type: string;
	size: number;
	stream: () => AsyncIterable<Uint8Array>;
}

type Part = [string, string | StreamedFile];

export function streamedFile(file: StreamedFile) {
	return {
		name: file.name,
		type: file.type,
		size: file.size,
		stream: file.stream,
		[Symbol.toStringTag]: 'Blob',
	};
}

export function multipartBody(parts: Part[]) {
	const entries: Part[] = [...parts];
	return {
		entries: () => entries[Symbol.iterator](),
		append(name: string, value: string | StreamedFile) {
			entries.push([name, value]);
		},
		getAll: (name: string) => entries.filter(([key]) => key === name).map(([, value]) => value),
		[Symbol.iterator]: () => entries[Symbol.iterator](),
		[Symbol.toStringTag]: 'FormData',
	};
}

export type MultipartBody = ReturnType<typeof multipartBody>;
