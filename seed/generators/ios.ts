/**
 * SYNTHETIC DATA. Deterministic synthetic iOS extraction of an iPhone seized in the La Molina house
 * (Lima case): CallHistory.storedata, sms.db and AddressBook.sqlitedb with the column layouts iOS uses
 * (subsets of the many columns real files carry), plus a README that says the files are synthetic.
 * Seeded PRNG only: same seed → same rows.
 *
 * Pitfalls it writes on purpose: ZDATE in seconds since 2001, sms.db dates in nanoseconds (iOS 11+) and
 * one in seconds (older), ZADDRESS as a BLOB, lowercase ZISO_COUNTRY_CODE with a national-format
 * Malaysian number, outgoing messages with handle_id 0 (recipients only via the chat), an iMessage
 * e-mail handle, and text only in attributedBody.
 *
 * Run: `npx tsx seed/generators/ios.ts <dir> [seed]`.
 */
import Database from 'better-sqlite3';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rng } from './prng.ts';

export interface SyntheticIosOptions {
  seed: number;
  /** random call rows after the fixed ones */
  calls?: number;
  /** random incoming SMS after the fixed ones */
  messages?: number;
}

export interface SyntheticIos {
  dir: string;
  files: { callHistory: string; sms: string; addressBook: string; readme: string };
  numbers: typeof IOS_STORY;
}

export const IOS_STORY = {
  target: '+60321611111',
  targetMobile: '+60123456789',
  handlerA: '+886912000111',
  handlerB: '+886933000222',
  handlerBEmail: 'handler.b@example.invalid',
} as const;

/** Seconds since 2001-01-01 UTC of 2023-09-24T13:00:00Z. */
export const IOS_STORY_APPLE_S = 717_253_200;

const CALLHISTORY_DDL = `
CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER, ZCALL_CATEGORY INTEGER, ZCALLTYPE INTEGER,
  ZDISCONNECTED_CAUSE INTEGER, ZFACE_TIME_DATA INTEGER, ZHANDLE_TYPE INTEGER, ZNUMBER_AVAILABILITY INTEGER, ZORIGINATED INTEGER, ZREAD INTEGER,
  ZJUNKCONFIDENCE INTEGER, ZJUNKIDENTIFICATIONCATEGORY INTEGER, ZVERIFICATIONSTATUS INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZSPAM_SCORE FLOAT,
  ZADDRESS VARCHAR, ZDEVICE_ID VARCHAR, ZISO_COUNTRY_CODE VARCHAR, ZLOCATION VARCHAR, ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR,
  ZUNIQUE_ID VARCHAR, ZPARTICIPANT_GROUP_UUID VARCHAR, ZLOCALPARTICIPANTUUID BLOB, ZOUTGOINGLOCALPARTICIPANTUUID BLOB);
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
`;

export interface IosCallRow {
  /** Apple seconds (float) */
  date: number;
  duration: number;
  originated: 0 | 1;
  answered: 0 | 1;
  callType: number;
  address: string | Buffer | null;
  iso: string | null;
  provider?: string;
  name?: string;
}

export function storyIosCalls(): IosCallRow[] {
  const t = (min: number) => IOS_STORY_APPLE_S + min * 60;
  const S = IOS_STORY;
  return [
    { date: t(0), duration: 125.5, originated: 1, answered: 1, callType: 1, address: S.target, iso: 'pe' },
    { date: t(10), duration: 30, originated: 1, answered: 1, callType: 1, address: Buffer.from('03-2161 1111', 'utf8'), iso: 'my' },
    { date: t(20), duration: 0, originated: 0, answered: 0, callType: 1, address: S.handlerA, iso: 'pe', name: 'Handler A (synthetic)' },
    { date: t(30), duration: 600, originated: 0, answered: 1, callType: 8, address: S.handlerBEmail, iso: null, provider: 'com.apple.FaceTime' },
    { date: t(40), duration: 61, originated: 1, answered: 1, callType: 16, address: S.handlerB, iso: 'pe', provider: 'com.apple.FaceTime' },
    { date: t(50), duration: 17, originated: 0, answered: 1, callType: 0, address: S.targetMobile, iso: null, provider: 'net.whatsapp.WhatsApp' },
    { date: t(60), duration: 0, originated: 0, answered: 0, callType: 1, address: '', iso: 'pe' },
  ];
}

export function writeCallHistory(db: Database.Database, rows: IosCallRow[]): void {
  db.exec(CALLHISTORY_DDL);
  const ins = db.prepare(`INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, ZANSWERED, ZCALLTYPE, ZORIGINATED, ZREAD, ZNUMBER_AVAILABILITY, ZDATE, ZDURATION,
    ZADDRESS, ZISO_COUNTRY_CODE, ZNAME, ZSERVICE_PROVIDER, ZUNIQUE_ID) VALUES (?,2,1,?,?,?,1,?,?,?,?,?,?,?,?)`);
  rows.forEach((c, i) => ins.run(i + 1, c.answered, c.callType, c.originated, c.address ? 0 : 1, c.date, c.duration, c.address, c.iso,
    c.name ?? null, c.provider ?? 'com.apple.Telephony', `SYNTHETIC-${String(i + 1).padStart(4, '0')}`));
  db.prepare(`INSERT INTO Z_PRIMARYKEY VALUES (2, 'CallRecord', 0, ?)`).run(rows.length);
}

const SMS_DDL = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL,
  uncanonicalized_id TEXT, person_centric_id TEXT, UNIQUE (id, service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER, state INTEGER, account_id TEXT,
  properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0,
  last_addressed_handle TEXT, display_name TEXT, group_id TEXT, is_filtered INTEGER DEFAULT 0, successful_query INTEGER);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0,
  service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0,
  type INTEGER DEFAULT 0, service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER,
  date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0,
  is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0, is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0,
  is_prepared INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0,
  has_dd_results INTEGER DEFAULT 0, is_service_message INTEGER DEFAULT 0, is_forward INTEGER DEFAULT 0, was_downgraded INTEGER DEFAULT 0,
  is_archive INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0, cache_roomnames TEXT, was_data_detected INTEGER DEFAULT 0,
  was_deduplicated INTEGER DEFAULT 0, is_audio_message INTEGER DEFAULT 0, is_played INTEGER DEFAULT 0, date_played INTEGER,
  item_type INTEGER DEFAULT 0, other_handle INTEGER DEFAULT 0, group_title TEXT, group_action_type INTEGER DEFAULT 0);
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, handle_id INTEGER REFERENCES handle (ROWID)
  ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, message_id INTEGER REFERENCES message (ROWID)
  ON DELETE CASCADE, message_date INTEGER DEFAULT 0, PRIMARY KEY (chat_id, message_id));
CREATE INDEX chat_message_join_idx_message_id_only ON chat_message_join(message_id);
`;

export interface IosMessageRow {
  /** ns since 2001 (iOS 11+) or seconds (older), exactly as stored */
  date: bigint | number;
  fromMe: 0 | 1;
  handle: number;
  chat: number;
  service: 'SMS' | 'iMessage';
  text: string | null;
  attributedBody?: Buffer;
}

/** A minimal typedstream NSAttributedString holding `text`, as iOS 16 writes when `text` is empty. */
export function attributedBody(text: string): Buffer {
  const utf8 = Buffer.from(text, 'utf8');
  const len = utf8.length < 0x80 ? Buffer.from([utf8.length]) : Buffer.concat([Buffer.from([0x81]), Buffer.from([utf8.length & 0xff, utf8.length >> 8])]);
  return Buffer.concat([
    Buffer.from([0x04, 0x0b]), Buffer.from('streamtyped', 'latin1'), Buffer.from([0x81, 0xe8, 0x03, 0x84, 0x01, 0x40, 0x84, 0x84, 0x84]),
    Buffer.from([0x12]), Buffer.from('NSAttributedString', 'latin1'), Buffer.from([0x00, 0x84, 0x84]), Buffer.from([0x08]),
    Buffer.from('NSObject', 'latin1'), Buffer.from([0x00, 0x85, 0x92, 0x84, 0x84, 0x84, 0x08]), Buffer.from('NSString', 'latin1'),
    Buffer.from([0x01, 0x94, 0x84, 0x01, 0x2b]), len, utf8, Buffer.from([0x86, 0x84, 0x02, 0x69, 0x49, 0x01]),
  ]);
}

const NS = 1_000_000_000n;

export function storyIosMessages(): IosMessageRow[] {
  const ns = (min: number) => BigInt(IOS_STORY_APPLE_S + min * 60) * NS;
  return [
    { date: ns(1), fromMe: 0, handle: 1, chat: 1, service: 'SMS', text: 'Hello, who is this? (synthetic)' },
    { date: ns(2), fromMe: 1, handle: 0, chat: 1, service: 'SMS', text: 'Bank Negara security department (synthetic)' },
    { date: ns(3), fromMe: 1, handle: 0, chat: 2, service: 'iMessage', text: '今天的名單已完成 (synthetic)' },
    { date: IOS_STORY_APPLE_S + 4 * 60, fromMe: 0, handle: 3, chat: 3, service: 'iMessage', text: 'old-format seconds date (synthetic)' },
    { date: ns(5), fromMe: 0, handle: 2, chat: 2, service: 'iMessage', text: '好 (synthetic)' },
    { date: ns(6), fromMe: 0, handle: 4, chat: 2, service: 'iMessage', text: null, attributedBody: attributedBody('Only in attributedBody (synthetic)') },
    { date: ns(7), fromMe: 0, handle: 5, chat: 0, service: 'SMS', text: 'Saya sudah transfer (synthetic)' },
  ];
}

export function writeSmsDb(db: Database.Database, messages: IosMessageRow[], extraHandles: string[] = []): void {
  db.exec(SMS_DDL);
  db.prepare(`INSERT INTO _SqliteDatabaseProperties VALUES ('note', 'SYNTHETIC DATA: generated by seed/generators/ios.ts')`).run();
  const S = IOS_STORY;
  const handle = db.prepare('INSERT INTO handle (id, country, service, uncanonicalized_id) VALUES (?,?,?,?)');
  handle.run(S.target, 'my', 'SMS', '0321611111');
  handle.run(S.handlerA, 'tw', 'iMessage', null);
  handle.run(S.handlerBEmail, null, 'iMessage', null);
  handle.run(S.handlerB, 'tw', 'iMessage', null);
  // a national-format id: only handle.country says it is Malaysian
  handle.run('012-345 6789', 'my', 'SMS', '0123456789');
  for (const h of extraHandles) handle.run(h, null, 'SMS', null);
  const chat = db.prepare('INSERT INTO chat (guid, style, chat_identifier, service_name, display_name) VALUES (?,?,?,?,?)');
  chat.run(`SMS;-;${S.target}`, 45, S.target, 'SMS', null);
  chat.run('iMessage;+;chat000000000000000001', 43, 'chat000000000000000001', 'iMessage', 'Equipo (synthetic)');
  chat.run(`iMessage;-;${S.handlerBEmail}`, 45, S.handlerBEmail, 'iMessage', null);
  const join = db.prepare('INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?,?)');
  join.run(1, 1);
  for (const h of [2, 3, 4]) join.run(2, h);
  join.run(3, 3);
  const msg = db.prepare(`INSERT INTO message (guid, text, handle_id, service, date, is_from_me, is_sent, is_delivered, attributedBody, account)
    VALUES (?,?,?,?,?,?,?,?,?,?)`);
  const cmj = db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?,?,?)');
  messages.forEach((m, i) => {
    const id = Number(msg.run(`SYNTHETIC-${String(i + 1).padStart(8, '0')}`, m.text, m.handle, m.service, m.date, m.fromMe, m.fromMe, m.fromMe,
      m.attributedBody ?? null, m.service === 'SMS' ? 'P:+51987650002' : 'e:synthetic.owner@example.invalid').lastInsertRowid);
    if (m.chat) cmj.run(m.chat, id, m.date);
  });
}

const ADDRESSBOOK_DDL = `
CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT, FirstPhonetic TEXT, MiddlePhonetic TEXT,
  LastPhonetic TEXT, Organization TEXT, Department TEXT, Note TEXT, Kind INTEGER, Birthday TEXT, JobTitle TEXT, Nickname TEXT, Prefix TEXT,
  Suffix TEXT, FirstSort TEXT, LastSort TEXT, CreationDate INTEGER, ModificationDate INTEGER, CompositeNameFallback TEXT,
  ExternalIdentifier TEXT, ExternalModificationTag TEXT, ExternalUUID TEXT, StoreID INTEGER, DisplayName TEXT, ExternalRepresentation BLOB,
  FirstSortSection TEXT, LastSortSection TEXT, FirstSortLanguageIndex INTEGER DEFAULT 2147483647,
  LastSortLanguageIndex INTEGER DEFAULT 2147483647, PersonLink INTEGER DEFAULT -1, ImageURI TEXT, IsPreferredName INTEGER DEFAULT 1, guid TEXT);
CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER, value TEXT, guid TEXT);
CREATE TABLE ABMultiValueLabel (value TEXT, UNIQUE(value));
`;

export interface AbPersonSpec {
  first?: string;
  last?: string;
  organization?: string;
  note?: string;
  values: { property: 3 | 4; label: string; value: string }[];
}

export function storyAddressBook(): AbPersonSpec[] {
  const S = IOS_STORY;
  return [
    { first: 'SYNTHETIC', last: 'DATA', note: 'SYNTHETIC DATA: generated by seed/generators/ios.ts', values: [{ property: 4, label: '_$!<Work>!$_', value: 'synthetic-data@example.invalid' }] },
    { first: 'Handler', last: 'A (synthetic)', values: [{ property: 3, label: '_$!<Mobile>!$_', value: '+886 912 000 111' }] },
    { first: 'Handler', last: 'B (synthetic)', values: [{ property: 3, label: 'iPhone', value: S.handlerB }, { property: 4, label: '_$!<Home>!$_', value: S.handlerBEmail }] },
    { organization: 'Oficina KL (synthetic)', values: [{ property: 3, label: '_$!<Work>!$_', value: '+60 3-2161 1111' }] },
  ];
}

export function writeAddressBook(db: Database.Database, people: AbPersonSpec[]): void {
  db.exec(ADDRESSBOOK_DDL);
  const labelIds = new Map<string, number>();
  const label = (v: string) => {
    let id = labelIds.get(v);
    if (id === undefined) {
      id = Number(db.prepare('INSERT INTO ABMultiValueLabel (value) VALUES (?)').run(v).lastInsertRowid);
      labelIds.set(v, id);
    }
    return id;
  };
  const person = db.prepare('INSERT INTO ABPerson (First, Last, Organization, Note, Kind, CreationDate) VALUES (?,?,?,?,0,?)');
  const mv = db.prepare('INSERT INTO ABMultiValue (record_id, property, identifier, label, value) VALUES (?,?,?,?,?)');
  people.forEach((p, i) => {
    const id = Number(person.run(p.first ?? null, p.last ?? null, p.organization ?? null, p.note ?? null, IOS_STORY_APPLE_S - 86_400 * (i + 1)).lastInsertRowid);
    p.values.forEach((v, j) => mv.run(id, v.property, j, label(v.label), v.value));
  });
}

/** Writes the three databases and a README into `dir`. */
export function writeSyntheticIos(dir: string, opts: SyntheticIosOptions): SyntheticIos {
  const r = rng(opts.seed);
  mkdirSync(dir, { recursive: true });
  const path = (name: string) => join(dir, name);
  const fresh = (name: string) => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path(name) + suffix, { force: true });
    const db = new Database(path(name));
    db.pragma('foreign_keys = OFF');
    return db;
  };
  const calls = storyIosCalls();
  for (let i = 0; i < (opts.calls ?? 0); i++) {
    calls.push({
      date: IOS_STORY_APPLE_S + 86_400 + r.int(0, 10 * 86_400) + r.int(0, 999) / 1000, duration: r.int(0, 900) + r.int(0, 9) / 10,
      originated: r.chance(0.5) ? 1 : 0, answered: r.chance(0.7) ? 1 : 0, callType: 1,
      address: `+60 1${r.int(0, 9)}-${String(r.int(0, 999)).padStart(3, '0')} ${String(r.int(0, 9999)).padStart(4, '0')}`, iso: 'pe',
    });
  }
  const messages = storyIosMessages();
  const extra: string[] = [];
  for (let i = 0; i < (opts.messages ?? 0); i++) {
    extra.push(`+8869${String(r.int(10_000_000, 99_999_999))}`);
    messages.push({ date: BigInt(IOS_STORY_APPLE_S + 86_400 + r.int(0, 10 * 86_400)) * NS, fromMe: 0, handle: 6 + i, chat: 0, service: 'SMS', text: `Mensaje ${i + 1} (synthetic)` });
  }
  const files = { callHistory: path('CallHistory.storedata'), sms: path('sms.db'), addressBook: path('AddressBook.sqlitedb'), readme: path('README-SYNTHETIC.txt') };
  const ch = fresh('CallHistory.storedata');
  ch.transaction(() => writeCallHistory(ch, calls))();
  ch.close();
  const sms = fresh('sms.db');
  sms.transaction(() => writeSmsDb(sms, messages, extra))();
  sms.close();
  const ab = fresh('AddressBook.sqlitedb');
  ab.transaction(() => writeAddressBook(ab, storyAddressBook()))();
  ab.close();
  writeFileSync(files.readme, [
    'SYNTHETIC DATA: not from a real device.',
    `Generated by seed/generators/ios.ts (seed ${opts.seed}) as a stand-in for an iOS extraction of an iPhone seized in the`,
    'La Molina house (Lima case, 2023). All numbers, names and messages are invented.',
    '',
  ].join('\n'));
  return { dir, files, numbers: IOS_STORY };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx seed/generators/ios.ts <dir> [seed]');
    process.exit(2);
  }
  const out = writeSyntheticIos(dir, { seed: Number(process.argv[3] ?? 886), calls: 100, messages: 50 });
  console.log(`wrote ${Object.values(out.files).join(', ')}`);
}
