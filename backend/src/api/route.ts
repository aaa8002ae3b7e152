// Routes as data: each declares its zod schemas once; the same declaration validates requests, shapes
// the OpenAPI document and keeps routers thin (validate → call a service → present).
import type { Request, Response, Router } from 'express';
import { z } from 'zod';
import { can, type Permission, type Principal } from '../auth/access.ts';
import type { AuditInput } from '../auth/auth.store.ts';
import { failureOf } from '../auth/audited.ts';
import { AppError } from '../errors.ts';
import type { FairQueue } from './fair-queue.ts';

/** What a route records in the audit trail: its action, and what the request and answer say about it. */
export interface RouteAudit {
  action: string;
  /** what to record; null records nothing (e.g. an upload accepted as a job records when the job ends) */
  describe?: (input: { params: any; query: any; body: any; principal: Principal }, out: any) => Partial<Omit<AuditInput, 'actor' | 'ip'>> | null;
}

/** Records an entry for the caller of this request (work that ends after the answer, e.g. a job). */
export type AuditFn = (entry: Omit<AuditInput, 'actor' | 'ip'>) => void;

/** How routes reach the signed-in user and the audit trail (app.ts gives the AuthService). */
export interface RouteContext {
  principal(req: Request, res: Response): Principal | null;
  audit(entry: AuditInput): void;
  /** where `queued` routes take turns */
  queue?: FairQueue;
}

/** The user of a request, set by the session middleware (null when signed out). */
export function principalOf(res: Response): Principal | null {
  return (res.locals.principal as Principal | undefined) ?? null;
}

export interface RouteDef<Q extends z.ZodType = z.ZodType, P extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType> {
  method: 'get' | 'post' | 'put' | 'delete';
  path: string;
  /** who may call it: 'public' (signed out too) or the permission a signed-in user's role must carry */
  access: 'public' | Permission;
  /** state-changing and export routes say what they record in the audit trail */
  audit?: RouteAudit;
  /** a bounded, store-bound read: waits its turn in the fair queue (RouteContext.queue) */
  queued?: boolean;
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
  /** `principal` is the signed-in user; on a public route a signed-out caller is ANONYMOUS */
  handler: (input: { params: z.infer<P>; query: z.infer<Q>; body: z.infer<B>; principal: Principal; audit: AuditFn; req: Request; res: Response }) => Promise<unknown>;
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

/** The client's address (through a trusted proxy when configured), or undefined once the socket is gone. */
export function clientIp(req: Request): string | undefined {
  try {
    return req.ip;
  } catch {
    return undefined;
  }
}

/** The caller of a public route who has not signed in: sees no case. */
export const ANONYMOUS: Principal = Object.freeze({ user: 'anonymous', role: 'viewer', cases: new Set<string>() }) as Principal;

/**
 * Mounts the routes. Every request is checked in the same order: signed in (401), the role carries the
 * route's permission (403, audited), then the input is validated; case grants are checked by the
 * services with `principal.cases`. Routes with `audit` record their outcome, success or failure.
 */
export function mount(router: Router, defs: RouteDef[], ctx: RouteContext): void {
  for (const def of defs) {
    router[def.method](def.path, async (req: Request, res: Response) => {
      // a client that gave up (closed its connection while this request waited its turn) gets no work
      // done for it: under overload, answering abandoned requests is what turns a queue into a collapse
      if (req.socket.destroyed) return;
      // read now: once an upload is refused the socket may be gone, and with it the address
      const ip = clientIp(req);
      const signedIn = ctx.principal(req, res);
      if (def.access !== 'public') {
        if (!signedIn) throw new AppError('unauthorized', 'sign in first');
        if (!can(signedIn, def.access)) {
          ctx.audit({ actor: signedIn.user, action: 'access.denied', outcome: 'refused', target: `${def.method.toUpperCase()} ${def.path}`, ip, details: { role: signedIn.role, needs: def.access } });
          throw new AppError('forbidden', `a ${signedIn.role} may not do this (it needs the ${def.access} permission)`);
        }
      }
      const principal = signedIn ?? ANONYMOUS;
      const params = validate(def.params, req.params, 'params');
      const query = validate(def.query, req.query, 'query');
      if (def.body && !req.is('application/json')) throw new AppError('unsupported_format', 'send the request body as application/json');
      const body = validate(def.body, req.body, 'body');
      const audit: AuditFn = (e) => ctx.audit({ ...e, actor: principal.user, ip });
      const input = { params, query, body, principal, audit, req, res };
      let out: unknown;
      try {
        if (def.queued && ctx.queue) {
          out = await ctx.queue.run(async () => {
            // the client may have given up while waiting: its turn does no work
            if (req.socket.destroyed) return undefined;
            return def.handler(input);
          });
          if (req.socket.destroyed) return;
        } else {
          out = await def.handler(input);
        }
      } catch (err) {
        if (def.audit) {
          const failure = failureOf(err);
          let described: Partial<AuditInput> = {};
          try {
            described = def.audit.describe?.(input, undefined) ?? {};
          } catch {
            // describing a failed request must not hide its error
          }
          ctx.audit({
            action: def.audit.action, ...described, actor: principal.user, ip,
            outcome: failure.outcome, details: { ...described.details, ...failure.details },
          });
        }
        throw err;
      }
      const described = def.audit?.describe ? def.audit.describe(input, out) : {};
      if (def.audit && described) ctx.audit({ action: def.audit.action, ...described, actor: principal.user, ip });
      if (!res.headersSent) sendJson(res, def.status ?? 200, out);
    });
  }
}

/** Items of an array serialised per JSON.stringify call by sendJson (a few tens of kB of JSON each). */
const JSON_SLICE = 256;
/** How deep sendJson looks for arrays to slice: the answer, its members, theirs (e.g. a path's `view.links`). */
const JSON_SLICE_DEPTH = 3;

/**
 * Answers with `value` as JSON, the same bytes as res.json, but serialised in slices. A 2-hop view is ~1 MB:
 * as one string it lands in freshly mapped memory, and so does its Buffer, and on the VMs we measured
 * that first touch (page faults) cost more than the serialising itself; slices of a few tens of kB reuse
 * the young generation's memory. Arrays in the value (and in its plain-object members, JSON_SLICE_DEPTH
 * levels down) are cut into JSON_SLICE items; everything else is JSON.stringify's own output.
 */
export function sendJson(res: Response, status: number, value: unknown): void {
  if (value === undefined) {
    res.status(status).json(value);
    return;
  }
  const parts: string[] = [];
  jsonParts(value, JSON_SLICE_DEPTH, parts);
  let length = 0;
  for (const p of parts) length += Buffer.byteLength(p);
  res.status(status).set('Content-Type', 'application/json; charset=utf-8').set('Content-Length', String(length));
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  res.cork();
  for (const p of parts) res.write(p);
  res.end();
}

function jsonParts(value: unknown, depth: number, out: string[]): void {
  if (depth > 0 && Array.isArray(value) && value.length > JSON_SLICE) {
    out.push('[');
    for (let i = 0; i < value.length; i += JSON_SLICE) {
      const slice = JSON.stringify(value.slice(i, i + JSON_SLICE));
      out.push(`${i === 0 ? '' : ','}${slice.slice(1, -1)}`);
    }
    out.push(']');
    return;
  }
  const proto = value !== null && typeof value === 'object' ? Object.getPrototypeOf(value) : undefined;
  if (depth > 0 && (proto === Object.prototype || proto === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function') {
    out.push('{');
    let first = true;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      // the members JSON.stringify leaves out
      if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
      out.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
      jsonParts(v, depth - 1, out);
      first = false;
    }
    out.push('}');
    return;
  }
  out.push(JSON.stringify(value) ?? 'null');
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
      ...(def.access === 'public' ? { security: [] } : { 'x-permission': def.access }),
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
  return {
    openapi: '3.1.0', info, paths,
    components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'casegraph_session' } } },
    security: [{ session: [] }],
  };
}

export const ErrorBody = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });
