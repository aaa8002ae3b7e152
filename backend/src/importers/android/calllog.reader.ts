// Android call log: table `calls` of calllog.db (contacts2.db on older Android). `date` is ms since
// 1970, `duration` seconds, `countryiso` the network country of each row (the region its national-format
// numbers are read in), `phone_account_address` the SIM's own number where the OEM fills it in.
import { normalisePhone, type BatchBuilder, type BatchChunk, type Props } from '../../model/index.ts';
import { addDevice, type DeviceRefs } from '../shared/device.ts';
import { endpoint, MAX_NAME_CHARS, regionOf, rowTime } from '../shared/device-db.ts';
import { LIMITS } from '../shared/limits.ts';
import { sqlNumber, sqlText, sqliteImportError, type SqliteFile, type SqlRow } from '../shared/sqlite.ts';
import { fromUnixMs } from '../shared/time.ts';
import type { ImportContext, ImportInput } from '../types.ts';

/** AOSP CallLog.Calls.TYPE → direction and what became of the call. */
export const ANDROID_CALL_TYPES: Record<number, { direction: 'incoming' | 'outgoing'; status: string }> = {
  1: { direction: 'incoming', status: 'answered' },
  2: { direction: 'outgoing', status: 'dialled' },
  3: { direction: 'incoming', status: 'missed' },
  4: { direction: 'incoming', status: 'voicemail' },
  5: { direction: 'incoming', status: 'rejected' },
  6: { direction: 'incoming', status: 'blocked' },
  7: { direction: 'incoming', status: 'answered elsewhere' },
};

/** CallLog.Calls.PRESENTATION: 1 allowed; the others hide the number. */
const PRESENTATION: Record<number, string> = { 2: 'restricted', 3: 'unknown', 4: 'payphone' };

/** Columns read when the table has them; `_id`, `number`, `date` and `type` are required. */
const CALL_COLUMNS = [
  '_id', 'number', 'date', 'duration', 'type', 'name', 'normalized_number', 'countryiso', 'phone_account_address',
  'presentation', 'features', 'subscription_component_name', 'deleted',
] as const;
const FEATURES_VIDEO = 0x1;

/** Telephony components are the phone itself; anything else (a VoIP app) is named as the call's app. */
function appOf(component: string | null): string | undefined {
  if (!component) return undefined;
  const pkg = component.split('/')[0];
  if (/^com\.android\.(phone|server\.telecom)|^com\.(samsung|sec)\.android\.(phone|app\.telephonyui)|telephony/i.test(pkg)) return undefined;
  return pkg.slice(0, 120);
}

/**
 * The SIM's own number from the call log, when `phone_account_address` holds one: the most frequent
 * value that parses to E.164 (in the row's country). Undefined when the column is absent or empty.
 */
export function ownNumberFromCalls(f: SqliteFile, defaultRegion: string): string | undefined {
  const cols = f.columns('calls');
  if (!cols.has('phone_account_address')) return undefined;
  const country = cols.has('countryiso') ? 'countryiso' : 'NULL';
  const rows = f.all<{ a: unknown; c: unknown; n: number }>('calls',
    `SELECT phone_account_address AS a, ${country} AS c, count(*) AS n FROM calls
      WHERE phone_account_address IS NOT NULL AND phone_account_address <> '' GROUP BY a, c ORDER BY n DESC LIMIT 50`);
  for (const r of rows) {
    if (typeof r.a !== 'string') continue;
    const p = normalisePhone(r.a, regionOf(r.c as string) ?? defaultRegion);
    if (p.kind === 'e164') return p.key;
  }
  return undefined;
}

/**
 * The Android device of one database file. These files hold no IMEI: the device is the one the
 * investigator names (ctx.device), else it is keyed by the file. The file's own number wins over a given one.
 */
export function androidDevice(b: BatchBuilder, input: ImportInput, ctx: ImportContext, msisdn?: string): DeviceRefs {
  return addDevice(b, { name: 'Android handset', imei: ctx.device?.imei, msisdn: msisdn ?? ctx.device?.msisdn, props: { platform: 'Android' }, locator: 'file' }, ctx.defaultRegion);
}

/** Streams table `calls` as CALLED events between the owner line and the remote number. */
export function* readCalls(f: SqliteFile, b: BatchBuilder, input: ImportInput, dev: DeviceRefs): Generator<BatchChunk> {
  const cols = f.requireColumns('calls', ['_id', 'number', 'date', 'type']);
  const select = CALL_COLUMNS.filter((c) => cols.has(c)).join(', ');
  const lines = new Map<string, string>();
  for (const { row, locator, position } of f.rows<SqlRow>('calls', '_id', `SELECT ${select} FROM calls ORDER BY _id`)) {
    try {
      const time = rowTime(b, input.name, position, 'date', row.date, 'ms since 1970', fromUnixMs);
      if (time) callEvent(b, input, dev, row, locator, time, lines);
    } catch (err) {
      throw sqliteImportError(input.name, position, err);
    }
    if (b.pending >= LIMITS.chunkRecords) yield b.flush();
  }
}

function callEvent(
  b: BatchBuilder, input: ImportInput, dev: DeviceRefs, row: SqlRow, locator: string, time: { at: Date; original: string }, lines: Map<string, string>,
): void {
  const region = regionOf(row.countryiso) ?? dev.region;
  const typeNo = sqlNumber(row.type);
  const mapped = typeNo === null ? undefined : ANDROID_CALL_TYPES[typeNo];
  if (!mapped) b.warn(`${input.name} ${locator}: unknown call type ${String(row.type)}; kept as direction "unknown"`);
  let duration = sqlNumber(row.duration);
  if (duration !== null && duration < 0) {
    b.warn(`${input.name} ${locator}: duration ${duration} is negative; kept without a duration`);
    duration = null;
  }
  const presentation = sqlNumber(row.presentation);
  let number = sqlText(row.number)?.trim() ?? '';
  if (presentation !== null && PRESENTATION[presentation] && (number === '' || /^-\d$/.test(number))) number = PRESENTATION[presentation];
  const name = sqlText(row.name)?.trim().slice(0, MAX_NAME_CHARS);
  const remote = endpoint(b, number, {
    region, locator, scope: `${input.sha256}:${locator}`, aliases: name ? [name] : undefined, e164: sqlText(row.normalized_number),
  });
  const owner = ownerLine(b, dev, sqlText(row.phone_account_address), region, locator, lines);
  const direction = mapped?.direction ?? 'unknown';
  let status = mapped?.status ?? `type ${String(row.type)}`;
  if (typeNo === 2) status = (duration ?? 0) > 0 ? 'answered' : 'unanswered';
  const props: Props = { direction, status };
  const app = appOf(sqlText(row.subscription_component_name));
  if (app) props.app = app;
  const features = sqlNumber(row.features);
  if (features !== null && (features & FEATURES_VIDEO) !== 0) props.video = true;
  if (name) props.cachedName = name;
  const [from, to] = direction === 'outgoing' ? [owner, remote] : [remote, owner];
  b.event('CALLED', from, to, {
    kind: 'call', at: time.at, durationS: duration, deleted: sqlNumber(row.deleted) === 1, original: time.original, props, locator,
  });
}

/** The device's line for this row: the SIM number in `phone_account_address` when it is one, else the owner line. */
function ownerLine(b: BatchBuilder, dev: DeviceRefs, address: string | null, region: string, locator: string, lines: Map<string, string>): string {
  if (!address) return dev.ownerPhoneId;
  const p = normalisePhone(address, region);
  if (p.kind !== 'e164') return dev.ownerPhoneId;
  let id = lines.get(p.key);
  if (!id) {
    id = b.phone(p.key, { locator, props: { role: 'device line' } }).id;
    if (id !== dev.ownerPhoneId) b.link('USES_PHONE', dev.deviceId, id, locator);
    lines.set(p.key, id);
  }
  return id;
}
