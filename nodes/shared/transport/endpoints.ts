/** Every Anyformat path ends with `/` (without it the API answers 301 and a redirected POST loses its body). */
const seg = (id: string) => encodeURIComponent(id);

export const endpoints = {
	workflows: () => '/v2/workflows/',
	workflow: (workflowId: string) => `/v2/workflows/${seg(workflowId)}/`,
	run: (workflowId: string) => `/v2/workflows/${seg(workflowId)}/run/`,
	runs: (workflowId: string) => `/v2/workflows/${seg(workflowId)}/runs/`,
	files: (workflowId: string) => `/v2/workflows/${seg(workflowId)}/files/`,
	results: (workflowId: string, collectionId: string) =>
		`/v2/workflows/${seg(workflowId)}/files/${seg(collectionId)}/results/`,
	collection: (collectionId: string) => `/v2/files/${seg(collectionId)}/`,
	webhooks: () => '/v2/webhooks/',
	webhook: (webhookId: string) => `/v2/webhooks/${seg(webhookId)}/`,
};
