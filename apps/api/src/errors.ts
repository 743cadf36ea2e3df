/**
 * Domain errors with stable codes. Core modules throw these; the one error handler in
 * app.ts turns them into `{ "id": code, "message": … }` with the status below.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  /** A rebuild (a rollback to a release whose image was collected) failed. */
  build_failed: 422,
  // Last of the 422s: a plain 422 (not a PaasError) is answered as invalid_params.
  invalid_params: 422,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class PaasError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Heroku's `resource` of a 404 (`add_on`), which its CLI's resolvers look at. */
    readonly resource?: string,
  ) {
    super(message);
    this.name = 'PaasError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

/** A build that failed for a reason its output should show (not a crash of ours). */
export class BuildFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildFailed';
  }
}

export const notFound = (message: string) => new PaasError('not_found', message);
export const invalid = (message: string) => new PaasError('invalid_params', message);
export const conflict = (message: string) => new PaasError('conflict', message);
