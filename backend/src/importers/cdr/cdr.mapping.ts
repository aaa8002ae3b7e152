// The CDR column mapping: operator call records have no standard layout, so an import says which column
// holds what, how dates and durations are written, the file's encoding and — always — the time zone the
// operator wrote local times in. Saved mappings (services/mapping.service.ts) are this schema as JSON.
import { z } from 'zod';
import { isWallClockPattern } from '../shared/datetime-format.ts';
import { isValidTimeZone } from '../shared/time.ts';

/** What a record was, after the call-type map. */
export const CDR_SERVICES = ['voice-out', 'voice-in', 'sms-out', 'sms-in', 'data', 'other'] as const;
export const CdrService = z.enum(CDR_SERVICES);
export type CdrService = z.infer<typeof CdrService>;

/** Saved mapping names: also the file name stem, so a strict alphabet and no leading dot. */
export const MAPPING_NAME_RE = /^(?![. ])[A-Za-z0-9 _.-]{1,64}(?<![. ])$/;
export const MappingName = z.string().regex(MAPPING_NAME_RE, 'a mapping name is 1–64 of A–Z a–z 0–9 space _ . - and does not start or end with a dot or space');

/** A column by its header name (matched case-insensitively, trimmed) or by 0-based index. */
export const ColumnRef = z.union([z.string().trim().min(1).max(200), z.number().int().min(0).max(10_000)]);
export type ColumnRef = z.infer<typeof ColumnRef>;

export const CdrColumns = z.strictObject({
  /** the calling party (A is the caller in every record, MO or MT) */
  aNumber: ColumnRef,
  /** the called party / SMS recipient */
  bNumber: ColumnRef,
  /** a date column (with `time`), or a date-and-time column (`datetime`) */
  date: ColumnRef.optional(),
  time: ColumnRef.optional(),
  datetime: ColumnRef.optional(),
  duration: ColumnRef.optional(),
  callType: ColumnRef.optional(),
  /** IMEI / IMSI of the served subscriber (A for outgoing records, B for incoming ones) */
  imei: ColumnRef.optional(),
  imsi: ColumnRef.optional(),
  /** first and last cell (`MCC-MNC-LAC-CID` or whatever the operator writes), kept as text on the event */
  cellFirst: ColumnRef.optional(),
  cellLast: ColumnRef.optional(),
  /** subscriber names where the operator adds them: kept as aliases of the number */
  aName: ColumnRef.optional(),
  bName: ColumnRef.optional(),
});
export type CdrColumns = z.infer<typeof CdrColumns>;

/** The date pattern `ISO` reads ISO-8601 date-times; an offset in the text wins over `timeZone`. */
export const DateFormat = z.string().min(3).max(40).refine((p) => p === 'ISO' || (isWallClockPattern(p) && p.includes('YYYY')), {
  message: 'a date format is ISO or a pattern of YYYY MM DD (HH mm ss) with separators - / . : T , or space, e.g. DD/MM/YYYY or YYYYMMDD HH:mm:ss',
});
export const TimeFormat = z.string().min(4).max(20).refine((p) => isWallClockPattern(p) && !/YYYY|MM|DD/.test(p), {
  message: 'a time format is a pattern of HH mm (ss), e.g. HH:mm:ss, HH:mm or HHmmss',
});

export const CdrMapping = z.strictObject({
  name: MappingName.optional(),
  delimiter: z.enum([',', ';', '\t', '|']).default(','),
  encoding: z.enum(['utf-8', 'windows-1252', 'utf-16le', 'latin1']).default('utf-8'),
  /** true: the first record is a header row (column names may then be used) */
  header: z.boolean().default(true),
  columns: CdrColumns,
  /** pattern of the date column, or of the datetime column (which may include time tokens) */
  dateFormat: DateFormat.default('YYYY-MM-DD'),
  /** pattern of the separate time column, and of the time part of a datetime column whose dateFormat has none */
  timeFormat: TimeFormat.default('HH:mm:ss'),
  durationFormat: z.enum(['seconds', 'mm:ss', 'hh:mm:ss']).default('seconds'),
  /** durations written `12,5` */
  decimalComma: z.boolean().default(false),
  /** IANA zone of the operator's local times (required: CDRs carry no offset) */
  timeZone: z.string().min(1).max(64).refine(isValidTimeZone, { message: 'not a known IANA time zone (e.g. America/Lima)' }),
  /** region for numbers written in national format (ISO 3166 alpha-2); the import's default region when absent */
  region: z.string().regex(/^[A-Za-z]{2}$/, 'an ISO 3166 alpha-2 region such as PE or MY').transform((s) => s.toUpperCase()).optional(),
  /** raw call-type values → service; matched case-insensitively, before the built-in defaults */
  callTypeMap: z.record(z.string().min(1).max(60), CdrService).optional(),
}).superRefine((m, ctx) => {
  const c = m.columns;
  if (c.datetime === undefined && c.date === undefined) {
    ctx.addIssue({ code: 'custom', path: ['columns'], message: 'name a `datetime` column or a `date` column (with `time`)' });
  }
  if (c.datetime !== undefined && (c.date !== undefined || c.time !== undefined)) {
    ctx.addIssue({ code: 'custom', path: ['columns', 'datetime'], message: 'use either `datetime` or `date` + `time`, not both' });
  }
  if (c.time !== undefined && (m.dateFormat === 'ISO' ? false : /HH/.test(m.dateFormat))) {
    ctx.addIssue({ code: 'custom', path: ['dateFormat'], message: 'with a separate `time` column the date format holds the date only (the time column uses timeFormat)' });
  }
  if (!m.header) {
    for (const [k, v] of Object.entries(c)) {
      if (typeof v === 'string') ctx.addIssue({ code: 'custom', path: ['columns', k], message: 'without a header row, columns are 0-based indexes' });
    }
  }
});
export type CdrMapping = z.infer<typeof CdrMapping>;
export type CdrMappingInput = z.input<typeof CdrMapping>;

/**
 * Built-in call-type values (compared after upper-casing and dropping spaces, `-`, `_` and `/`).
 * A is the caller in every record; these say whose record it is: MO = the A side's, MT = the B side's.
 */
export const DEFAULT_CALL_TYPES: Readonly<Record<string, CdrService>> = {
  MO: 'voice-out', MOC: 'voice-out', MOCALL: 'voice-out', VOICEMO: 'voice-out', MOVOICE: 'voice-out', VOICE: 'voice-out', CALL: 'voice-out',
  VOICEOUT: 'voice-out', OUT: 'voice-out', OUTGOING: 'voice-out', SALIENTE: 'voice-out', VOZSALIENTE: 'voice-out', ORIGINATING: 'voice-out',
  MT: 'voice-in', MTC: 'voice-in', MTCALL: 'voice-in', VOICEMT: 'voice-in', MTVOICE: 'voice-in', VOICEIN: 'voice-in', IN: 'voice-in',
  INCOMING: 'voice-in', ENTRANTE: 'voice-in', VOZENTRANTE: 'voice-in', TERMINATING: 'voice-in',
  SMSMO: 'sms-out', MOSMS: 'sms-out', SMSOUT: 'sms-out', SMS: 'sms-out', SMSSALIENTE: 'sms-out',
  SMSMT: 'sms-in', MTSMS: 'sms-in', SMSIN: 'sms-in', SMSENTRANTE: 'sms-in',
  GPRS: 'data', DATA: 'data', PS: 'data', PDP: 'data', LTE: 'data', '4G': 'data', '3G': 'data', INTERNET: 'data', DATOS: 'data',
  CF: 'other', FORWARD: 'other', FORWARDED: 'other', CALLFORWARD: 'other', USSD: 'other', VOICEMAIL: 'other', ROAMING: 'other',
};

export function callTypeKey(raw: string): string {
  return raw.trim().toUpperCase().replace(/[\s\-_/.]+/g, '');
}

/** A resolver for raw call-type cells: the mapping's own table first, then the defaults; undefined when unknown. */
export function callTypeClassifier(custom?: Record<string, CdrService>): (raw: string) => CdrService | undefined {
  const table = new Map<string, CdrService>(Object.entries(DEFAULT_CALL_TYPES));
  for (const [k, v] of Object.entries(custom ?? {})) table.set(callTypeKey(k), v);
  return (raw) => table.get(callTypeKey(raw));
}
