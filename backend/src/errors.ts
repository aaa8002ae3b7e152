// The error family: a stable code (tests and clients match on it), an HTTP status and a human message.
export const ERROR_CODES = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_format: 415,
  import_failed: 422,
  too_many_requests: 429,
  store_unavailable: 503,
  internal: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.status = ERROR_CODES[code];
  }
}

/** An import error always names the file and the position in it (line, XML path, table/row, JSON path). */
export function importError(file: string, position: string, message: string, details?: unknown): AppError {
  return new AppError('import_failed', `${file}${position ? ` ${position}` : ''}: ${message}`, { file, position, ...(details && typeof details === 'object' ? details : {}) });
}
