// iOS sms.db: `message` rows (date in ns since 2001 on iOS 11+, seconds before), `handle` ids (+E.164
// or e-mail), chats with their handles. The owner's outgoing messages often have handle_id = 0: their
// recipients are the handles of the chat the message belongs to.
import type { BatchBuilder, BatchChunk, Props } from '../../model/index.ts';
import type { DeviceRefs } from '../shared/device.ts';
import { clipText, endpoint, regionOf, rowTime } from '../shared/device-db.ts';
import { LIMITS } from '../shared/limits.ts';
import { sqlNumber, sqlText, sqliteImportError, type SqliteFile, type SqlRow } from '../shared/sqlite.ts';
import { fromAppleTime } from '../shared/time.ts';
import type { ImportInput } from '../types.ts';

const CHAT_STYLE_GROUP = 43;
const MESSAGE_COLUMNS = ['ROWID', 'text', 'handle_id', 'service', 'date', 'is_from_me', 'cache_roomnames', 'attributedBody'] as const;

interface Handle {
  id: string;
  service: string | null;
  region?: string;
}

interface Chat {
  identifier: string;
  style: number | null;
  name: string | null;
  handles: number[];
}

export function* readSmsDb(f: SqliteFile, b: BatchBuilder, input: ImportInput, dev: DeviceRefs, tables: ReadonlySet<string>): Generator<BatchChunk> {
  const cols = f.requireColumns('message', ['ROWID', 'handle_id', 'date', 'is_from_me']);
  f.requireColumns('handle', ['ROWID', 'id']);
  const handles = new Map<number, Handle>();
  const hcols = f.columns('handle');
  const opt = (c: string) => (hcols.has(c) ? c : 'NULL');
  for (const h of f.all<{ ROWID: number; id: unknown; service: unknown; country: unknown }>('handle',
    `SELECT ROWID AS ROWID, id, ${opt('service')} AS service, ${opt('country')} AS country FROM handle`)) {
    const id = sqlText(h.id as string | null)?.trim();
    // handle.country (lowercase ISO) is the region a national-format id was written in
    if (id) handles.set(Number(h.ROWID), { id, service: typeof h.service === 'string' ? h.service : null, region: regionOf(h.country as string | null) });
  }
  const chats = readChats(f, tables);
  const withChat = tables.has('chat_message_join') && chats.size > 0;
  const select = MESSAGE_COLUMNS.filter((c) => cols.has(c)).map((c) => `m.${c}`).join(', ');
  const sql = `SELECT ${select}${withChat ? ', (SELECT j.chat_id FROM chat_message_join j WHERE j.message_id = m.ROWID ORDER BY j.chat_id LIMIT 1) AS chat_id' : ', NULL AS chat_id'}
    FROM message m ORDER BY m.ROWID`;
  for (const { row, locator, position } of f.rows<SqlRow>('message', 'ROWID', sql)) {
    try {
      messageEvent(b, input, dev, row, locator, position, handles, chats);
    } catch (err) {
      throw sqliteImportError(input.name, position, err);
    }
    if (b.pending >= LIMITS.chunkRecords) yield b.flush();
  }
}

function readChats(f: SqliteFile, tables: ReadonlySet<string>): Map<number, Chat> {
  const chats = new Map<number, Chat>();
  if (!tables.has('chat')) return chats;
  const cols = f.columns('chat');
  if (!cols.has('ROWID') && !cols.has('chat_identifier')) return chats;
  const rows = f.all<{ ROWID: number; chat_identifier: unknown; style: unknown; display_name: unknown }>('chat',
    `SELECT ROWID AS ROWID, ${cols.has('chat_identifier') ? 'chat_identifier' : 'NULL'} AS chat_identifier, ${cols.has('style') ? 'style' : 'NULL'} AS style,
            ${cols.has('display_name') ? 'display_name' : 'NULL'} AS display_name FROM chat`);
  for (const c of rows) {
    chats.set(Number(c.ROWID), {
      identifier: sqlText(c.chat_identifier as string | null) ?? '', style: sqlNumber(c.style as number | null),
      name: sqlText(c.display_name as string | null)?.trim() || null, handles: [],
    });
  }
  if (tables.has('chat_handle_join')) {
    for (const j of f.all<{ chat_id: number; handle_id: number }>('chat_handle_join', 'SELECT chat_id, handle_id FROM chat_handle_join ORDER BY chat_id, handle_id')) {
      chats.get(Number(j.chat_id))?.handles.push(Number(j.handle_id));
    }
  }
  return chats;
}

function messageEvent(
  b: BatchBuilder, input: ImportInput, dev: DeviceRefs, row: SqlRow, locator: string, position: string,
  handles: Map<number, Handle>, chats: Map<number, Chat>,
): void {
  const time = rowTime(b, input.name, position, 'date', row.date, 'Apple time: ns (iOS 11+) or s since 2001-01-01 UTC', fromAppleTime);
  if (!time) return;
  const fromMe = sqlNumber(row.is_from_me) === 1;
  const handleId = sqlNumber(row.handle_id) ?? 0;
  const chatId = sqlNumber(row.chat_id);
  const chat = chatId === null ? undefined : chats.get(chatId);
  const group = chat?.style === CHAT_STYLE_GROUP || (chat?.handles.length ?? 0) > 1;
  const service = sqlText(row.service) ?? handles.get(handleId)?.service ?? null;
  const app = service && !/^sms$/i.test(service) ? service.slice(0, 40) : undefined;
  const kind = service && /imessage/i.test(service) ? 'chat' : 'sms';
  const props: Props = { direction: fromMe ? 'outgoing' : 'incoming', status: fromMe ? 'sent' : 'received' };
  if (app) props.app = app;
  if (group) {
    props.group = true;
    const title = chat?.name || chat?.identifier || sqlText(row.cache_roomnames);
    if (title) props.chat = title.slice(0, 200);
  }
  let body = sqlText(row.text);
  if (!body && Buffer.isBuffer(row.attributedBody)) {
    body = textFromAttributedBody(row.attributedBody);
    if (body) props.bodySource = 'attributedBody';
  }
  if (body) props.body = clipText(b, body, `${input.name} ${locator}`);
  const scope = `${input.sha256}:${locator}`;
  const end = (h: number) => {
    const handle = handles.get(h);
    return handle ? endpoint(b, handle.id, { region: handle.region ?? dev.region, locator, scope }) : undefined;
  };
  const event = { kind, at: time.at, original: time.original, props, locator };
  if (!fromMe) {
    const sender = handleId !== 0 ? end(handleId) : chat && chat.handles.length === 1 ? end(chat.handles[0]) : undefined;
    if (!sender) {
      b.warn(`${input.name} ${locator}: received message whose sender handle ${handleId} is unknown; record skipped`);
      return;
    }
    b.event('MESSAGED', sender, dev.ownerPhoneId, event);
    return;
  }
  const members = chat?.handles ?? [];
  const recipients = (group || handleId === 0) && members.length > 0 ? members : handleId !== 0 ? [handleId] : members;
  const ends = [...new Set(recipients.map(end).filter((id): id is string => !!id))];
  if (ends.length === 0) {
    b.warn(`${input.name} ${locator}: sent message with no recipient (handle_id ${handleId}, no chat handles); record skipped`);
    return;
  }
  for (const to of ends) b.event('MESSAGED', dev.ownerPhoneId, to, event);
}

/**
 * iOS 16+ often leaves `text` empty and keeps the words in `attributedBody`, an NSAttributedString in
 * Apple's typedstream format. Best effort: the first string after the NSString class marker.
 */
export function textFromAttributedBody(blob: Buffer): string | null {
  const marker = blob.indexOf('NSString');
  if (marker < 0) return null;
  let i = marker + 'NSString'.length + 5;
  if (i >= blob.length) return null;
  let len = blob[i];
  i += 1;
  if (len === 0x81) {
    if (i + 2 > blob.length) return null;
    len = blob.readUInt16LE(i);
    i += 2;
  } else if (len === 0x82) {
    if (i + 4 > blob.length) return null;
    len = blob.readUInt32LE(i);
    i += 4;
  }
  if (len <= 0 || i + len > blob.length) return null;
  return blob.toString('utf8', i, i + len);
}
