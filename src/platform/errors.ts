import type { RequestContext } from './access/context.ts';

/**
 * Typed application errors. Services throw these; one handler turns them into a
 * GOV.UK error page or a JSON problem. Messages must never contain personal data.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** Not found, or not allowed to know it exists: the two are indistinguishable on purpose. */
export class NotFoundError extends AppError {
  constructor(message = 'Page not found') {
    super(404, 'not-found', message);
  }
}

export class ValidationError extends AppError {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(400, 'invalid', message, issues);
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have access to this page') {
    super(403, 'forbidden', message);
  }
}

/**
 * A refused look-up of a person's record. It answers exactly like NotFoundError;
 * the error handler audits it outside the request's transaction (which rolls
 * back), so every denied read is recorded.
 */
export class PersonAccessDenied extends NotFoundError {
  constructor(
    readonly personId: string,
    readonly context: RequestContext,
  ) {
    super();
  }
}
