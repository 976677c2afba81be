import type { IExecuteFunctions } from 'n8n-workflow';

import { inputError } from '../../shared/transport/errors';
import { MultipartBody, StreamedFile } from '../../shared/transport/multipart';
import { checkFileName, checkMimeType, hasControlCharacters, MAX_TEXT_BYTES } from './inputs';
import { readUrlDocument } from './urlDocument';

export interface DocumentToSubmit {
	itemIndex: number;
	kind: 'file' | 'text';
	/** file name sent (for a file), used to find the run again if the answer is lost */
	fileName?: string;
	size: number;
	body: () => MultipartBody;
}

/**
 * Reads the document of one item — a binary property, text or a link — checking it before anything is sent.
 * A binary kept in n8n's binary store is read as a stream with its known length, never whole.
 */
export async function readDocument(
	ctx: IExecuteFunctions,
	itemIndex: number,
): Promise<DocumentToSubmit> {
	const inputType = ctx.getNodeParameter('inputType', itemIndex, 'binary') as string;
	const options = ctx.getNodeParameter('options', itemIndex, {}) as Record<string, unknown>;

	if (inputType === 'url') return await readUrlDocument(ctx, itemIndex, options);
	if (inputType === 'text') return readTextDocument(ctx, itemIndex);
	return await readBinaryDocument(ctx, itemIndex, options);
}

function readTextDocument(ctx: IExecuteFunctions, itemIndex: number): DocumentToSubmit {
	const node = ctx.getNode();
	const raw = ctx.getNodeParameter('text', itemIndex, '') as unknown;
	const text =
		typeof raw === 'string' ? raw : raw === undefined || raw === null ? '' : JSON.stringify(raw);
	if (text.trim() === '') {
		throw inputError(
			node,
			itemIndex,
			`The text to process is empty (item ${itemIndex})`,
			'Fill in "Text" or point it at a field that holds the document text, e.g. {{ $json.body }}. To send a file instead, set "Input Type" to Binary File.',
		);
	}
	// Sent as bytes, not as a string part: the multipart encoder would turn every line break into
	// CRLF (as browsers do), and Anyformat would not read the text it was given.
	const bytes = Buffer.from(text, 'utf8');
	if (bytes.length > MAX_TEXT_BYTES) {
		throw inputError(
			node,
			itemIndex,
			`The text is ${bytes.length.toLocaleString('en-US')} bytes long in UTF-8, over the ${MAX_TEXT_BYTES.toLocaleString('en-US')} bytes this node sends as text (item ${itemIndex})`,
			'Anyformat limits a text part to about 1 MB (counted in bytes: an accented letter takes 2, most CJK characters 3). Send a document this large as a file: convert it with "Convert to File" and set "Input Type" to Binary File.',
		);
	}
	const part = () =>
		new StreamedFile('', 'text/plain; charset=utf-8', bytes.length, async function* () {
			yield bytes;
		});
	return {
		itemIndex,
		kind: 'text',
		size: bytes.length,
		body: () => new MultipartBody([['text', part()]]),
	};
}

async function readBinaryDocument(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: Record<string, unknown>,
): Promise<DocumentToSubmit> {
	const node = ctx.getNode();
	const propertyName = String(ctx.getNodeParameter('binaryPropertyName', itemIndex, 'data')).trim();
	const item = ctx.getInputData()[itemIndex];
	const binary = item?.binary?.[propertyName];
	if (!binary) {
		const available = Object.keys(item?.binary ?? {});
		throw inputError(
			node,
			itemIndex,
			`Item ${itemIndex} has no binary property "${propertyName}"`,
			available.length
				? `Its binary properties are: ${available.join(', ')}. Set "Input Binary Field" to one of them.`
				: 'The item has no file at all. Add a node that reads or downloads the document before this one (e.g. Read/Write Files from Disk, HTTP Request with "Response Format: File"), or set "Input Type" to Text.',
		);
	}
	const fileName = checkFileName(
		ctx,
		String(options.fileName ?? '').trim() ||
			baseName(binary.fileName) ||
			`document${binary.fileExtension ? `.${binary.fileExtension}` : ''}`,
		itemIndex,
	);
	const mimeType = checkMimeType(
		ctx,
		String(options.mimeType ?? '').trim() || binary.mimeType || 'application/octet-stream',
		itemIndex,
	);

	let size: number;
	let stream: () => AsyncIterable<Uint8Array>;
	if (binary.id) {
		const binaryId = binary.id;
		const metadata = await ctx.helpers.getBinaryMetadata(binaryId);
		size = Number(metadata.fileSize);
		stream = () => streamFromStore(ctx, binaryId);
	} else {
		const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, propertyName);
		size = buffer.length;
		stream = async function* () {
			yield buffer;
		};
	}
	if (!Number.isFinite(size) || size <= 0) {
		throw inputError(
			node,
			itemIndex,
			`The file "${fileName}" in binary property "${propertyName}" is empty (item ${itemIndex})`,
			'Anyformat cannot extract anything from a zero-byte file. Check the node that produced it (a failed download often gives an empty file).',
		);
	}
	return {
		itemIndex,
		kind: 'file',
		fileName,
		size,
		body: () => new MultipartBody([['file', new StreamedFile(fileName, mimeType, size, stream)]]),
	};
}

async function* streamFromStore(
	ctx: IExecuteFunctions,
	binaryId: string,
): AsyncIterable<Uint8Array> {
	const readable = await ctx.helpers.getBinaryStream(binaryId);
	for await (const chunk of readable) yield chunk as Uint8Array;
}

function baseName(name: string | undefined): string {
	if (!name) return '';
	return name
		.split(/[/\\]/)
		.pop()!
		.split('')
		.filter((c) => !hasControlCharacters(c))
		.join('')
		.trim();
}
