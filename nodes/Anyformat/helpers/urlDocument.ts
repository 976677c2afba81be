import type { IExecuteFunctions } from 'n8n-workflow';

import { probeSource, sourceBytes } from '../../shared/transport/download';
import { inputError } from '../../shared/transport/errors';
import { MultipartBody, StreamedFile } from '../../shared/transport/multipart';
import { checkSourceUrl } from '../../shared/transport/source';
import { checkFileName, checkMimeType, readNumberOption } from './inputs';

/** Options → Maximum Download Size, in MB */
export const DEFAULT_MAX_DOWNLOAD_MB = 100;
const MAX_DOWNLOAD_MB = 10_240;

/**
 * The document behind a link. It is checked here, before anything is sent to Anyformat (the link
 * answers 2xx, with a document rather than a web page, not empty, within the size limit), and then
 * downloaded again, streamed straight into the upload, each time the submission is sent. The
 * upload carries a Content-Length when the source announced one, and is sent chunked when it did not.
 */
export async function readUrlDocument(
	ctx: IExecuteFunctions,
	itemIndex: number,
	options: Record<string, unknown>,
): Promise<{ itemIndex: number; kind: 'file'; fileName: string; size: number; body: () => MultipartBody }> {
	const checked = checkSourceUrl(ctx.getNodeParameter('url', itemIndex, '') as unknown);
	if ('problem' in checked) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${checked.problem} (item ${itemIndex})`,
			checked.fix,
		);
	}
	const { url } = checked;
	const maxMb = readNumberOption(
		ctx,
		options,
		'maxDownloadSize',
		'Maximum Download Size',
		itemIndex,
		{ min: 1, max: MAX_DOWNLOAD_MB, fallback: DEFAULT_MAX_DOWNLOAD_MB },
	);
	const limits = { itemIndex, maxBytes: Math.floor(maxMb * 1024 * 1024) };
	const info = await probeSource(ctx, url, limits);
	const fileName = checkFileName(
		ctx,
		String(options.fileName ?? '').trim() || info.fileName,
		itemIndex,
	);
	const mimeType = checkMimeType(ctx, String(options.mimeType ?? '').trim() || info.mimeType, itemIndex);
	// NaN: axios then announces no Content-Length and sends the body chunked
	const size = info.size ?? Number.NaN;
	return {
		itemIndex,
		kind: 'file',
		fileName,
		size,
		body: () =>
			new MultipartBody([
				[
					'file',
					new StreamedFile(fileName, mimeType, size, () => sourceBytes(ctx, url, info, limits)),
				],
			]),
	};
}
