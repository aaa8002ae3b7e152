// SQLite evidence files (Android and iOS databases): recognise them, open them read-only, list their
// tables, iterate rows with `table/row` locators, and turn SQLite failures into import errors that name
// the file and position. A generic dispatcher picks the database kind from the tables it holds.
import Database from 'better-sqlite3';
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { AppError, importError } from '../../errors.ts';
import { BatchBuilder, ModelError, type BatchChunk } from '../../model/index.ts';
import type { ImportContext, Importer, ImportInput } from '../types.ts';

/** The 16 bytes every SQLite 3 database file starts with. */
export const SQLITE_MAGIC = Buffer.from('SQLite format 3\u0000', 'latin1');

export type SqliteDb = Database.Database;
export type SqlValue = string | number | bigint | Buffer | null;
export type SqlRow = Record<string, SqlValue>;

export function isSqliteHead(head: Buffer): boolean {
  return head.length >= SQLITE_MAGIC.length && head.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC);
}

export interface SqliteHeader {
  pageSize: number;
  /** pages the header says the file has, when that field is valid (SQLite ≥ 3.7.0 keeps it) */
  pageCount?: number;
  /** 1 rollback journal, 2 WAL */
  writeVersion: number;
}

/** Reads the 100-byte header. Throws an import error when the file is not a SQLite 3 database. */
export function readSqliteHeader(path: string, file: string): SqliteHeader {
  const buf = Buffer.alloc(100);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, buf, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (n < SQLITE_MAGIC.length || !isSqliteHead(buf)) throw importError(file, 'offset 0', 'not a SQLite database (no "SQLite format 3" header)');
  if (n < 100) throw importError(file, 'header', `truncated SQLite file: ${n} bytes, shorter than the 100-byte header`);
  const raw = buf.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || (pageSize & (pageSize - 1)) !== 0) throw importError(file, 'header', `corrupt SQLite header: page size ${raw}`);
  const changeCounter = buf.readUInt32BE(24);
  const validFor = buf.readUInt32BE(92);
  const inHeader = buf.readUInt32BE(28);
  return { pageSize, pageCount: inHeader > 0 && validFor === changeCounter ? inHeader : undefined, writeVersion: buf[18] };
}

/**
 * An evidence database opened read-only. Opening a WAL-mode file makes SQLite create `-shm`/`-wal`
 * beside it even read-only; those are removed again on close when this call created them, so the
 * evidence folder (or the upload spool) is left as it was. A `-wal` that was already there is read.
 */
export class SqliteFile {
  readonly db: SqliteDb;
  private readonly created: string[];

  private constructor(readonly path: string, readonly file: string, db: SqliteDb, created: string[]) {
    this.db = db;
    this.created = created;
  }

  static open(input: Pick<ImportInput, 'path' | 'name'>): SqliteFile {
    const file = input.name;
    const header = readSqliteHeader(input.path, file);
    const hasWal = existsSync(`${input.path}-wal`);
    const size = statSync(input.path).size;
    if (!hasWal && header.pageCount !== undefined && size < header.pageCount * header.pageSize) {
      throw importError(file, 'header', `truncated SQLite file: the header says ${header.pageCount} pages of ${header.pageSize} bytes, the file has ${size} bytes`);
    }
    if (size % header.pageSize !== 0 && !hasWal) {
      throw importError(file, 'header', `truncated SQLite file: ${size} bytes is not a whole number of ${header.pageSize}-byte pages`);
    }
    const sidecars = [`${input.path}-wal`, `${input.path}-shm`, `${input.path}-journal`];
    const before = new Set(sidecars.filter((p) => existsSync(p)));
    let db: SqliteDb;
    try {
      db = new Database(input.path, { readonly: true, fileMustExist: true });
      // a hostile schema must not run functions; nothing here writes
      db.pragma('trusted_schema = OFF');
      db.pragma('query_only = ON');
    } catch (err) {
      removeCreated(sidecars, before);
      throw sqliteImportError(file, 'header', err);
    }
    return new SqliteFile(input.path, file, db, sidecars.filter((p) => !before.has(p)));
  }

  close(): void {
    if (this.db.open) this.db.close();
    for (const p of this.created) if (existsSync(p) && (p.endsWith('-shm') || statSync(p).size === 0)) rmSync(p, { force: true });
  }

  /** Names of the ordinary tables (not views, not sqlite_ internals). */
  tables(): string[] {
    try {
      return (this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name`).pluck().all() as unknown[])
        .filter((n): n is string => typeof n === 'string');
    } catch (err) {
      throw sqliteImportError(this.file, 'sqlite_master', err);
    }
  }

  /** Column names of a table (the name is a constant of the caller's, never input). */
  columns(table: string): Set<string> {
    try {
      return new Set((this.db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]));
    } catch (err) {
      throw sqliteImportError(this.file, `table ${table}`, err);
    }
  }

  /** Throws when a table lacks a column the importer cannot do without. */
  requireColumns(table: string, required: readonly string[]): Set<string> {
    const cols = this.columns(table);
    const missing = required.filter((c) => !cols.has(c));
    if (missing.length > 0) throw importError(this.file, `table ${table}`, `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    return cols;
  }

  /**
   * Rows of a query with the locator of each (`calls/_id=12`). SQLite errors met while stepping
   * (a corrupt page) become import errors at the row after the last one read.
   */
  *rows<T extends SqlRow>(table: string, keyColumn: string, sql: string, ...params: unknown[]): Generator<{ row: T; locator: string; position: string }> {
    let stmt: Database.Statement;
    try {
      stmt = this.db.prepare(sql);
    } catch (err) {
      throw sqliteImportError(this.file, `table ${table}`, err);
    }
    let last: SqlValue | undefined;
    const iter = stmt.iterate(...params) as IterableIterator<T>;
    let finished = false;
    try {
      while (true) {
        let next: IteratorResult<T>;
        try {
          next = iter.next();
        } catch (err) {
          finished = true;
          throw sqliteImportError(this.file, last === undefined ? `table ${table}` : `table ${table} after row ${keyColumn}=${String(last)}`, err);
        }
        if (next.done) {
          finished = true;
          return;
        }
        const key = next.value[keyColumn];
        last = key;
        yield { row: next.value, locator: rowLocator(table, keyColumn, key), position: rowPosition(table, keyColumn, key) };
      }
    } finally {
      // stopped early (an error downstream, or the consumer gave up): release the statement
      if (!finished) iter.return?.();
    }
  }

  /** A whole small query (lookup tables) with SQLite errors turned into import errors. */
  all<T>(table: string, sql: string, ...params: unknown[]): T[] {
    try {
      return this.db.prepare(sql).all(...params) as T[];
    } catch (err) {
      throw sqliteImportError(this.file, `table ${table}`, err);
    }
  }
}

function removeCreated(paths: string[], before: Set<string>): void {
  for (const p of paths) if (!before.has(p) && existsSync(p)) rmSync(p, { force: true });
}

/** `calls/_id=12`: where a record came from, kept on every entity, link and event. */
export function rowLocator(table: string, keyColumn: string, key: SqlValue | undefined): string {
  return `${table}/${keyColumn}=${String(key)}`;
}

/** `table calls row _id=12`: the position in an import error. */
export function rowPosition(table: string, keyColumn: string, key: SqlValue | undefined): string {
  return `table ${table} row ${keyColumn}=${String(key)}`;
}

/** Wraps any error met while reading or mapping a row as an import error at that position. */
export function sqliteImportError(file: string, position: string, err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof ModelError) return importError(file, position, err.message);
  const e = err as { code?: string; message?: string };
  const code = typeof e?.code === 'string' ? e.code : '';
  const what = code === 'SQLITE_CORRUPT' || code.startsWith('SQLITE_CORRUPT') ? 'corrupt or truncated SQLite file'
    : code === 'SQLITE_NOTADB' ? 'not a SQLite database'
    : 'cannot read the SQLite database';
  return importError(file, position, `${what}: ${e?.message ?? String(err)}`, code ? { sqliteCode: code } : undefined);
}

/** A number from a SQLite value: integers, reals, bigints and numeric text; null for anything else. */
export function sqlNumber(v: SqlValue | undefined): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) return Number(v);
  return null;
}

/** Text from a SQLite value; BLOBs are decoded as UTF-8 (iOS keeps some addresses as BLOBs). */
export function sqlText(v: SqlValue | undefined): string | null {
  if (v === null || v === undefined) return null;
  if (Buffer.isBuffer(v)) return v.toString('utf8').replace(/\u0000+$/, '');
  return String(v);
}

/** What a database kind does with an opened file. */
export interface SqliteKind {
  /** source kind recorded on the import, e.g. `android-calllog` */
  kind: string;
  description: string;
  /** true when the file's tables are this kind's (checked in the order kinds are given) */
  matches(tables: ReadonlySet<string>): boolean;
  /** Produces the chunks; yields `b.flush()` as records pile up and once at the end. */
  read(f: SqliteFile, b: BatchBuilder, input: ImportInput, ctx: ImportContext, tables: ReadonlySet<string>): Generator<BatchChunk> | AsyncGenerator<BatchChunk>;
}

/**
 * One importer for the SQLite family: detect() sees only the magic (the 64 KiB head does not reliably
 * list the tables), parse() opens the file read-only and picks the kind by its table names.
 */
export function createSqliteImporter(format: string, kinds: readonly SqliteKind[]): Importer {
  return {
    format,
    description: `SQLite device databases (${kinds.map((k) => k.kind).join(', ')})`,
    detect(head) {
      return isSqliteHead(head);
    },
    async parse(input, ctx) {
      const probe = SqliteFile.open(input);
      let tables: Set<string>;
      try {
        tables = new Set(probe.tables());
      } finally {
        probe.close();
      }
      const kind = kinds.find((k) => k.matches(tables));
      if (!kind) {
        const names = [...tables].slice(0, 30).map((t) => JSON.stringify(t.slice(0, 60))).join(', ');
        throw importError(input.name, 'sqlite_master', `unsupported SQLite database: tables ${names || '(none)'}${tables.size > 30 ? ` and ${tables.size - 30} more` : ''}; expected one of ${kinds.map((k) => `${k.kind} (${k.description})`).join('; ')}`);
      }
      const b = new BatchBuilder({ sha256: input.sha256, kind: kind.kind, name: input.name, case: ctx.case ?? ctx.defaultCase, importedBy: ctx.importedBy });
      return { source: b.source, chunks: readChunks(kind, input, ctx, b) };
    },
  };
}

async function* readChunks(kind: SqliteKind, input: ImportInput, ctx: ImportContext, b: BatchBuilder): AsyncGenerator<BatchChunk> {
  const f = SqliteFile.open(input);
  try {
    const tables = new Set(f.tables());
    yield* kind.read(f, b, input, ctx, tables);
  } catch (err) {
    throw sqliteImportError(input.name, '', err);
  } finally {
    f.close();
  }
}
