// Routes as data: each declares its zod schemas once; the same declaration validates requests, shapes
// the OpenAPI document and keeps routers thin (validate → call a service → present).
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { AppError } from '../errors.ts';

export interface RouteDef<Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  /** request body is raw bytes (file upload) */
  binaryBody?: boolean;
  /** JSON request body */
  body?: B;
  response: z.ZodType;
  status?: number;
  handler: (input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B>; req: Request; res: Response }) => Promise<unknown>;
}

export function defineRoute<Q extends z.ZodType, P extends z.ZodType, B extends z.ZodType>(def: RouteDef<Q, P, B>): RouteDef {
  return def as unknown as RouteDef;
}

function validate<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.infer<T> {
  if (!schema) return {} as z.infer<T>;
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = issue.path.map(String).join('.');
    throw new AppError('bad_request', `${where}${path ? `.${path}` : ''}: ${issue.message}`, {
      issues: r.error.issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message })),
    });
  }
  return r.data;
}

export function mount(router: Router, defs: RouteDef[]): void {
  for (const def of defs) {
    router[def.method](def.path, async (req: Request, res: Response) => {
      // a client that gave up (closed its connection while this request waited its turn) gets no work
      // done for it: under overload, answering abandoned requests is what turns a queue into a collapse
      if (req.socket.destroyed) return;
      const params = validate(def.params, req.params, 'params');
      const query = validate(def.query, req.query, 'query');
      if (def.body && !req.is('application/json')) throw new AppError('unsupported_format', 'send the request body as application/json');
      const body = validate(def.body, req.body, 'body');
      const out = await def.handler({ params, query, body, req, res });
      if (!res.headersSent) res.status(def.status ?? 200).json(out);
    });
  }
}

/** A comma-separated list in a query string, each item checked against an enum. */
export function csvEnum<T extends readonly [string, ...string[]]>(values: T) {
  return z
    .string()
    .max(2000)
    .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean))
    .pipe(z.array(z.enum(values)).max(values.length));
}

export function openApiDocument(defs: RouteDef[], info: { title: string; version: string }): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  const io = { io: 'input' as const, unrepresentable: 'any' as const };
  for (const def of defs) {
    const path = def.path.replace(/:([A-Za-z]+)/g, '{$1}');
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', def.params], ['query', def.query]] as const) {
      if (!schema) continue;
      const js = z.toJSONSchema(schema, io) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, s] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: s });
      }
    }
    const op: Record<string, unknown> = {
      summary: def.summary,
      tags: [def.tag],
      parameters,
      responses: {
        [String(def.status ?? 200)]: { description: 'OK', content: { 'application/json': { schema: z.toJSONSchema(def.response, { unrepresentable: 'any' }) } } },
        default: { description: 'Error', content: { 'application/json': { schema: z.toJSONSchema(ErrorBody) } } },
      },
    };
    if (def.body) op.requestBody = { required: true, content: { 'application/json': { schema: z.toJSONSchema(def.body, io) } } };
    if (def.binaryBody) op.requestBody = { required: true, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
    (paths[path] ??= {})[def.method] = op;
  }
  return { openapi: '3.1.0', info, paths };
}

export const ErrorBody = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });
