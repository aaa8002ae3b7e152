// Sign-in and sessions over HTTP, user administration and the audit trail (admins only).
// The session travels in one cookie: HttpOnly (no script reads it), SameSite=Strict (no other site's page
// sends it) and Secure whenever the request came over TLS (directly or through a trusted proxy).
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { ROLES, type Principal } from '../auth/access.ts';
import type { AuthService } from '../auth/auth.service.ts';
import { MAX_PASSWORD } from '../auth/passwords.ts';
import { defineRoute } from './route.ts';

export const SESSION_COOKIE = 'casegraph_session';

/** The value of one cookie in a Cookie header (no dependency: one name, no decoding beyond the spec's). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The session cookie's attributes: no script reads it, no other site sends it, TLS only when on TLS. */
function cookieOptions(req: Request) {
  return { httpOnly: true, sameSite: 'strict' as const, secure: req.secure, path: '/' };
}

function setSession(res: Response, req: Request, token: string, maxAge: number): void {
  res.cookie(SESSION_COOKIE, token, { ...cookieOptions(req), maxAge });
}

/** Puts the signed-in user (or null) on res.locals.principal; never refuses by itself (routes do). */
export function sessionMiddleware(auth: AuthService) {
  return (req: Request, res: Response, next: NextFunction) => {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    res.locals.principal = token && /^[A-Za-z0-9_-]{43}$/.test(token) ? auth.authenticate(token) : null;
    next();
  };
}

export const UserView = z.object({
  name: z.string(),
  role: z.enum(ROLES),
  disabled: z.boolean(),
  cases: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const Me = z.object({ user: z.string(), role: z.enum(ROLES), cases: z.union([z.literal('all'), z.array(z.string())]) });

export function meOf(p: Principal): z.infer<typeof Me> {
  return { user: p.user, role: p.role, cases: p.cases === 'all' ? 'all' : [...p.cases].sort() };
}

const Password = z.string().min(1).max(MAX_PASSWORD);
const UserName = z.string().min(1).max(64);
const CaseNames = z.array(z.string().min(1).max(120)).max(500);

export const AuditEntryView = z.object({
  seq: z.number(), at: z.string(), actor: z.string(), action: z.string(), outcome: z.enum(['ok', 'refused', 'failed']),
  case: z.string().optional(), target: z.string().optional(), details: z.record(z.string(), z.unknown()).optional(), ip: z.string().optional(),
  prev: z.string(), hash: z.string(),
});

const AuditFilter = z.object({
  actor: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  case: z.string().max(120).optional(),
  outcome: z.enum(['ok', 'refused', 'failed']).optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});

export function authRoutes(auth: AuthService) {
  return [
    defineRoute({
      method: 'post', path: '/auth/login', tag: 'auth', access: 'public', summary: 'Sign in: sets the session cookie. Failed attempts are limited per user name and address (429)',
      body: z.object({ user: UserName, password: Password }), response: Me,
      handler: async ({ body, req, res }) => {
        const { token, principal } = await auth.login(body.user, body.password, req.ip ?? '');
        setSession(res, req, token, auth.sessions.absoluteMs);
        return meOf(principal);
      },
    }),
    defineRoute({
      method: 'post', path: '/auth/logout', tag: 'auth', access: 'public', summary: 'Sign out: ends the session and clears the cookie',
      response: z.object({ ok: z.literal(true) }),
      handler: async ({ req, res }) => {
        const token = readCookie(req.headers.cookie, SESSION_COOKIE);
        if (token) auth.logout(token, req.ip);
        res.clearCookie(SESSION_COOKIE, cookieOptions(req));
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'get', path: '/auth/me', tag: 'auth', access: 'read', summary: 'The signed-in user, role and cases (401 when signed out)',
      response: Me,
      handler: async ({ principal }) => meOf(principal),
    }),
    defineRoute({
      method: 'post', path: '/auth/password', tag: 'auth', access: 'read', summary: 'Change your own password (the current one is required)',
      body: z.object({ current: Password, next: Password }), response: z.object({ ok: z.literal(true) }),
      handler: async ({ body, principal, req, res }) => {
        await auth.changeOwnPassword(principal.user, body.current, body.next, req.ip);
        // every session of the user ended with the change: sign this one in again
        const { token } = await auth.login(principal.user, body.next, req.ip ?? '');
        setSession(res, req, token, auth.sessions.absoluteMs);
        return { ok: true as const };
      },
    }),
    defineRoute({
      method: 'get', path: '/users', tag: 'admin', access: 'admin', summary: 'Users with their role, state and granted cases',
      response: z.object({ users: z.array(UserView) }),
      handler: async () => ({ users: auth.listUsers() }),
    }),
    defineRoute({
      method: 'post', path: '/users', tag: 'admin', access: 'admin', summary: 'Add a user (recorded in the audit trail)', status: 201,
      body: z.object({ name: UserName, role: z.enum(ROLES), password: Password, cases: CaseNames.optional() }), response: UserView,
      handler: ({ body, principal }) => auth.addUser(principal.user, body),
    }),
    defineRoute({
      method: 'put', path: '/users/:name', tag: 'admin', access: 'admin', summary: 'Change a user: role, granted cases, password, disabled (recorded)',
      params: z.object({ name: UserName }),
      body: z.object({ role: z.enum(ROLES).optional(), password: Password.optional(), disabled: z.boolean().optional(), cases: CaseNames.optional() }),
      response: UserView,
      handler: ({ params, body, principal }) => auth.updateUser(principal.user, params.name, body),
    }),
    defineRoute({
      method: 'get', path: '/audit', tag: 'admin', access: 'admin', summary: 'The audit trail, newest first, with filters and paging (before=seq)',
      query: AuditFilter.extend({ before: z.coerce.number().int().min(1).optional(), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
      response: z.object({ entries: z.array(AuditEntryView) }),
      handler: async ({ query }) => ({ entries: auth.store.queryAudit(query) }),
    }),
    defineRoute({
      method: 'get', path: '/audit/verify', tag: 'admin', access: 'admin', summary: 'Recompute the hash chain of the audit trail',
      response: z.object({ entries: z.number(), ok: z.boolean(), brokenAt: z.number().optional() }),
      handler: async () => {
        const v = auth.store.verifyAudit();
        return { ...v, ok: v.brokenAt === undefined };
      },
    }),
    defineRoute({
      method: 'get', path: '/audit/export', tag: 'admin', access: 'admin', summary: 'The audit trail as JSON lines, oldest first (the export is itself recorded)',
      query: AuditFilter, response: z.string(),
      audit: { action: 'audit.export', describe: ({ query }) => ({ details: { filter: query } }) },
      handler: async ({ query, res }) => {
        res.status(200);
        res.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
        res.setHeader('Content-Disposition', 'attachment; filename="casegraph-audit.jsonl"');
        let buf = '';
        for (const e of auth.store.iterateAudit(query)) {
          buf += `${JSON.stringify(e)}\n`;
          if (buf.length > 64 * 1024) {
            if (!res.write(buf)) await new Promise((r) => res.once('drain', r));
            buf = '';
          }
        }
        res.end(buf);
        return undefined;
      },
    }),
  ];
}
