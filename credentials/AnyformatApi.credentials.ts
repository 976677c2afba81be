import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class AnyformatApi implements ICredentialType {
	name = 'anyformatApi';

	displayName = 'Anyformat API';

	icon: Icon = { light: 'file:../icons/anyformat.svg', dark: 'file:../icons/anyformat.dark.svg' };

	documentationUrl = 'https://docs.anyformat.ai';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'af_...',
			description: 'The API key from app.anyformat.ai/settings. One key per organization.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.anyformat.ai',
			required: true,
			description:
				'Scheme and host of the Anyformat API, without a path. Change it only for a regional or self-hosted deployment.',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// /health/ is public, so the test calls an authenticated endpoint: a wrong key fails here.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v2/workflows/',
			qs: { page_size: 1 },
		},
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'The API key was refused. Copy it again from app.anyformat.ai/settings.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'The API key was refused or has no access. Copy it again from app.anyformat.ai/settings.',
				},
			},
		],
	};
}
