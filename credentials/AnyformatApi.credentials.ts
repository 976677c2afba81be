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
	// disableFollowRedirect: n8n (1.x and 2.x alike) copies the Authorization header onto every redirect,
	// to any origin, so a Base URL answering 3xx would hand the key to whatever it points at. With it,
	// n8n's request helper sets axios' maxRedirects to 0 and the 3xx is reported by the rules below.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/v2/workflows/',
			qs: { page_size: 1 },
			disableFollowRedirect: true,
		},
		rules: [
			...[301, 302, 303, 307, 308].map((value) => ({
				type: 'responseCode' as const,
				properties: {
					value,
					message: `The Base URL answered with a redirect (HTTP ${value}); the API key was not sent on. Set the Base URL to the scheme and host of the API only, e.g. https://api.anyformat.ai.`,
				},
			})),
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
