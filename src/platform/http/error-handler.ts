import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, Invalid, TooManyRequests, type FieldProblem } from '../errors.js';
import { reportError } from '../observability/sentry.js';
import { tooLongColumnOf } from '../db/client.js';

interface ErrorBody {
  status: number;
  error: string;
  message: string;
  problems?: FieldProblem[];
  reference?: string;
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Please check what you entered',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Page not found',
  405: 'Not allowed',
  409: 'Conflict',
  413: 'Too large',
  415: 'Unsupported content',
  429: 'Too many attempts',
};

/** JSON for API callers and fetch(); an HTML page for browsers. */
export function wantsJson(request: FastifyRequest): boolean {
  if (request.url.startsWith('/api/') || request.url.startsWith('/webhooks/')) return true;
  const accept = request.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

/**
 * One mapping from errors to responses. Domain errors and Fastify's own 4xx errors (bad JSON,
 * body too large, wrong content type) keep their status with a plain message; anything else is a
 * 500 whose page shows only a reference id, while the log and Sentry get the details.
 */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError | DomainError | Error, request, reply) => {
    const body = describe(error, request);
    if (body.status >= 500) {
      request.log.error({ err: error, reference: body.reference }, 'unhandled error');
      reportError(error, { requestId: request.id, method: request.method, path: request.routeOptions.url ?? 'unknown' });
    } else {
      request.log.info({ status: body.status, code: body.error }, body.message);
    }
    if (error instanceof TooManyRequests && error.retryAfterSeconds) reply.header('retry-after', String(error.retryAfterSeconds));
    return send(reply, request, body);
  });

  app.setNotFoundHandler(async (request, reply) => {
    return send(reply, request, { status: 404, error: 'not_found', message: 'There is nothing at this address.' });
  });
}

/** `display_name` → `displayName`: the form's name for a column. */
const fieldOfColumn = (column: string) => column.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function describe(error: FastifyError | DomainError | Error, request: FastifyRequest): ErrorBody {
  if (error instanceof Invalid) {
    return { status: 400, error: error.code, message: error.message, problems: error.problems };
  }
  const tooLong = tooLongColumnOf(error);
  if (tooLong !== undefined) {
    const field = tooLong ? fieldOfColumn(tooLong) : 'body';
    return describe(new Invalid(field, 'is too long'), request);
  }
  if (error instanceof DomainError) {
    return { status: error.statusCode, error: error.code, message: error.message };
  }
  const status = (error as FastifyError).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return { status, error: (error as FastifyError).code ?? 'bad_request', message: clientMessage(error as FastifyError) };
  }
  return { status: 500, error: 'internal', message: 'Something went wrong on our side.', reference: request.id };
}

function clientMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is too large.';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'Unsupported content type.';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'body: the JSON body is empty.';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'body: the JSON body is malformed.';
    case 'FST_CSRF_INVALID_TOKEN':
    case 'FST_CSRF_MISSING_SECRET':
      return '_csrf: the form expired or was not sent from this site. Reload the page and try again.';
    default:
      // Fastify's 4xx messages describe the request, never server internals.
      return error.message;
  }
}

async function send(reply: FastifyReply, request: FastifyRequest, body: ErrorBody) {
  reply.code(body.status);
  if (wantsJson(request)) return reply.type('application/json').send(body);
  const template = body.status === 404 ? 'errors/404.njk' : body.status >= 500 ? 'errors/500.njk' : 'errors/4xx.njk';
  return reply.view(template, { title: STATUS_TITLES[body.status] ?? 'Error', ...body });
}
