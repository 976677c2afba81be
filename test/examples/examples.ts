/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * The example workflows as the fast suite loads them: the package's own node types (every node
 * package.json declares, from source), the stand-ins for n8n's base nodes, and the checks that a
 * saved workflow still fits the nodes: every saved parameter still exists, none has an issue.
 */
import { relative } from 'node:path';

import { DirectoryLoader } from 'n8n-core';
import type { INode, INodeProperties, INodeType, IVersionedNodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { AnyformatApi } from '../../credentials/AnyformatApi.credentials';
import type { SavedWorkflow } from '../harness/workflow';
import { standIns } from './standins';

export const ex = require('../e2e/lib/examples') as {
	REPO_ROOT: string;
	DOCUMENTS_DIR: string;
	SAMPLE_DOCUMENT: string;
	EXAMPLE_CREDENTIAL: { id: string; name: string };
	PACKAGE_NAME: string;
	SCENARIO: { invoice: string; split: string; parseOnly: string };
	exampleNames(): string[];
	exampleWorkflow(name: string): SavedWorkflow;
};

/**
 * The Tool variant n8n makes of a node with `usableAsTool` (type `<package>.<name>Tool`) for AI Agents:
 * the same parameters plus *Tool Description* (`descriptionType`, `toolDescription`). Enough to check a
 * saved tool node's parameters; it cannot run (an agent calls it through n8n's tool wrapper).
 */
function toolVariant(node: INodeType): INodeType {
	const description = node.description;
	const toolProperties: INodeProperties[] = [
		{
			displayName: 'Tool Description',
			name: 'descriptionType',
			type: 'options',
			options: [
				{ name: 'Set Automatically', value: 'auto' },
				{ name: 'Set Manually', value: 'manual' },
			],
			default: 'auto',
		},
		{ displayName: 'Description', name: 'toolDescription', type: 'string', default: description.description },
	];
	return {
		description: {
			...description,
			name: `${description.name}Tool`,
			displayName: `${description.displayName} Tool`,
			properties: [...toolProperties, ...description.properties],
		},
	};
}

type SpecialParameters = { applySpecialNodeParameters(nodeType: INodeType): void };

/** The package's node types by type name (`n8n-nodes-anyformat.<name>`), loaded from nodes/ (ts). */
export function packageNodeTypes(): Map<string, INodeType | IVersionedNodeType> {
	const pkg = require('../../package.json') as { n8n: { nodes: string[] } };
	const types = new Map<string, INodeType | IVersionedNodeType>();
	for (const dist of pkg.n8n.nodes) {
		const source = dist.replace(/^dist\//, '../../').replace(/\.js$/, '');
		const className = source.split('/').pop()!.replace(/\.node$/, '');
		const NodeClass = require(source)[className] as new () => INodeType;
		const node = new NodeClass();
		// what n8n's loader adds to a node type: Poll Times on polling nodes, CORS options on webhooks
		// (a private method of n8n-core's DirectoryLoader that uses only its argument)
		(DirectoryLoader.prototype as unknown as SpecialParameters).applySpecialNodeParameters(node);
		types.set(`${ex.PACKAGE_NAME}.${node.description.name}`, node);
		if (node.description.usableAsTool) types.set(`${ex.PACKAGE_NAME}.${node.description.name}Tool`, toolVariant(node));
	}
	return types;
}

/** Stand-ins read documents only from examples/documents, as N8N_RESTRICT_FILE_ACCESS_TO does in the e2e. */
function insideDocuments(path: string): string {
	if (relative(ex.DOCUMENTS_DIR, path).startsWith('..')) {
		throw new Error(`[stand-in readWriteFile] ${path} is outside examples/documents`);
	}
	return path;
}

export function exampleNodeTypes(): Map<string, INodeType | IVersionedNodeType> {
	return new Map([...packageNodeTypes(), ...standIns(insideDocuments)]);
}

export const credentialTypes = [new AnyformatApi()];

/**
 * What no longer fits in a saved node of this package: a saved parameter the node no longer has
 * (n8n would drop it silently), an option that no longer exists, a parameter issue n8n would flag,
 * a credential other than the examples' one.
 */
export function savedNodeProblems(node: INode, nodeType: INodeType): string[] {
	const description = nodeType.description;
	const problems: string[] = [];
	const resolved = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description) ?? {};
	for (const key of Object.keys(node.parameters)) {
		if (!(key in resolved)) problems.push(`${node.name}: parameter "${key}" is not a (displayed) parameter of ${node.type}`);
	}
	const options = node.parameters.options as Record<string, unknown> | undefined;
	if (options && typeof options === 'object') {
		const known = new Set(
			description.properties
				.filter((p) => p.name === 'options' && p.type === 'collection')
				.flatMap((p) => (p.options ?? []).map((o) => (o as { name: string }).name)),
		);
		for (const key of Object.keys(options)) {
			if (!known.has(key)) problems.push(`${node.name}: option "${key}" is not an option of ${node.type}`);
		}
	}
	const issues = NodeHelpers.getNodeParametersIssues(description.properties, { ...node, parameters: resolved }, description);
	if (issues) problems.push(`${node.name}: parameter issues ${JSON.stringify(issues)}`);
	if (JSON.stringify(node.credentials) !== JSON.stringify({ anyformatApi: ex.EXAMPLE_CREDENTIAL })) {
		problems.push(`${node.name}: credentials ${JSON.stringify(node.credentials)} are not the examples' credential`);
	}
	return problems;
}
