import type { IDataObject, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';

import type { OutputMode } from './transport/types';

export interface TriggerResultSettings {
	fetchResults: boolean;
	output: OutputMode;
	includeMarkdown: boolean;
	minimumConfidence: number;
}

/**
 * Fetch Results, Output and the result options of a trigger (triggerDescriptions.ts), read the same
 * way by every Anyformat trigger. (The webhook trigger still reads them in its receive.ts.)
 */
export function readResultSettings(ctx: IPollFunctions | IWebhookFunctions): TriggerResultSettings {
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const fetchResults = ctx.getNodeParameter('fetchResults', true) !== false;
	const minimumConfidence = Number(options.minimumConfidence ?? 0);
	return {
		fetchResults,
		output: (fetchResults
			? ctx.getNodeParameter('output', 'simplified')
			: 'simplified') as OutputMode,
		includeMarkdown: options.includeMarkdown === true,
		minimumConfidence: Number.isFinite(minimumConfidence) ? minimumConfidence : 0,
	};
}
