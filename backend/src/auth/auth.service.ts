// Sign-in, sessions, users and the audit trail as one service over the AuthStore. Session tokens are 256
// random bits; only their SHA-256 is stored, so a copy of the database does not hand out sessions.
import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import { ROLES, type Principal, type Role } from './access.ts';
import { AuthStore, type AuditEntry, type AuditInput, type UserRow } from './auth.store.ts';
import { hashPassword, passwordProblem, randomPassword, verifyPassword } from './passwords.ts';
import { FailureLimiter } from './rate-limit.ts';

export const USER_NAME = /^[\p{L}\p{N}][\p{L}\p{N}._@-]{0,63}$/u;
export const CASE_NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,119}$/u;

export interface SessionPolicy {
  /** a session unused this long ends */
  idleMs: number;
  /** a session ends this long after sign-in, used or not */
  absoluteMs: number;
}

export const DEFAULT_SESSIONS: SessionPolicy = { idleMs: 12 * 3600_000, absoluteMs: 7 * 24 * 3600_000 };

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export interface AuthOptions {
  sessions?: Partial<SessionPolicy>;
  /** failed sign-ins allowed per user name and per client address in `windowMs` */
  maxFailures?: number;
  failureWindowMs?: number;
  now?: () => number;
}

export class AuthService {
  readonly sessions: SessionPolicy;
  private readonly byName: FailureLimiter;
  private readonly byAddress: FailureLimiter;
  private readonly now: () => number;

  constructor(readonly store: AuthStore, opts: AuthOptions = {}) {
    this.sessions = { ...DEFAULT_SESSIONS, ...opts.sessions };
    this.now = opts.now ?? Date.now;
    const max = opts.maxFailures ?? 5;
    const windowMs = opts.failureWindowMs ?? 15 * 60_000;
    this.byName = new FailureLimiter(max, windowMs, 10_000, this.now);
    // an address may fail for several users (a shared office) before it is slowed down
    this.byAddress = new FailureLimiter(max * 4, windowMs, 10_000, this.now);
  }

  /**
   * On a store with no users: creates `admin` with `password` (or a random one) and returns the password
   * it set, so the caller can print it once. Returns null when users exist.
   */
  async bootstrap(password?: string): Promise<{ user: string; password: string; generated: boolean } | null> {
    if (this.store.userCount() > 0) return null;
    const generated = !password;
    const pw = password || randomPassword();
    if (!generated) {
      const problem = passwordProblem(pw);
      if (problem) throw new AppError('bad_request', `CASEGRAPH_ADMIN_PASSWORD: ${problem}`);
    }
    this.store.createUser({ name: 'admin', role: 'admin', passwordHash: await hashPassword(pw), cases: [] });
    this.audit({ actor: 'system', action: 'user.create', target: 'admin', details: { role: 'admin', firstStart: true, passwordFrom: generated ? 'generated' : 'CASEGRAPH_ADMIN_PASSWORD' } });
    return { user: 'admin', password: pw, generated };
  }

  /** Checks a password; on success opens a session and returns its token. Every attempt is audited. */
  async login(name: string, password: string, ip: string): Promise<{ token: string; principal: Principal }> {
    const wait = Math.max(this.byName.retryAfter(name), this.byAddress.retryAfter(ip));
    if (wait > 0) {
      this.audit({ actor: name, action: 'auth.login', outcome: 'refused', ip, details: { reason: 'rate_limited' } });
      throw new AppError('too_many_requests', `too many failed sign-ins: try again in ${Math.ceil(wait / 60_000)} min`, { retryAfterSeconds: Math.ceil(wait / 1000) });
    }
    const row = this.store.passwordHash(name);
    const ok = await verifyPassword(password, row?.hash ?? null);
    if (!ok || !row || row.disabled) {
      this.byName.fail(name);
      this.byAddress.fail(ip);
      this.audit({ actor: name, action: 'auth.login', outcome: 'refused', ip, details: { reason: !row ? 'unknown_user' : row.disabled && ok ? 'disabled' : 'bad_password' } });
      throw new AppError('unauthorized', 'wrong user name or password');
    }
    this.byName.reset(name);
    const token = randomBytes(32).toString('base64url');
    this.store.createSession(tokenHash(token), name, this.now());
    this.audit({ actor: name, action: 'auth.login', ip });
    return { token, principal: this.principal(name)! };
  }

  logout(token: string, ip?: string): void {
    const s = this.store.session(tokenHash(token));
    this.store.deleteSession(tokenHash(token));
    if (s) this.audit({ actor: s.user, action: 'auth.logout', ip });
  }

  /** The signed-in user of a session token, or null when the token is unknown, expired or the user disabled. */
  authenticate(token: string): Principal | null {
    const h = tokenHash(token);
    const s = this.store.session(h);
    if (!s) return null;
    const now = this.now();
    if (now - s.seenAt > this.sessions.idleMs || now - s.createdAt > this.sessions.absoluteMs) {
      this.store.deleteSession(h);
      return null;
    }
    const p = this.principal(s.user);
    if (!p) return null;
    // one write a minute at most, not one per request
    if (now - s.seenAt > 60_000) this.store.touchSession(h, now);
    return p;
  }

  principal(name: string): Principal | null {
    const u = this.store.getUser(name);
    if (!u || u.disabled) return null;
    return { user: u.name, role: u.role, cases: u.role === 'admin' ? 'all' : new Set(u.cases) };
  }

  // ---- users -------------------------------------------------------------------------------------------

  listUsers(): UserRow[] {
    return this.store.listUsers();
  }

  async addUser(by: string, u: { name: string; role: Role; password: string; cases?: string[] }): Promise<UserRow> {
    if (!USER_NAME.test(u.name)) throw new AppError('bad_request', 'a user name is 1–64 letters, digits and . _ @ -, starting with a letter or digit');
    if (!ROLES.includes(u.role)) throw new AppError('bad_request', `role must be one of ${ROLES.join(', ')}`);
    const problem = passwordProblem(u.password);
    if (problem) throw new AppError('bad_request', problem);
    const cases = this.checkCases(u.cases ?? []);
    if (this.store.getUser(u.name)) throw new AppError('conflict', `user ${u.name} already exists`);
    this.store.createUser({ name: u.name, role: u.role, passwordHash: await hashPassword(u.password), cases });
    this.audit({ actor: by, action: 'user.create', target: u.name, details: { role: u.role, cases } });
    return this.store.getUser(u.name)!;
  }

  async updateUser(by: string, name: string, change: { role?: Role; password?: string; disabled?: boolean; cases?: string[] }): Promise<UserRow> {
    const before = this.store.getUser(name);
    if (!before) throw new AppError('not_found', `no user ${name}`);
    if (change.password !== undefined) {
      const problem = passwordProblem(change.password);
      if (problem) throw new AppError('bad_request', problem);
    }
    const cases = change.cases !== undefined ? this.checkCases(change.cases) : undefined;
    const demotes = (change.role !== undefined && change.role !== 'admin') || change.disabled === true;
    if (before.role === 'admin' && !before.disabled && demotes && this.store.listUsers().filter((u) => u.role === 'admin' && !u.disabled).length === 1) {
      throw new AppError('conflict', `${name} is the last active admin: make another admin first`);
    }
    this.store.updateUser(name, {
      role: change.role, disabled: change.disabled, cases,
      passwordHash: change.password !== undefined ? await hashPassword(change.password) : undefined,
    });
    const details: Record<string, unknown> = {};
    if (change.role !== undefined) details.role = change.role;
    if (change.disabled !== undefined) details.disabled = change.disabled;
    if (cases !== undefined) details.cases = cases;
    if (change.password !== undefined) details.password = 'changed';
    this.audit({ actor: by, action: change.disabled === true ? 'user.disable' : change.password !== undefined && Object.keys(details).length === 1 ? 'user.passwd' : 'user.update', target: name, details });
    return this.store.getUser(name)!;
  }

  /** A signed-in user changes their own password, proving the current one. */
  async changeOwnPassword(name: string, current: string, next: string, ip?: string): Promise<void> {
    const row = this.store.passwordHash(name);
    if (!row || !(await verifyPassword(current, row.hash))) {
      this.audit({ actor: name, action: 'user.passwd', outcome: 'refused', target: name, ip, details: { reason: 'bad_password' } });
      throw new AppError('forbidden', 'the current password is wrong');
    }
    const problem = passwordProblem(next);
    if (problem) throw new AppError('bad_request', problem);
    this.store.updateUser(name, { passwordHash: await hashPassword(next) });
    this.audit({ actor: name, action: 'user.passwd', target: name, ip });
  }

  private checkCases(cases: string[]): string[] {
    for (const c of cases) if (!CASE_NAME.test(c)) throw new AppError('bad_request', `"${c.slice(0, 40)}" is not a case name`);
    return [...new Set(cases)].sort();
  }

  // ---- audit -------------------------------------------------------------------------------------------

  audit(e: AuditInput): AuditEntry {
    return this.store.appendAudit(e);
  }

  close(): void {
    this.store.close();
  }
}
