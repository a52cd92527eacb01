import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, PersonAccessDenied, ValidationError } from '../errors.ts';

function wantsJson(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || request.url === '/health' ||
    (request.headers.accept?.includes('application/json') ?? false) && !request.headers.accept?.includes('text/html');
}

/** A problem document (RFC 9457) for API callers. */
function sendProblem(reply: FastifyReply, status: number, title: string, extra: Record<string, unknown> = {}) {
  return reply
    .status(status)
    .type('application/problem+json')
    .send({ status, title, correlationId: reply.request.id, ...extra });
}

/** Not found and not allowed look the same, so a look-up cannot tell them apart. */
function sendNotFound(request: FastifyRequest, reply: FastifyReply) {
  if (wantsJson(request)) return sendProblem(reply, 404, 'Not found');
  // Offered for any person address, so it says nothing about whether the record exists.
  const person = /^\/people\/(p_[A-Za-z0-9]+)(\/|$)/.exec(request.url.split('?')[0] ?? '');
  return reply.status(404).render('error.njk', {
    title: 'Page not found',
    paragraphs: [
      'If you typed the web address, check it is correct.',
      'If you followed a link to a record, it may not exist or you may not have access to it.',
    ],
    breakGlassHref: person && request.requestContext ? `/people/${person[1]}/break-glass` : undefined,
  });
}

/**
 * One place turns errors into answers: a GOV.UK error page or a JSON problem.
 * Details stay in the log (which is redacted); the person sees a reference.
 */
export function registerErrorHandling(
  app: FastifyInstance,
  hooks: { auditDenied?: (error: PersonAccessDenied) => Promise<void> } = {},
): void {
  app.setNotFoundHandler(sendNotFound);

  app.setErrorHandler(async (error: FastifyError | AppError, request, reply) => {
    if (error instanceof PersonAccessDenied && hooks.auditDenied) {
      try {
        await hooks.auditDenied(error);
      } catch (auditError) {
        request.log.error({ err: auditError }, 'could not audit a denied read');
      }
    }
    if (error instanceof AppError) {
      if (error.status >= 500) request.log.error({ err: error }, 'application error');
      if (wantsJson(request)) {
        return sendProblem(reply, error.status, error.message, {
          code: error.code,
          ...(error instanceof ValidationError ? { issues: error.issues } : {}),
        });
      }
      if (error.status === 404) return sendNotFound(request, reply);
      return reply.status(error.status).render('error.njk', { title: error.message, paragraphs: [] });
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: { type: error.name, message: error.message, stack: error.stack } }, 'unhandled error');
      if (wantsJson(request)) return sendProblem(reply, 500, 'Internal server error');
      return reply.status(500).render('error.njk', {
        title: 'Sorry, there is a problem with the service',
        paragraphs: ['Try again later. Nothing you entered has been saved unless a page said it was.'],
        reference: request.id,
      });
    }
    // Client errors from Fastify itself (bad JSON, body too large, wrong content type).
    const title = clientErrorTitle(error, status);
    if (wantsJson(request)) return sendProblem(reply, status, title, { code: error.code });
    return reply.status(status).render('error.njk', { title, paragraphs: [] });
  });
}

function clientErrorTitle(error: FastifyError, status: number): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'The request body is not valid JSON';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'The request body is too large';
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'The content type of the request is not supported here';
    case 'FST_CSRF_INVALID_TOKEN':
    case 'FST_CSRF_MISSING_SECRET':
      return 'This form has expired or was changed: go back, reload the page and try again';
    default:
      return status === 429 ? 'Too many requests: wait a moment and try again' : 'The request could not be understood';
  }
}

