// Maps every failure to one error shape { code, message, details } with the right status. Unknown
// errors are logged with a correlation id and answered with a bare 500: no stacks or paths leak.
import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors.ts';
import type { Logger } from '../logger.ts';

export function notFoundHandler(): RequestHandler {
  return (req, _res, next) => next(new AppError('not_found', `no route ${req.method} ${req.path}`));
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    let e: AppError;
    if (err instanceof AppError) e = err;
    else if (err?.type === 'entity.too.large') e = new AppError('payload_too_large', 'request body too large');
    else if (err?.type === 'entity.parse.failed') e = new AppError('bad_request', 'request body is not valid JSON');
    else if (err instanceof URIError || (typeof err?.status === 'number' && err.status >= 400 && err.status < 500)) {
      // malformed URLs and other client errors raised inside express itself
      e = new AppError('bad_request', err instanceof URIError ? 'malformed URL encoding' : err.expose ? String(err.message) : 'bad request');
    }
    else {
      const id = randomUUID();
      log.error('unhandled error', { correlationId: id, error: err instanceof Error ? err.stack ?? err.message : String(err) });
      e = new AppError('internal', `internal error (correlation id ${id})`);
    }
    if (e.status >= 500 && e.code !== 'internal') log.warn(e.message, { code: e.code });
    if (res.headersSent) return;
    res.status(e.status).json({ code: e.code, message: e.message, ...(e.details !== undefined ? { details: e.details } : {}) });
  };
}
