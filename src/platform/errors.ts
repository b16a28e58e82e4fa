/**
 * Typed domain errors. Services throw these; the one error handler turns them into 4xx pages/JSON.
 * Anything else is a 500 with a reference id.
 */
export abstract class DomainError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: string;
}

export class NotFound extends DomainError {
  readonly statusCode = 404;
  readonly code = 'not_found';
  constructor(message = 'Not found') {
    super(message);
  }
}

export class Unauthorized extends DomainError {
  readonly statusCode = 401;
  readonly code = 'unauthorized';
  constructor(message = 'Please sign in') {
    super(message);
  }
}

export class Forbidden extends DomainError {
  readonly statusCode = 403;
  readonly code = 'forbidden';
  constructor(message = 'You do not have access to this') {
    super(message);
  }
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** Bad input: names the field(s) so the page can point at them. */
export class Invalid extends DomainError {
  readonly statusCode = 400;
  readonly code = 'invalid';
  readonly problems: FieldProblem[];
  constructor(field: string, message: string);
  constructor(problems: FieldProblem[]);
  constructor(fieldOrProblems: string | FieldProblem[], message?: string) {
    const problems = typeof fieldOrProblems === 'string' ? [{ field: fieldOrProblems, message: message ?? 'is invalid' }] : fieldOrProblems;
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.problems = problems;
  }
}

export class Conflict extends DomainError {
  readonly statusCode = 409;
  readonly code = 'conflict';
}

export class TooManyRequests extends DomainError {
  readonly statusCode = 429;
  readonly code = 'too_many_requests';
  constructor(
    message = 'Too many attempts. Please try again later.',
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/**
 * A machine caller's request refused with a stable code it can act on (`bad_signature`, `nonce_reused`,
 * `liveness_failed`, …): the kiosk API, webhooks.
 */
export class Refused extends DomainError {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string = code,
  ) {
    super(message);
  }
}
