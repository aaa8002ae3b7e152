// The Android databases the SQLite importer recognises, told apart by their tables.
import type { SqliteKind } from '../shared/sqlite.ts';
import { androidDevice, ownNumberFromCalls, readCalls } from './calllog.reader.ts';
import { readContacts } from './contacts.reader.ts';
import { readSms } from './mmssms.reader.ts';

const has = (tables: ReadonlySet<string>, ...names: string[]) => names.every((n) => tables.has(n));

/** contacts2.db (older Android also keeps `calls` here: read it too). */
export const androidContactsKind: SqliteKind = {
  kind: 'android-contacts',
  description: 'Android contacts2.db: raw_contacts, data, mimetypes',
  matches: (t) => has(t, 'raw_contacts', 'data', 'mimetypes'),
  *read(f, b, input, ctx, tables) {
    const withCalls = tables.has('calls');
    const dev = androidDevice(b, input, ctx, withCalls ? ownNumberFromCalls(f, ctx.defaultRegion) : undefined);
    yield* readContacts(f, b, input, dev, tables);
    if (withCalls) yield* readCalls(f, b, input, dev);
    yield b.flush();
  },
};

/** calllog.db: table `calls`. */
export const androidCalllogKind: SqliteKind = {
  kind: 'android-calllog',
  description: 'Android calllog.db: calls',
  matches: (t) => has(t, 'calls') && !t.has('ZCALLRECORD'),
  *read(f, b, input, ctx) {
    const dev = androidDevice(b, input, ctx, ownNumberFromCalls(f, ctx.defaultRegion));
    yield* readCalls(f, b, input, dev);
    yield b.flush();
  },
};

/** mmssms.db: `sms`, and MMS in `pdu` + `addr` (+ `part`). */
export const androidSmsKind: SqliteKind = {
  kind: 'android-sms',
  description: 'Android mmssms.db: sms, pdu/addr/part',
  matches: (t) => has(t, 'sms') || has(t, 'pdu', 'addr'),
  *read(f, b, input, ctx, tables) {
    const dev = androidDevice(b, input, ctx);
    yield* readSms(f, b, input, dev, tables);
    yield b.flush();
  },
};

/** Most specific first: contacts2.db can hold `calls` too. */
export const ANDROID_SQLITE_KINDS: readonly SqliteKind[] = [androidContactsKind, androidCalllogKind, androidSmsKind];
