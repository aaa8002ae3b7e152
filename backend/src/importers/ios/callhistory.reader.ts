// iOS CallHistory.storedata (Core Data): table ZCALLRECORD. ZDATE is seconds since 2001-01-01 UTC,
// ZDURATION float seconds, ZADDRESS text or a BLOB of UTF-8, ZISO_COUNTRY_CODE the row's region.
import type { BatchBuilder, BatchChunk, Props } from '../../model/index.ts';
import type { DeviceRefs } from '../shared/device.ts';
import { endpoint, MAX_NAME_CHARS, regionOf, rowTime } from '../shared/device-db.ts';
import { LIMITS } from '../shared/limits.ts';
import { sqlNumber, sqlText, sqliteImportError, type SqliteFile, type SqlRow } from '../shared/sqlite.ts';
import { fromAppleTime } from '../shared/time.ts';
import type { ImportInput } from '../types.ts';

/** ZCALLTYPE → the app and whether it was video. */
export const IOS_CALL_TYPES: Record<number, { app?: string; video?: boolean }> = {
  1: {},
  8: { app: 'FaceTime', video: true },
  16: { app: 'FaceTime' },
  0: { app: 'third-party app' },
};

const COLUMNS = ['Z_PK', 'ZDATE', 'ZDURATION', 'ZORIGINATED', 'ZANSWERED', 'ZCALLTYPE', 'ZADDRESS', 'ZISO_COUNTRY_CODE', 'ZNAME', 'ZSERVICE_PROVIDER'] as const;

/** CallKit service providers seen in CallHistory, by bundle id. */
const PROVIDERS: Record<string, string> = {
  'com.apple.telephony': 'phone', 'com.apple.facetime': 'FaceTime', 'net.whatsapp.whatsapp': 'WhatsApp', 'ph.telegra.telegraph': 'Telegram',
  'com.viber': 'Viber', 'jp.naver.line': 'LINE', 'com.tencent.xin': 'WeChat', 'org.whispersystems.signal': 'Signal',
};

export function* readCallHistory(f: SqliteFile, b: BatchBuilder, input: ImportInput, dev: DeviceRefs): Generator<BatchChunk> {
  const cols = f.requireColumns('ZCALLRECORD', ['Z_PK', 'ZDATE', 'ZADDRESS', 'ZORIGINATED']);
  const select = COLUMNS.filter((c) => cols.has(c)).join(', ');
  for (const { row, locator, position } of f.rows<SqlRow>('ZCALLRECORD', 'Z_PK', `SELECT ${select} FROM ZCALLRECORD ORDER BY Z_PK`)) {
    try {
      const time = rowTime(b, input.name, position, 'ZDATE', row.ZDATE, 's since 2001-01-01 UTC', fromAppleTime);
      if (time) callEvent(b, input, dev, row, locator, time);
    } catch (err) {
      throw sqliteImportError(input.name, position, err);
    }
    if (b.pending >= LIMITS.chunkRecords) yield b.flush();
  }
}

function callEvent(b: BatchBuilder, input: ImportInput, dev: DeviceRefs, row: SqlRow, locator: string, time: { at: Date; original: string }): void {
  const typeNo = sqlNumber(row.ZCALLTYPE) ?? 1;
  const type = IOS_CALL_TYPES[typeNo];
  if (!type) b.warn(`${input.name} ${locator}: unknown ZCALLTYPE ${typeNo}; kept as a call`);
  const provider = sqlText(row.ZSERVICE_PROVIDER)?.trim();
  const providerApp = provider ? (PROVIDERS[provider.toLowerCase()] ?? provider.slice(0, 120)) : undefined;
  const app = typeNo === 0 ? (providerApp && providerApp !== 'phone' ? providerApp : type?.app) : type?.app;
  const outgoing = sqlNumber(row.ZORIGINATED) === 1;
  const answered = sqlNumber(row.ZANSWERED) === 1;
  const name = sqlText(row.ZNAME)?.trim().slice(0, MAX_NAME_CHARS);
  const remote = endpoint(b, sqlText(row.ZADDRESS) ?? '', {
    region: regionOf(row.ZISO_COUNTRY_CODE) ?? dev.region, locator, scope: `${input.sha256}:${locator}`,
    aliases: name ? [name] : undefined, app, appHandle: typeNo === 0,
  });
  const props: Props = { direction: outgoing ? 'outgoing' : 'incoming', status: answered ? 'answered' : outgoing ? 'unanswered' : 'missed' };
  if (app) props.app = app;
  if (type?.video) props.video = true;
  if (!type) props.callType = typeNo;
  if (name) props.cachedName = name;
  let duration = sqlNumber(row.ZDURATION);
  if (duration !== null && duration < 0) {
    b.warn(`${input.name} ${locator}: ZDURATION ${duration} is negative; kept without a duration`);
    duration = null;
  }
  const [from, to] = outgoing ? [dev.ownerPhoneId, remote] : [remote, dev.ownerPhoneId];
  b.event('CALLED', from, to, { kind: 'call', at: time.at, durationS: duration, original: time.original, props, locator });
}
