'use strict';
// The Anyformat error envelope: {error, detail, error_code, retryable, request_id}.
const { requestId } = require('./ids');

const TITLES = {
	VALIDATION_ERROR: 'Validation error',
	INVALID_JSON: 'Invalid JSON',
	AUTH_FAILED: 'Authentication failed',
	ACCESS_DENIED: 'Access denied',
	NOT_FOUND: 'Not found',
	METHOD_NOT_ALLOWED: 'Method not allowed',
	INSUFFICIENT_CREDITS: 'Insufficient credits',
	PRECONDITION_FAILED: 'Results not ready',
	EXTRACTION_FAILED: 'Extraction failed',
	EXTRACTION_CANCELLED: 'Extraction cancelled',
	RATE_LIMITED: 'Rate limit exceeded',
	INTERNAL_ERROR: 'Internal server error',
	BAD_GATEWAY: 'Bad gateway',
	SERVICE_UNAVAILABLE: 'Service unavailable',
	GATEWAY_TIMEOUT: 'Gateway timeout',
};

const RETRYABLE = new Set([
	'PRECONDITION_FAILED',
	'RATE_LIMITED',
	'INTERNAL_ERROR',
	'BAD_GATEWAY',
	'SERVICE_UNAVAILABLE',
	'GATEWAY_TIMEOUT',
]);

/** Build a handler result `{status, body}` carrying the JSON error envelope. */
function apiError(status, errorCode, detail, extra = {}) {
	return {
		status,
		body: {
			error: extra.error || TITLES[errorCode] || 'Error',
			detail,
			error_code: errorCode,
			retryable: extra.retryable !== undefined ? !!extra.retryable : RETRYABLE.has(errorCode),
			request_id: requestId(),
		},
		headers: extra.headers || {},
	};
}

/**
 * A request-validation failure (422 for form bodies and query params), in the configured style:
 * 'envelope' -> VALIDATION_ERROR envelope whose detail names the field;
 * 'fastapi'  -> {"detail":[{loc,msg,type}]}.
 */
function validationError(style, loc, msg, { status = 422, input } = {}) {
	if (style === 'fastapi') {
		const item = { loc, msg, type: 'value_error' };
		if (input !== undefined) item.input = input;
		return { status, body: { detail: [item] }, headers: {} };
	}
	const field = loc[loc.length - 1];
	return apiError(status, 'VALIDATION_ERROR', `${field}: ${msg}`);
}

const STATUS_FAULT_CODES = {
	500: 'INTERNAL_ERROR',
	502: 'BAD_GATEWAY',
	503: 'SERVICE_UNAVAILABLE',
	504: 'GATEWAY_TIMEOUT',
};

function proxyHtml(status) {
	const title = status === 502 ? '502 Bad Gateway' : '503 Service Temporarily Unavailable';
	return (
		`<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
		'<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n'
	);
}

module.exports = { apiError, validationError, STATUS_FAULT_CODES, proxyHtml, TITLES };
