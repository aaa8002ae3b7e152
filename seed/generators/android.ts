/**
 * SYNTHETIC DATA. Deterministic synthetic Android extraction of a phone seized in the La Molina house
 * (Lima case): calllog.db, contacts2.db and mmssms.db with the AOSP column layouts, plus a README that
 * says the files are synthetic. Seeded PRNG only (no Math.random): same seed → byte-identical content.
 *
 * The story in the rows: a Peruvian SIM (+51 9…, countryiso 'pe') that Taiwanese handlers (+886 9…)
 * call and message, calling Malaysian targets written three ways (`+60 3-2161 1111`, `0060321611111`,
 * `03-2161 1111` with countryiso 'my'), plus a short code, an alphanumeric sender and withheld callers.
 *
 * Run: `npx tsx seed/generators/android.ts <dir> [seed]`.
 */
import Database from 'better-sqlite3';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { rng, type Rng } from './prng.ts';

export interface SyntheticAndroidOptions {
  seed: number;
  /** random call rows added after the fixed story rows */
  calls?: number;
  /** random contacts added after the fixed ones */
  contacts?: number;
  /** random SMS rows added after the fixed ones */
  sms?: number;
  /** 'contacts2' writes the call log into contacts2.db as older Android did (no calllog.db) */
  callsIn?: 'calllog' | 'contacts2';
}

export interface SyntheticAndroid {
  dir: string;
  files: { calllog?: string; contacts2: string; mmssms: string; readme: string };
  /** the numbers of the story, E.164 */
  numbers: typeof ANDROID_STORY;
  counts: { calls: number; rawContacts: number; sms: number; mms: number };
}

/** The fixed cast of the synthetic story (all numbers invented). */
export const ANDROID_STORY = {
  owner: '+51987650001',
  localHelper: '+51987650123',
  handlerA: '+886912000111',
  handlerB: '+886933000222',
  target: '+60321611111',
  targetMobile: '+60123456789',
  shortCode: '20202',
  alphaSender: 'MOVISTAR',
} as const;

/** 2023-09-20T00:00:00Z: the story's calls fall in the weeks before the raid of 7 October 2023. */
export const STORY_START_MS = Date.UTC(2023, 8, 20);

export const CALLS_DDL = `CREATE TABLE calls (_id INTEGER PRIMARY KEY AUTOINCREMENT, number TEXT, presentation INTEGER NOT NULL DEFAULT 1,
  post_dial_digits TEXT NOT NULL DEFAULT '', via_number TEXT NOT NULL DEFAULT '', date INTEGER, duration INTEGER, data_usage INTEGER, type INTEGER,
  features INTEGER NOT NULL DEFAULT 0, subscription_component_name TEXT, subscription_id TEXT, phone_account_address TEXT,
  phone_account_hidden INTEGER NOT NULL DEFAULT 0, sub_id INTEGER DEFAULT -1, new INTEGER, name TEXT, numbertype INTEGER, numberlabel TEXT,
  countryiso TEXT, voicemail_uri TEXT, is_read INTEGER, geocoded_location TEXT, lookup_uri TEXT, matched_number TEXT, normalized_number TEXT,
  photo_id INTEGER NOT NULL DEFAULT 0, photo_uri TEXT, formatted_number TEXT, add_for_all_users INTEGER NOT NULL DEFAULT 1,
  last_modified INTEGER DEFAULT 0, _data TEXT, has_content INTEGER, mime_type TEXT, source_data TEXT, source_package TEXT, transcription TEXT,
  state INTEGER, dirty INTEGER NOT NULL DEFAULT 0, deleted INTEGER NOT NULL DEFAULT 0, backed_up INTEGER NOT NULL DEFAULT 0,
  restored INTEGER NOT NULL DEFAULT 0, archived INTEGER NOT NULL DEFAULT 0, is_omtp_voicemail INTEGER NOT NULL DEFAULT 0,
  transcription_state INTEGER NOT NULL DEFAULT 0, call_screening_app_name TEXT, call_screening_component_name TEXT,
  block_reason INTEGER NOT NULL DEFAULT 0)`;

const TELEPHONY = 'com.android.phone/com.android.services.telephony.TelephonyConnectionService';

export interface CallRow {
  number: string;
  date: number;
  duration: number;
  type: number;
  countryiso: string;
  name?: string | null;
  normalized_number?: string | null;
  presentation?: number;
  features?: number;
  component?: string;
  phone_account_address?: string | null;
}

/** The fixed call rows: every call type, the three spellings of one Malaysian line, two withheld callers. */
export function storyCalls(): CallRow[] {
  const t = (min: number) => STORY_START_MS + min * 60_000;
  const S = ANDROID_STORY;
  return [
    { number: '+60 3-2161 1111', date: t(0), duration: 95, type: 2, countryiso: 'pe' },
    { number: '0060321611111', date: t(60), duration: 0, type: 2, countryiso: 'pe' },
    { number: '03-2161 1111', date: t(120), duration: 42, type: 2, countryiso: 'my' },
    { number: S.handlerA, date: t(180), duration: 310, type: 1, countryiso: 'pe', name: 'Handler A (synthetic)', normalized_number: S.handlerA },
    { number: S.handlerB, date: t(240), duration: 0, type: 3, countryiso: 'pe', name: 'Handler B (synthetic)', normalized_number: S.handlerB },
    { number: '+60 12-345 6789', date: t(300), duration: 0, type: 4, countryiso: 'pe' },
    { number: '+60 12-345 6789', date: t(360), duration: 0, type: 5, countryiso: 'pe' },
    { number: '+60 12-345 6789', date: t(420), duration: 0, type: 6, countryiso: 'pe' },
    { number: S.handlerA, date: t(480), duration: 12, type: 7, countryiso: 'pe' },
    { number: '', date: t(540), duration: 20, type: 1, countryiso: 'pe', presentation: 2 },
    { number: '', date: t(600), duration: 0, type: 3, countryiso: 'pe', presentation: 2 },
    { number: '987 650 123', date: t(660), duration: 61, type: 2, countryiso: 'pe', name: 'Chofer (synthetic)' },
    { number: S.handlerA, date: t(720), duration: 33, type: 1, countryiso: 'pe', features: 1, component: 'com.whatsapp/com.whatsapp.voipcalling.SelfManagedConnectionService' },
  ];
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/**
 * A random number of the story's kinds, as a device would have written it. Malaysian national format
 * (`03-…`) only where the row carries its own country (the call log's countryiso).
 */
function randomParty(r: Rng, nationalMy = false): { number: string; countryiso: string } {
  switch (r.int(0, nationalMy ? 3 : 2)) {
    case 0: return { number: `+60 1${r.int(0, 9)}-${pad(r.int(0, 999), 3)} ${pad(r.int(0, 9999), 4)}`, countryiso: 'pe' };
    case 1: return { number: `+886 9${pad(r.int(0, 99), 2)} ${pad(r.int(0, 999), 3)} ${pad(r.int(0, 999), 3)}`, countryiso: 'pe' };
    case 2: return { number: `9${pad(r.int(0, 99), 2)} ${pad(r.int(0, 999), 3)} ${pad(r.int(0, 999), 3)}`, countryiso: 'pe' };
    default: return { number: `03-${pad(r.int(2000, 9999), 4)} ${pad(r.int(0, 9999), 4)}`, countryiso: 'my' };
  }
}

export function writeCalls(db: Database.Database, rows: CallRow[]): void {
  db.exec(CALLS_DDL);
  const ins = db.prepare(`INSERT INTO calls (number, presentation, date, duration, type, features, subscription_component_name, phone_account_address,
    name, countryiso, normalized_number, is_read, new) VALUES (?,?,?,?,?,?,?,?,?,?,?,1,0)`);
  for (const c of rows) {
    ins.run(c.number, c.presentation ?? 1, c.date, c.duration, c.type, c.features ?? 0, c.component ?? TELEPHONY,
      c.phone_account_address === undefined ? ANDROID_STORY.owner : c.phone_account_address, c.name ?? null, c.countryiso, c.normalized_number ?? null);
  }
}

function androidMetadata(db: Database.Database): void {
  db.exec(`CREATE TABLE android_metadata (locale TEXT); INSERT INTO android_metadata VALUES ('es_PE');`);
}

const CONTACTS_DDL = `
CREATE TABLE accounts (_id INTEGER PRIMARY KEY AUTOINCREMENT, account_name TEXT, account_type TEXT, data_set TEXT);
CREATE TABLE contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, name_raw_contact_id INTEGER, photo_id INTEGER, photo_file_id INTEGER,
  custom_ringtone TEXT, send_to_voicemail INTEGER NOT NULL DEFAULT 0, times_contacted INTEGER NOT NULL DEFAULT 0, last_time_contacted INTEGER,
  starred INTEGER NOT NULL DEFAULT 0, pinned INTEGER NOT NULL DEFAULT 0, has_phone_number INTEGER NOT NULL DEFAULT 0, lookup TEXT,
  status_update_id INTEGER, contact_last_updated_timestamp INTEGER);
CREATE TABLE raw_contacts (_id INTEGER PRIMARY KEY AUTOINCREMENT, account_id INTEGER REFERENCES accounts(_id), sourceid TEXT,
  backup_id TEXT, raw_contact_is_read_only INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL DEFAULT 1, dirty INTEGER NOT NULL DEFAULT 0,
  deleted INTEGER NOT NULL DEFAULT 0, metadata_dirty INTEGER NOT NULL DEFAULT 0, contact_id INTEGER REFERENCES contacts(_id),
  aggregation_mode INTEGER NOT NULL DEFAULT 0, aggregation_needed INTEGER NOT NULL DEFAULT 1, custom_ringtone TEXT,
  send_to_voicemail INTEGER NOT NULL DEFAULT 0, times_contacted INTEGER NOT NULL DEFAULT 0, last_time_contacted INTEGER,
  starred INTEGER NOT NULL DEFAULT 0, pinned INTEGER NOT NULL DEFAULT 0, display_name TEXT, display_name_alt TEXT,
  display_name_source INTEGER NOT NULL DEFAULT 0, phonetic_name TEXT, phonetic_name_style TEXT, sort_key TEXT, phonebook_label TEXT,
  phonebook_bucket INTEGER, sort_key_alt TEXT, phonebook_label_alt TEXT, phonebook_bucket_alt INTEGER, name_verified INTEGER NOT NULL DEFAULT 0,
  sync1 TEXT, sync2 TEXT, sync3 TEXT, sync4 TEXT);
CREATE TABLE mimetypes (_id INTEGER PRIMARY KEY AUTOINCREMENT, mimetype TEXT NOT NULL);
CREATE TABLE data (_id INTEGER PRIMARY KEY AUTOINCREMENT, package_id INTEGER, mimetype_id INTEGER REFERENCES mimetype(_id) NOT NULL,
  raw_contact_id INTEGER REFERENCES raw_contacts(_id) NOT NULL, hash_id TEXT, is_read_only INTEGER NOT NULL DEFAULT 0,
  is_primary INTEGER NOT NULL DEFAULT 0, is_super_primary INTEGER NOT NULL DEFAULT 0, data_version INTEGER NOT NULL DEFAULT 0,
  data1 TEXT, data2 TEXT, data3 TEXT, data4 TEXT, data5 TEXT, data6 TEXT, data7 TEXT, data8 TEXT, data9 TEXT, data10 TEXT, data11 TEXT,
  data12 TEXT, data13 TEXT, data14 TEXT, data15 TEXT, data_sync1 TEXT, data_sync2 TEXT, data_sync3 TEXT, data_sync4 TEXT,
  carrier_presence INTEGER NOT NULL DEFAULT 0, preferred_phone_account_component_name TEXT, preferred_phone_account_id TEXT);
CREATE TABLE phone_lookup (data_id INTEGER REFERENCES data(_id) NOT NULL, raw_contact_id INTEGER REFERENCES raw_contacts(_id) NOT NULL,
  normalized_number TEXT NOT NULL, min_match TEXT NOT NULL);
`;

const MIMETYPES = [
  'vnd.android.cursor.item/email_v2', 'vnd.android.cursor.item/im', 'vnd.android.cursor.item/nickname', 'vnd.android.cursor.item/organization',
  'vnd.android.cursor.item/phone_v2', 'vnd.android.cursor.item/sip_address', 'vnd.android.cursor.item/name', 'vnd.android.cursor.item/postal-address_v2',
  'vnd.android.cursor.item/identity', 'vnd.android.cursor.item/photo', 'vnd.android.cursor.item/group_membership', 'vnd.android.cursor.item/note',
  'vnd.android.cursor.item/vnd.com.whatsapp.profile',
];

export interface ContactSpec {
  name: string;
  account?: 'local' | 'google' | 'whatsapp';
  deleted?: boolean;
  phones?: { data1: string; data4?: string | null; type?: number; label?: string }[];
  emails?: string[];
  note?: string;
  whatsappJid?: string;
}

/** The fixed contacts: handlers saved with Android's E.164 (data4), the target, a deleted entry, markup in a name, the synthetic-data marker. */
export function storyContacts(): ContactSpec[] {
  const S = ANDROID_STORY;
  return [
    { name: 'SYNTHETIC DATA', emails: ['synthetic-data@example.invalid'], note: 'SYNTHETIC DATA: generated by seed/generators/android.ts; not from a real device.' },
    { name: 'Handler A (synthetic)', account: 'google', phones: [{ data1: '+886 912 000 111', data4: S.handlerA, type: 2 }] },
    { name: 'Handler B (synthetic)', phones: [{ data1: '0933 000 222', data4: S.handlerB, type: 2 }], emails: ['handler.b@example.invalid'] },
    { name: 'Oficina KL (synthetic)', phones: [{ data1: '03-2161 1111', data4: S.target, type: 3 }] },
    { name: 'Target mobile (synthetic)', account: 'whatsapp', whatsappJid: '60123456789@s.whatsapp.net' },
    { name: 'Chofer (synthetic)', phones: [{ data1: '987 650 123', data4: S.localHelper, type: 0, label: 'Chofer' }] },
    { name: 'Borrado (synthetic)', deleted: true, phones: [{ data1: '+51 987 650 999', data4: '+51987650999', type: 2 }] },
    { name: '<b>Jefe</b> <script>alert(1)</script>', phones: [{ data1: '+886 955 000 333', data4: '+886955000333', type: 2 }] },
  ];
}

const GIVEN = ['Ana', 'José', 'Mei', 'Wei', 'Siti', 'Ahmad', 'Rosa', 'Luis', 'Nurul', 'Chen'];
const FAMILY = ['Quispe', 'Lim', 'Tan', 'Huamán', 'Wong', 'Rahman', 'Flores', 'Lin'];

export function writeContacts(db: Database.Database, specs: ContactSpec[]): void {
  db.exec(CONTACTS_DDL);
  const mime = db.prepare('INSERT INTO mimetypes (mimetype) VALUES (?)');
  const mimeId = new Map<string, number>();
  for (const m of MIMETYPES) mimeId.set(m, Number(mime.run(m).lastInsertRowid));
  const accounts = {
    local: Number(db.prepare(`INSERT INTO accounts (account_name, account_type) VALUES (NULL, NULL)`).run().lastInsertRowid),
    google: Number(db.prepare(`INSERT INTO accounts (account_name, account_type) VALUES ('synthetic.owner@example.invalid', 'com.google')`).run().lastInsertRowid),
    whatsapp: Number(db.prepare(`INSERT INTO accounts (account_name, account_type) VALUES ('WhatsApp', 'com.whatsapp')`).run().lastInsertRowid),
  };
  const contact = db.prepare('INSERT INTO contacts (name_raw_contact_id, has_phone_number, lookup) VALUES (NULL, ?, ?)');
  const raw = db.prepare('INSERT INTO raw_contacts (account_id, contact_id, display_name, display_name_alt, deleted, sort_key) VALUES (?,?,?,?,?,?)');
  const data = db.prepare('INSERT INTO data (mimetype_id, raw_contact_id, is_primary, data1, data2, data3, data4) VALUES (?,?,?,?,?,?,?)');
  const lookup = db.prepare('INSERT INTO phone_lookup (data_id, raw_contact_id, normalized_number, min_match) VALUES (?,?,?,?)');
  for (const [i, c] of specs.entries()) {
    const cid = Number(contact.run(c.phones?.length ? 1 : 0, `synthetic-${i}`).lastInsertRowid);
    const rid = Number(raw.run(accounts[c.account ?? 'local'], cid, c.name, c.name, c.deleted ? 1 : 0, c.name).lastInsertRowid);
    data.run(mimeId.get('vnd.android.cursor.item/name'), rid, 0, c.name, c.name.split(' ')[0], c.name.split(' ').slice(1).join(' ') || null, null);
    for (const p of c.phones ?? []) {
      const did = Number(data.run(mimeId.get('vnd.android.cursor.item/phone_v2'), rid, 0, p.data1, String(p.type ?? 2), p.label ?? null, p.data4 ?? null).lastInsertRowid);
      if (p.data4) lookup.run(did, rid, p.data4.replace('+', ''), p.data4.slice(-7).split('').reverse().join(''));
    }
    for (const e of c.emails ?? []) data.run(mimeId.get('vnd.android.cursor.item/email_v2'), rid, 0, e, '1', null, null);
    if (c.note) data.run(mimeId.get('vnd.android.cursor.item/note'), rid, 0, c.note, null, null, null);
    if (c.whatsappJid) data.run(mimeId.get('vnd.android.cursor.item/vnd.com.whatsapp.profile'), rid, 0, c.whatsappJid, 'WhatsApp', `Message ${c.whatsappJid.split('@')[0]}`, null);
  }
}

const MMSSMS_DDL = `
CREATE TABLE canonical_addresses (_id INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT);
CREATE TABLE threads (_id INTEGER PRIMARY KEY AUTOINCREMENT, date INTEGER DEFAULT 0, message_count INTEGER DEFAULT 0, recipient_ids TEXT,
  snippet TEXT, snippet_cs INTEGER DEFAULT 0, read INTEGER DEFAULT 1, archived INTEGER DEFAULT 0, type INTEGER DEFAULT 0, error INTEGER DEFAULT 0,
  has_attachment INTEGER DEFAULT 0);
CREATE TABLE sms (_id INTEGER PRIMARY KEY, thread_id INTEGER, address TEXT, person INTEGER, date INTEGER, date_sent INTEGER DEFAULT 0,
  protocol INTEGER, read INTEGER DEFAULT 0, status INTEGER DEFAULT -1, type INTEGER, reply_path_present INTEGER, subject TEXT, body TEXT,
  service_center TEXT, locked INTEGER DEFAULT 0, sub_id INTEGER DEFAULT -1, error_code INTEGER DEFAULT 0, creator TEXT, seen INTEGER DEFAULT 0);
CREATE TABLE pdu (_id INTEGER PRIMARY KEY AUTOINCREMENT, thread_id INTEGER, date INTEGER, date_sent INTEGER DEFAULT 0, msg_box INTEGER,
  read INTEGER DEFAULT 0, m_id TEXT, sub TEXT, sub_cs INTEGER, ct_t TEXT, ct_l TEXT, exp INTEGER, m_cls TEXT, m_type INTEGER, v INTEGER,
  m_size INTEGER, pri INTEGER, rr INTEGER, rpt_a INTEGER, resp_st INTEGER, st INTEGER, tr_id TEXT, retr_st INTEGER, retr_txt TEXT,
  retr_txt_cs INTEGER, read_status INTEGER, ct_cls INTEGER, resp_txt TEXT, d_tm INTEGER, d_rpt INTEGER, locked INTEGER DEFAULT 0,
  sub_id INTEGER DEFAULT -1, seen INTEGER DEFAULT 0, creator TEXT, text_only INTEGER DEFAULT 0);
CREATE TABLE addr (_id INTEGER PRIMARY KEY, msg_id INTEGER, contact_id INTEGER, address TEXT, type INTEGER, charset INTEGER);
CREATE TABLE part (_id INTEGER PRIMARY KEY AUTOINCREMENT, mid INTEGER, seq INTEGER DEFAULT 0, ct TEXT, name TEXT, chset INTEGER, cd TEXT,
  fn TEXT, cid TEXT, cl TEXT, ctt_s INTEGER, ctt_t TEXT, _data TEXT, text TEXT);
`;

export interface SmsRow {
  address: string | null;
  date: number;
  type: number;
  body: string;
  thread?: string[];
}

export interface MmsRow {
  /** seconds since 1970, as Android's pdu table keeps it */
  dateS: number;
  box: number;
  from?: string;
  to: string[];
  text: string;
  subject?: string;
}

/** The fixed messages: a short code, an alphanumeric sender, the handlers, the target, a draft with its address only in the thread. */
export function storySms(): SmsRow[] {
  const t = (min: number) => STORY_START_MS + min * 60_000 + 500;
  const S = ANDROID_STORY;
  return [
    { address: S.shortCode, date: t(5), type: 1, body: 'Recarga exitosa de S/ 10.00 (synthetic)' },
    { address: S.alphaSender, date: t(6), type: 1, body: 'MOVISTAR: Tu plan vence mañana (synthetic)' },
    { address: S.handlerA, date: t(7), type: 1, body: 'Llama a la lista de hoy. 今天的名單 (synthetic)' },
    { address: '+60 3-2161 1111', date: t(8), type: 2, body: 'PDRM: Akaun anda disekat. Hubungi pegawai kami (synthetic)' },
    { address: S.handlerB, date: t(9), type: 5, body: 'failed to send (synthetic)' },
    { address: null, date: t(10), type: 3, body: 'borrador (synthetic)', thread: [S.handlerA] },
  ];
}

export function storyMms(): MmsRow[] {
  const s = Math.floor(STORY_START_MS / 1000);
  const S = ANDROID_STORY;
  return [
    { dateS: s + 11 * 60, box: 2, from: 'insert-address-token', to: [S.target, S.targetMobile], text: 'Lista de números (synthetic)', subject: 'lista' },
    { dateS: s + 12 * 60, box: 1, from: S.handlerA, to: [S.owner], text: '收到 (synthetic)' },
  ];
}

export function writeMmsSms(db: Database.Database, sms: SmsRow[], mms: MmsRow[]): void {
  db.exec(MMSSMS_DDL);
  const canonical = new Map<string, number>();
  const threads = new Map<string, number>();
  const addrId = (a: string) => {
    let id = canonical.get(a);
    if (id === undefined) {
      id = Number(db.prepare('INSERT INTO canonical_addresses (address) VALUES (?)').run(a).lastInsertRowid);
      canonical.set(a, id);
    }
    return id;
  };
  const threadId = (addresses: string[]) => {
    const key = addresses.map(addrId).sort((a, b) => a - b).join(' ');
    let id = threads.get(key);
    if (id === undefined) {
      id = Number(db.prepare('INSERT INTO threads (recipient_ids, message_count) VALUES (?, 0)').run(key).lastInsertRowid);
      threads.set(key, id);
    }
    db.prepare('UPDATE threads SET message_count = message_count + 1 WHERE _id = ?').run(id);
    return id;
  };
  const ins = db.prepare(`INSERT INTO sms (thread_id, address, date, date_sent, type, body, read, seen, protocol) VALUES (?,?,?,?,?,?,?,1,0)`);
  for (const m of sms) {
    const tid = threadId(m.thread ?? (m.address ? [m.address] : []));
    ins.run(tid, m.address, m.date, m.type === 1 ? m.date - 4000 : 0, m.type, m.body, m.type === 1 ? 1 : 0);
  }
  const pdu = db.prepare(`INSERT INTO pdu (thread_id, date, msg_box, read, sub, m_type, ct_t, text_only) VALUES (?,?,?,1,?,?,'application/vnd.wap.multipart.related',1)`);
  const addr = db.prepare('INSERT INTO addr (msg_id, address, type, charset) VALUES (?,?,?,106)');
  const part = db.prepare('INSERT INTO part (mid, seq, ct, chset, text) VALUES (?,?,?,106,?)');
  for (const m of mms) {
    const others = m.box === 1 ? [m.from ?? ''] : m.to;
    const id = Number(pdu.run(threadId(others), m.dateS, m.box, m.subject ?? null, m.box === 1 ? 132 : 128).lastInsertRowid);
    if (m.from) addr.run(id, m.from, 137);
    for (const t of m.to) addr.run(id, t, 151);
    part.run(id, -1, 'application/smil', '<smil><body><par><text src="text_0.txt"/></par></body></smil>');
    part.run(id, 0, 'text/plain', m.text);
  }
}

/** Writes the three databases and the README into `dir` (created; existing files of the same names are replaced). */
export function writeSyntheticAndroid(dir: string, opts: SyntheticAndroidOptions): SyntheticAndroid {
  const r = rng(opts.seed);
  mkdirSync(dir, { recursive: true });
  const calls = storyCalls();
  for (let i = 0; i < (opts.calls ?? 0); i++) {
    const p = randomParty(r, true);
    const type = r.pick([1, 1, 2, 2, 2, 3]);
    calls.push({ ...p, date: STORY_START_MS + 86_400_000 + r.int(0, 16 * 86_400) * 1000, duration: type === 3 ? 0 : r.int(5, 900), type });
  }
  const contacts = storyContacts();
  for (let i = 0; i < (opts.contacts ?? 0); i++) {
    const p = randomParty(r);
    contacts.push({ name: `${r.pick(GIVEN)} ${r.pick(FAMILY)} ${i + 1} (synthetic)`, phones: [{ data1: p.number, type: r.pick([1, 2, 3]) }] });
  }
  const sms = storySms();
  for (let i = 0; i < (opts.sms ?? 0); i++) {
    const p = randomParty(r);
    const type = r.pick([1, 2]);
    sms.push({ address: p.number, date: STORY_START_MS + 86_400_000 + r.int(0, 16 * 86_400) * 1000, type, body: `Mensaje ${i + 1} (synthetic)` });
  }
  const mms = storyMms();
  const path = (name: string) => join(dir, name);
  const fresh = (name: string) => {
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(path(name) + suffix, { force: true });
    const db = new Database(path(name));
    // Android does not enforce foreign keys (and AOSP's data table really names `mimetype(_id)`)
    db.pragma('foreign_keys = OFF');
    androidMetadata(db);
    return db;
  };
  const files: SyntheticAndroid['files'] = { contacts2: path('contacts2.db'), mmssms: path('mmssms.db'), readme: path('README-SYNTHETIC.txt') };
  const contactsDb = fresh('contacts2.db');
  contactsDb.transaction(() => {
    writeContacts(contactsDb, contacts);
    if (opts.callsIn === 'contacts2') writeCalls(contactsDb, calls);
  })();
  contactsDb.close();
  if (opts.callsIn !== 'contacts2') {
    const callDb = fresh('calllog.db');
    callDb.transaction(() => writeCalls(callDb, calls))();
    callDb.close();
    files.calllog = path('calllog.db');
  }
  const smsDb = fresh('mmssms.db');
  smsDb.transaction(() => writeMmsSms(smsDb, sms, mms))();
  smsDb.close();
  writeFileSync(files.readme, [
    'SYNTHETIC DATA: not from a real device.',
    `Generated by seed/generators/android.ts (seed ${opts.seed}) as a stand-in for an Android extraction of a phone`,
    'seized in the La Molina house (Lima case, 2023). All numbers, names and messages are invented.',
    'Files: calllog.db (table calls), contacts2.db (raw_contacts/data/mimetypes), mmssms.db (sms, pdu/addr/part).',
    '',
  ].join('\n'));
  return { dir, files, numbers: ANDROID_STORY, counts: { calls: calls.length, rawContacts: contacts.length, sms: sms.length, mms: mms.length } };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: tsx seed/generators/android.ts <dir> [seed]');
    process.exit(2);
  }
  const out = writeSyntheticAndroid(dir, { seed: Number(process.argv[3] ?? 51), calls: 200, contacts: 40, sms: 150 });
  console.log(`wrote ${Object.values(out.files).join(', ')}`);
}
