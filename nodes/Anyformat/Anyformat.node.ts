import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import * as extraction from './actions/extraction/Extraction.resource';
import { router } from './actions/router';
import * as workflow from './actions/workflow/Workflow.resource';
import { actionOutputsExpression } from '../shared/descriptions';
import { searchWorkflows } from '../shared/methods/listSearch';

export class Anyformat implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Anyformat',
		name: 'anyformat',
		icon: { light: 'file:../../icons/anyformat.svg', dark: 'file:../../icons/anyformat.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description: 'Extract structured data from PDFs, images and text with Anyformat workflows',
		defaults: { name: 'Anyformat' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// one main output; two (Results, Needs Review) with Options → Route For Review
		outputs: actionOutputsExpression,
		credentials: [{ name: 'anyformatApi', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Extraction', value: 'extraction' },
					{ name: 'Workflow', value: 'workflow' },
				],
				default: 'extraction',
			},
			...extraction.description,
			...workflow.description,
		],
	};

	methods = { listSearch: { searchWorkflows } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
