// Android contacts2.db: raw_contacts (one per account a contact is stored in), data rows typed by
// mimetypes. Phone rows keep the number as typed (data1) and Android's E.164 form (data4), which was
// computed with the phone's country when the contact was saved — the better identity when present.
import { normalisePhone, type BatchBuilder, type BatchChunk, type Props } from '../../model/index.ts';
import type { DeviceRefs } from '../shared/device.ts';
import { clipText, endpoint, isEmailAddress, MAX_HANDLE_CHARS } from '../shared/device-db.ts';
import { LIMITS } from '../shared/limits.ts';
import { sqlNumber, sqlText, sqliteImportError, type SqliteFile, type SqlRow } from '../shared/sqlite.ts';
import type { ImportInput } from '../types.ts';

export const MIME = {
  phone: 'vnd.android.cursor.item/phone_v2',
  email: 'vnd.android.cursor.item/email_v2',
  name: 'vnd.android.cursor.item/name',
  note: 'vnd.android.cursor.item/note',
  organization: 'vnd.android.cursor.item/organization',
} as const;

/** ContactsContract.CommonDataKinds.Phone.TYPE labels (0 = custom: the label is in data3). */
const PHONE_TYPES: Record<number, string> = {
  1: 'Home', 2: 'Mobile', 3: 'Work', 4: 'Work fax', 5: 'Home fax', 6: 'Pager', 7: 'Other', 8: 'Callback', 9: 'Car',
  10: 'Company main', 11: 'ISDN', 12: 'Main', 13: 'Other fax', 14: 'Radio', 15: 'Telex', 16: 'TTY TDD', 17: 'Work mobile',
  18: 'Work pager', 19: 'Assistant', 20: 'MMS',
};

/** Account types of the apps whose contacts an investigator tells apart. */
const APPS: Record<string, string> = {
  'com.whatsapp': 'WhatsApp', 'com.google': 'Google', 'org.telegram.messenger': 'Telegram', 'com.viber.voip': 'Viber',
  'jp.naver.line.android': 'LINE', 'com.tencent.mm': 'WeChat', 'com.facebook.orca': 'Messenger', 'org.thoughtcrime.securesms': 'Signal',
};

interface DataRow extends SqlRow {
  _id: number;
  raw_contact_id: number;
  mimetype: string | null;
  data1: string | null;
  data2: string | null;
  data3: string | null;
  data4: string | null;
  display_name: string | null;
  deleted: number | null;
  account_type: string | null;
}

export function* readContacts(f: SqliteFile, b: BatchBuilder, input: ImportInput, dev: DeviceRefs, tables: ReadonlySet<string>): Generator<BatchChunk> {
  f.requireColumns('data', ['_id', 'raw_contact_id', 'mimetype_id', 'data1']);
  f.requireColumns('mimetypes', ['_id', 'mimetype']);
  const rc = f.requireColumns('raw_contacts', ['_id']);
  const dataCols = f.columns('data');
  const col = (c: string) => (dataCols.has(c) ? `d.${c}` : 'NULL');
  // newer Android: raw_contacts.account_id → accounts; older: account_type on raw_contacts itself
  const accountJoin = rc.has('account_id') && tables.has('accounts') && f.columns('accounts').has('account_type')
    ? { select: 'a.account_type', join: 'LEFT JOIN accounts a ON a._id = rc.account_id' }
    : { select: rc.has('account_type') ? 'rc.account_type' : 'NULL', join: '' };
  const sql = `SELECT d._id AS _id, d.raw_contact_id AS raw_contact_id, m.mimetype AS mimetype, d.data1 AS data1,
      ${col('data2')} AS data2, ${col('data3')} AS data3, ${col('data4')} AS data4,
      ${rc.has('display_name') ? 'rc.display_name' : 'NULL'} AS display_name, ${rc.has('deleted') ? 'rc.deleted' : '0'} AS deleted,
      ${accountJoin.select} AS account_type
    FROM data d JOIN mimetypes m ON m._id = d.mimetype_id JOIN raw_contacts rc ON rc._id = d.raw_contact_id ${accountJoin.join}
    WHERE m.mimetype IN ('${MIME.phone}', '${MIME.email}', '${MIME.name}', '${MIME.note}', '${MIME.organization}') OR m.mimetype LIKE '%whatsapp%'
    ORDER BY d.raw_contact_id, d._id`;
  let group: { row: DataRow; position: string }[] = [];
  let current: number | undefined;
  for (const { row, position } of f.rows<DataRow>('data', '_id', sql)) {
    if (current !== undefined && row.raw_contact_id !== current) {
      emitContact(b, input, dev, group);
      group = [];
      if (b.pending >= LIMITS.chunkRecords) yield b.flush();
    }
    current = row.raw_contact_id;
    group.push({ row, position });
  }
  if (group.length > 0) emitContact(b, input, dev, group);
}

/** One raw contact: its name, then a HAS_CONTACT from the device to each of its numbers and addresses. */
function emitContact(b: BatchBuilder, input: ImportInput, dev: DeviceRefs, group: { row: DataRow; position: string }[]): void {
  const rows = group.map((g) => g.row);
  const first = rows[0];
  const nameRow = rows.find((r) => r.mimetype === MIME.name && sqlText(r.data1)?.trim());
  const name = (sqlText(first.display_name)?.trim() || sqlText(nameRow?.data1)?.trim() || '').slice(0, 500);
  const note = rows.filter((r) => r.mimetype === MIME.note).map((r) => sqlText(r.data1) ?? '').filter(Boolean).join('\n');
  const org = rows.find((r) => r.mimetype === MIME.organization && sqlText(r.data1)?.trim());
  const accountType = sqlText(first.account_type);
  const app = accountType ? (APPS[accountType] ?? accountType.slice(0, 120)) : undefined;
  const deleted = sqlNumber(first.deleted) === 1;
  for (const [i, row] of rows.entries()) {
    const locator = `data/_id=${row._id}`;
    try {
      const base: Props = {};
      if (name) base.name = name;
      if (app) base.source = app;
      if (deleted) base.deleted = true;
      if (org) base.organization = (sqlText(org.data1) ?? '').slice(0, 500);
      if (note) base.note = clipText(b, note, `${input.name} raw_contacts/_id=${row.raw_contact_id}`);
      const value = (sqlText(row.data1)?.trim() ?? '').slice(0, MAX_HANDLE_CHARS);
      if (row.mimetype === MIME.phone) {
        if (!value && !sqlText(row.data4)) {
          b.warn(`${input.name} ${locator}: phone entry without a number; skipped`);
          continue;
        }
        const type = sqlNumber(row.data2);
        const label = type === 0 ? sqlText(row.data3)?.trim() : type !== null ? PHONE_TYPES[type] : undefined;
        const e164 = sqlText(row.data4)?.trim().slice(0, MAX_HANDLE_CHARS);
        const id = e164 && normalisePhone(e164, dev.region).kind === 'e164'
          ? b.phone(e164, { region: dev.region, locator, props: { original: value || e164 }, aliases: [value, name].filter(Boolean) }).id
          : endpoint(b, value, { region: dev.region, locator, scope: `${input.sha256}:${locator}`, aliases: name ? [name] : undefined });
        b.link('HAS_CONTACT', dev.deviceId, id, locator, label ? { ...base, label } : base);
      } else if (row.mimetype === MIME.email) {
        if (!isEmailAddress(value)) {
          b.warn(`${input.name} ${locator}: "${value.slice(0, 80)}" is not an e-mail address; skipped`);
          continue;
        }
        const id = b.entity('Email', { label: value, props: { address: value.toLowerCase() }, aliases: name ? [name] : undefined, locator });
        b.link('HAS_CONTACT', dev.deviceId, id, locator, base);
      } else if (row.mimetype && /whatsapp/i.test(row.mimetype) && /^\d{6,15}@s\.whatsapp\.net$/i.test(value)) {
        // WhatsApp's own rows carry the JID: the Phone and the Account it runs on
        const id = endpoint(b, value, { region: dev.region, locator, scope: `${input.sha256}:${locator}`, aliases: name ? [name] : undefined });
        b.link('HAS_CONTACT', dev.deviceId, id, locator, { ...base, source: 'WhatsApp' });
      }
    } catch (err) {
      throw sqliteImportError(input.name, group[i].position, err);
    }
  }
}
