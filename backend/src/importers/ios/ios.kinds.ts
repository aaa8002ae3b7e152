// The iOS databases the SQLite importer recognises, told apart by their tables.
import type { BatchBuilder } from '../../model/index.ts';
import { addDevice, type DeviceRefs } from '../shared/device.ts';
import type { SqliteKind } from '../shared/sqlite.ts';
import type { ImportContext } from '../types.ts';
import { readAddressBook } from './addressbook.reader.ts';
import { readCallHistory } from './callhistory.reader.ts';
import { readSmsDb } from './smsdb.reader.ts';

/** The iPhone of one database file: these files hold no IMEI or own number, so the one the investigator names (ctx.device), else keyed by the file. */
export function iosDevice(b: BatchBuilder, ctx: ImportContext): DeviceRefs {
  return addDevice(b, { name: 'iPhone', imei: ctx.device?.imei, msisdn: ctx.device?.msisdn, props: { platform: 'iOS' }, locator: 'file' }, ctx.defaultRegion);
}

/** CallHistory.storedata: ZCALLRECORD. */
export const iosCallHistoryKind: SqliteKind = {
  kind: 'ios-callhistory',
  description: 'iOS CallHistory.storedata: ZCALLRECORD',
  matches: (t) => t.has('ZCALLRECORD'),
  *read(f, b, input, ctx) {
    yield* readCallHistory(f, b, input, iosDevice(b, ctx));
    yield b.flush();
  },
};

/** sms.db: message + handle (+ chat, chat_handle_join, chat_message_join). */
export const iosSmsKind: SqliteKind = {
  kind: 'ios-sms',
  description: 'iOS sms.db: message, handle, chat',
  matches: (t) => t.has('message') && t.has('handle'),
  *read(f, b, input, ctx, tables) {
    yield* readSmsDb(f, b, input, iosDevice(b, ctx), tables);
    yield b.flush();
  },
};

/** AddressBook.sqlitedb: ABPerson + ABMultiValue. */
export const iosAddressBookKind: SqliteKind = {
  kind: 'ios-addressbook',
  description: 'iOS AddressBook.sqlitedb: ABPerson, ABMultiValue',
  matches: (t) => t.has('ABPerson') && t.has('ABMultiValue'),
  *read(f, b, input, ctx, tables) {
    yield* readAddressBook(f, b, input, iosDevice(b, ctx), tables);
    yield b.flush();
  },
};

export const IOS_SQLITE_KINDS: readonly SqliteKind[] = [iosCallHistoryKind, iosSmsKind, iosAddressBookKind];
