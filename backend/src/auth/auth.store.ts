// Users, case grants, sessions and the audit trail, in their own SQLite file beside the graph store (the
// same file whichever graph store is used: Neo4j holds the case, this holds who may read it and who did
// what). The audit table refuses UPDATE and DELETE (triggers) and each entry carries the SHA-256 of the
// previous one, so an edit made behind the application's back shows up as a broken chain.
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Role } from './access.ts';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  name TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  password TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS grants (
  user TEXT NOT NULL REFERENCES users(name),
  case_name TEXT NOT NULL,
  PRIMARY KEY (user, case_name)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  user TEXT NOT NULL REFERENCES users(name),
  created_at INTEGER NOT NULL,
  seen_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user);
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  outcome TEXT NOT NULL,
  case_name TEXT,
  target TEXT,
  details TEXT,
  ip TEXT,
  prev TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor, seq);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action, seq);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
`;

export interface UserRow {
  name: string;
  role: Role;
  disabled: boolean;
  cases: string[];
  createdAt: string;
  updatedAt: string;
}

export type AuditOutcome = 'ok' | 'refused' | 'failed';

export interface AuditInput {
  actor: string;
  action: string;
  outcome?: AuditOutcome;
  case?: string;
  target?: string;
  details?: Record<string, unknown>;
  ip?: string;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  outcome: AuditOutcome;
  case?: string;
  target?: string;
  details?: Record<string, unknown>;
  ip?: string;
  prev: string;
  hash: string;
}

export interface AuditQuery {
  actor?: string;
  action?: string;
  case?: string;
  outcome?: AuditOutcome;
  from?: string;
  to?: string;
  /** entries with a smaller seq (paging newest first) */
  before?: number;
  limit?: number;
}

interface AuditRow {
  seq: number; at: string; actor: string; action: string; outcome: AuditOutcome; case_name: string | null; target: string | null;
  details: string | null; ip: string | null; prev: string; hash: string;
}

const GENESIS = '0'.repeat(64);

/** The hash of an entry: SHA-256 over the previous hash and the entry's fields in a fixed order. */
export function auditHash(prev: string, e: Omit<AuditEntry, 'hash' | 'prev'>): string {
  const fields = [e.seq, e.at, e.actor, e.action, e.outcome, e.case ?? null, e.target ?? null, e.details ?? null, e.ip ?? null];
  return createHash('sha256').update(prev).update('\n').update(JSON.stringify(fields)).digest('hex');
}

function entry(r: AuditRow): AuditEntry {
  return {
    seq: r.seq, at: r.at, actor: r.actor, action: r.action, outcome: r.outcome,
    ...(r.case_name !== null ? { case: r.case_name } : {}),
    ...(r.target !== null ? { target: r.target } : {}),
    ...(r.details !== null ? { details: JSON.parse(r.details) as Record<string, unknown> } : {}),
    ...(r.ip !== null ? { ip: r.ip } : {}),
    prev: r.prev, hash: r.hash,
  };
}

export class AuthStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.exec(SCHEMA);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- users -------------------------------------------------------------------------------------------

  userCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  passwordHash(name: string): { hash: string; disabled: boolean } | null {
    const r = this.db.prepare('SELECT password, disabled FROM users WHERE name = ?').get(name) as { password: string; disabled: number } | undefined;
    return r ? { hash: r.password, disabled: r.disabled === 1 } : null;
  }

  getUser(name: string): UserRow | null {
    const r = this.db.prepare('SELECT name, role, disabled, created_at, updated_at FROM users WHERE name = ?').get(name) as
      | { name: string; role: Role; disabled: number; created_at: string; updated_at: string }
      | undefined;
    if (!r) return null;
    const cases = (this.db.prepare('SELECT case_name FROM grants WHERE user = ? ORDER BY case_name').all(name) as { case_name: string }[]).map((g) => g.case_name);
    return { name: r.name, role: r.role, disabled: r.disabled === 1, cases, createdAt: r.created_at, updatedAt: r.updated_at };
  }

  listUsers(): UserRow[] {
    const names = this.db.prepare('SELECT name FROM users ORDER BY name').all() as { name: string }[];
    return names.map((n) => this.getUser(n.name)!);
  }

  createUser(u: { name: string; role: Role; passwordHash: string; cases: string[] }): void {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      this.db.prepare('INSERT INTO users (name, role, password, disabled, created_at, updated_at) VALUES (?, ?, ?, 0, ?, ?)').run(u.name, u.role, u.passwordHash, now, now);
      for (const c of new Set(u.cases)) this.db.prepare('INSERT INTO grants (user, case_name) VALUES (?, ?)').run(u.name, c);
    })();
  }

  /** Changes what is given; a new password or disabling ends the user's sessions. */
  updateUser(name: string, change: { role?: Role; passwordHash?: string; disabled?: boolean; cases?: string[] }): void {
    const now = new Date().toISOString();
    this.db.transaction(() => {
      if (change.role !== undefined) this.db.prepare('UPDATE users SET role = ?, updated_at = ? WHERE name = ?').run(change.role, now, name);
      if (change.passwordHash !== undefined) this.db.prepare('UPDATE users SET password = ?, updated_at = ? WHERE name = ?').run(change.passwordHash, now, name);
      if (change.disabled !== undefined) this.db.prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE name = ?').run(change.disabled ? 1 : 0, now, name);
      if (change.cases !== undefined) {
        this.db.prepare('DELETE FROM grants WHERE user = ?').run(name);
        for (const c of new Set(change.cases)) this.db.prepare('INSERT INTO grants (user, case_name) VALUES (?, ?)').run(name, c);
      }
      if (change.passwordHash !== undefined || change.disabled) this.db.prepare('DELETE FROM sessions WHERE user = ?').run(name);
    })();
  }

  // ---- sessions ----------------------------------------------------------------------------------------

  createSession(tokenHash: string, user: string, now: number): void {
    this.db.prepare('INSERT INTO sessions (token_hash, user, created_at, seen_at) VALUES (?, ?, ?, ?)').run(tokenHash, user, now, now);
  }

  session(tokenHash: string): { user: string; createdAt: number; seenAt: number } | null {
    const r = this.db.prepare('SELECT user, created_at, seen_at FROM sessions WHERE token_hash = ?').get(tokenHash) as
      | { user: string; created_at: number; seen_at: number }
      | undefined;
    return r ? { user: r.user, createdAt: r.created_at, seenAt: r.seen_at } : null;
  }

  touchSession(tokenHash: string, now: number): void {
    this.db.prepare('UPDATE sessions SET seen_at = ? WHERE token_hash = ?').run(now, tokenHash);
  }

  deleteSession(tokenHash: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash);
  }

  deleteExpiredSessions(idleBefore: number, createdBefore: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE seen_at < ? OR created_at < ?').run(idleBefore, createdBefore).changes;
  }

  // ---- audit -------------------------------------------------------------------------------------------

  /** Appends one entry to the chain (in a write transaction, so concurrent appends cannot fork it). */
  appendAudit(input: AuditInput): AuditEntry {
    return this.db.transaction(() => {
      const last = this.db.prepare('SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
      const prev = last?.hash ?? GENESIS;
      const seq = (last?.seq ?? 0) + 1;
      const e = {
        seq, at: new Date().toISOString(), actor: input.actor, action: input.action, outcome: input.outcome ?? 'ok',
        ...(input.case !== undefined ? { case: input.case } : {}),
        ...(input.target !== undefined ? { target: input.target } : {}),
        ...(input.details !== undefined ? { details: input.details } : {}),
        ...(input.ip !== undefined ? { ip: input.ip } : {}),
      } as Omit<AuditEntry, 'hash' | 'prev'>;
      const hash = auditHash(prev, e);
      this.db
        .prepare('INSERT INTO audit (seq, at, actor, action, outcome, case_name, target, details, ip, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(seq, e.at, e.actor, e.action, e.outcome, e.case ?? null, e.target ?? null, e.details !== undefined ? JSON.stringify(e.details) : null, e.ip ?? null, prev, hash);
      return { ...e, prev, hash };
    }).immediate();
  }

  private auditWhere(q: AuditQuery): { sql: string; args: unknown[] } {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.actor) (where.push('actor = ?'), args.push(q.actor));
    if (q.action) (where.push('(action = ? OR action LIKE ? ESCAPE \'\\\')'), args.push(q.action, `${q.action.replace(/[\\%_]/g, (c) => `\\${c}`)}.%`));
    if (q.case) (where.push('case_name = ?'), args.push(q.case));
    if (q.outcome) (where.push('outcome = ?'), args.push(q.outcome));
    if (q.from) (where.push('at >= ?'), args.push(q.from));
    if (q.to) (where.push('at < ?'), args.push(q.to));
    if (q.before) (where.push('seq < ?'), args.push(q.before));
    return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', args };
  }

  /** Entries newest first. */
  queryAudit(q: AuditQuery): AuditEntry[] {
    const { sql, args } = this.auditWhere(q);
    const rows = this.db.prepare(`SELECT * FROM audit ${sql} ORDER BY seq DESC LIMIT ?`).all(...args, q.limit ?? 100) as AuditRow[];
    return rows.map(entry);
  }

  /** Entries oldest first, one at a time (JSON-lines export). */
  *iterateAudit(q: Omit<AuditQuery, 'limit' | 'before'> = {}): Generator<AuditEntry> {
    const { sql, args } = this.auditWhere(q);
    for (const r of this.db.prepare(`SELECT * FROM audit ${sql} ORDER BY seq`).iterate(...args) as Iterable<AuditRow>) yield entry(r);
  }

  /** Recomputes the chain: the number of entries, and the first entry whose hash or link does not hold. */
  verifyAudit(): { entries: number; brokenAt?: number } {
    let prev = GENESIS;
    let n = 0;
    for (const e of this.iterateAudit()) {
      n++;
      const { hash, prev: linked, ...rest } = e;
      if (linked !== prev || auditHash(prev, rest) !== hash) return { entries: n, brokenAt: e.seq };
      prev = hash;
    }
    return { entries: n };
  }
}
