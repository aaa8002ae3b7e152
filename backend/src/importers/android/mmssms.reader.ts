// Android mmssms.db: SMS rows in `sms` (date in ms), MMS in `pdu` (date in SECONDS) with parties in
// `addr` (137 from, 151 to, 130 cc, 129 bcc) and text in `part` rows of type text/plain.
import type { BatchBuilder, BatchChunk, Props } from '../../model/index.ts';
import type { DeviceRefs } from '../shared/device.ts';
import { clipText, endpoint, rowTime } from '../shared/device-db.ts';
import { LIMITS } from '../shared/limits.ts';
import { sqlNumber, sqlText, sqliteImportError, type SqliteFile, type SqlRow } from '../shared/sqlite.ts';
import { fromUnixMs, fromUnixSeconds } from '../shared/time.ts';
import type { ImportInput } from '../types.ts';

/** Telephony.TextBasedSmsColumns.TYPE → direction and state. */
export const ANDROID_SMS_TYPES: Record<number, { direction: 'incoming' | 'outgoing'; status: string }> = {
  1: { direction: 'incoming', status: 'received' },
  2: { direction: 'outgoing', status: 'sent' },
  3: { direction: 'outgoing', status: 'draft' },
  4: { direction: 'outgoing', status: 'outbox' },
  5: { direction: 'outgoing', status: 'failed' },
  6: { direction: 'outgoing', status: 'queued' },
};

/** Telephony.BaseMmsColumns.MESSAGE_BOX. */
const MMS_BOXES: Record<number, { direction: 'incoming' | 'outgoing'; status: string }> = {
  1: { direction: 'incoming', status: 'received' },
  2: { direction: 'outgoing', status: 'sent' },
  3: { direction: 'outgoing', status: 'draft' },
  4: { direction: 'outgoing', status: 'outbox' },
  5: { direction: 'outgoing', status: 'failed' },
};
const ADDR_FROM = 137;
const ADDR_RECIPIENTS = new Set([151, 130, 129]);
/** what Android writes as the sender of the owner's own MMS */
const OWNER_TOKEN = 'insert-address-token';

const SMS_COLUMNS = ['_id', 'thread_id', 'address', 'date', 'date_sent', 'type', 'body', 'read', 'deleted'] as const;
const PDU_COLUMNS = ['_id', 'thread_id', 'date', 'msg_box', 'sub', 'm_type', 'read', 'deleted'] as const;

export function* readSms(f: SqliteFile, b: BatchBuilder, input: ImportInput, dev: DeviceRefs, tables: ReadonlySet<string>): Generator<BatchChunk> {
  const threads = threadRecipients(f, tables);
  if (tables.has('sms')) {
    const cols = f.requireColumns('sms', ['_id', 'address', 'date', 'type']);
    const select = SMS_COLUMNS.filter((c) => cols.has(c)).join(', ');
    for (const { row, locator, position } of f.rows<SqlRow>('sms', '_id', `SELECT ${select} FROM sms ORDER BY _id`)) {
      try {
        smsEvent(b, input, dev, row, locator, position, threads);
      } catch (err) {
        throw sqliteImportError(input.name, position, err);
      }
      if (b.pending >= LIMITS.chunkRecords) yield b.flush();
    }
  }
  if (tables.has('pdu') && tables.has('addr')) {
    const cols = f.requireColumns('pdu', ['_id', 'date', 'msg_box']);
    f.requireColumns('addr', ['msg_id', 'address', 'type']);
    const select = PDU_COLUMNS.filter((c) => cols.has(c)).join(', ');
    const addrs = f.db.prepare('SELECT address, type FROM addr WHERE msg_id = ? ORDER BY _id');
    const parts = tables.has('part') && f.columns('part').has('text')
      ? f.db.prepare(`SELECT text FROM part WHERE mid = ? AND ct = 'text/plain' ORDER BY ${f.columns('part').has('seq') ? 'seq, ' : ''}_id`).pluck()
      : undefined;
    for (const { row, locator, position } of f.rows<SqlRow>('pdu', '_id', `SELECT ${select} FROM pdu ORDER BY _id`)) {
      try {
        const parties = addrs.all(row._id) as { address: unknown; type: unknown }[];
        const text = parts ? (parts.all(row._id) as unknown[]).map((t) => sqlText(t as string | null) ?? '').filter(Boolean).join('\n') : '';
        mmsEvent(b, input, dev, row, locator, position, parties, text, threads);
      } catch (err) {
        throw sqliteImportError(input.name, position, err);
      }
      if (b.pending >= LIMITS.chunkRecords) yield b.flush();
    }
  }
}

/** thread_id → its recipients' addresses (threads.recipient_ids → canonical_addresses), for rows without an address. */
function threadRecipients(f: SqliteFile, tables: ReadonlySet<string>): Map<number, string[]> {
  const map = new Map<number, string[]>();
  if (!tables.has('threads') || !tables.has('canonical_addresses')) return map;
  if (!f.columns('threads').has('recipient_ids')) return map;
  const canonical = new Map<number, string>();
  for (const r of f.all<{ _id: number; address: unknown }>('canonical_addresses', 'SELECT _id, address FROM canonical_addresses')) {
    if (typeof r.address === 'string') canonical.set(Number(r._id), r.address);
  }
  for (const t of f.all<{ _id: number; recipient_ids: unknown }>('threads', 'SELECT _id, recipient_ids FROM threads')) {
    const ids = String(t.recipient_ids ?? '').split(/\s+/).filter(Boolean).map(Number);
    map.set(Number(t._id), ids.map((i) => canonical.get(i)).filter((a): a is string => !!a));
  }
  return map;
}

function smsEvent(
  b: BatchBuilder, input: ImportInput, dev: DeviceRefs, row: SqlRow, locator: string, position: string, threads: Map<number, string[]>,
): void {
  const time = rowTime(b, input.name, position, 'date', row.date, 'ms since 1970', fromUnixMs);
  if (!time) return;
  const typeNo = sqlNumber(row.type);
  const mapped = typeNo === null ? undefined : ANDROID_SMS_TYPES[typeNo];
  if (!mapped) {
    b.warn(`${input.name} ${locator}: unknown SMS type ${String(row.type)}; record skipped`);
    return;
  }
  let addresses = [sqlText(row.address)?.trim() ?? ''];
  if (!addresses[0]) {
    const fromThread = threads.get(sqlNumber(row.thread_id) ?? -1) ?? [];
    if (fromThread.length > 0) addresses = fromThread;
  }
  const props: Props = { direction: mapped.direction, status: mapped.status };
  const body = sqlText(row.body);
  if (body) props.body = clipText(b, body, `${input.name} ${locator}`);
  const read = sqlNumber(row.read);
  if (read !== null && mapped.direction === 'incoming') props.read = read === 1;
  for (const address of addresses) {
    const remote = endpoint(b, address, { region: dev.region, locator, scope: `${input.sha256}:${locator}` });
    const [from, to] = mapped.direction === 'outgoing' ? [dev.ownerPhoneId, remote] : [remote, dev.ownerPhoneId];
    b.event('MESSAGED', from, to, { kind: 'sms', at: time.at, deleted: sqlNumber(row.deleted) === 1, original: time.original, props, locator });
  }
}

function mmsEvent(
  b: BatchBuilder, input: ImportInput, dev: DeviceRefs, row: SqlRow, locator: string, position: string,
  parties: { address: unknown; type: unknown }[], text: string, threads: Map<number, string[]>,
): void {
  const time = rowTime(b, input.name, position, 'date', row.date, 's since 1970', fromUnixSeconds);
  if (!time) return;
  const box = sqlNumber(row.msg_box);
  const mapped = box === null ? undefined : MMS_BOXES[box];
  if (!mapped) {
    b.warn(`${input.name} ${locator}: unknown MMS box ${String(row.msg_box)}; record skipped`);
    return;
  }
  const addr = (t: (n: number) => boolean) => parties
    .filter((p) => t(Number(p.type)) && typeof p.address === 'string' && p.address.trim() !== '' && p.address !== OWNER_TOKEN)
    .map((p) => (p.address as string).trim());
  const props: Props = { direction: mapped.direction, status: mapped.status };
  if (text) props.body = clipText(b, text, `${input.name} ${locator}`);
  const subject = sqlText(row.sub);
  if (subject) props.subject = clipText(b, subject, `${input.name} ${locator}`);
  const scope = `${input.sha256}:${locator}`;
  const common = { kind: 'mms', at: time.at, deleted: sqlNumber(row.deleted) === 1, original: time.original, props, locator };
  if (mapped.direction === 'incoming') {
    const sender = addr((t) => t === ADDR_FROM)[0] ?? (threads.get(sqlNumber(row.thread_id) ?? -1) ?? [])[0];
    if (!sender) {
      b.warn(`${input.name} ${locator}: received MMS without a sender address; record skipped`);
      return;
    }
    b.event('MESSAGED', endpoint(b, sender, { region: dev.region, locator, scope }), dev.ownerPhoneId, common);
    return;
  }
  let recipients = addr((t) => ADDR_RECIPIENTS.has(t));
  if (recipients.length === 0) recipients = threads.get(sqlNumber(row.thread_id) ?? -1) ?? [];
  if (recipients.length === 0) {
    b.warn(`${input.name} ${locator}: sent MMS without recipients; record skipped`);
    return;
  }
  for (const r of new Set(recipients)) b.event('MESSAGED', dev.ownerPhoneId, endpoint(b, r, { region: dev.region, locator, scope }), common);
}
