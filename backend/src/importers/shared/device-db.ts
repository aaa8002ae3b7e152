// Mapping helpers shared by the Android and iOS database readers: the remote end of a call or message
// (Phone, Email or app Account), per-row regions, bounded text, and timestamps checked for their unit.
import { importError } from '../../errors.ts';
import { normalisePhone, type BatchBuilder } from '../../model/index.ts';
import { LIMITS } from './limits.ts';
import { plausible } from './time.ts';
import { sqlNumber, type SqlValue } from './sqlite.ts';

/** longest identifier (number, handle, address) and saved name kept */
export const MAX_HANDLE_CHARS = 256;
export const MAX_NAME_CHARS = 500;

const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
const WHATSAPP_JID = /^\d{6,15}@(s\.whatsapp\.net|c\.us)$/i;

export function isEmailAddress(text: string): boolean {
  const t = text.trim();
  return t.length <= MAX_HANDLE_CHARS && EMAIL.test(t) && !WHATSAPP_JID.test(t);
}

/** A per-row ISO country column (`countryiso`, `ZISO_COUNTRY_CODE`: often lowercase) as a region, or undefined. */
export function regionOf(v: SqlValue | undefined): string | undefined {
  if (typeof v !== 'string') return undefined;
  const t = v.trim();
  return /^[a-z]{2}$/i.test(t) ? t.toUpperCase() : undefined;
}

export interface EndpointOptions {
  /** best region for a national-format number on this row */
  region: string;
  locator: string;
  /** unique per record: a withheld number is scoped by it so two withheld callers never merge */
  scope: string;
  /** names the device had saved for this party */
  aliases?: string[];
  /** app the handle belongs to; with `appHandle` a non-number handle becomes an Account of that app */
  app?: string;
  appHandle?: boolean;
  /** a cached E.164 form from the device, used when the text itself does not parse */
  e164?: string | null;
}

/**
 * The remote end of a call or message as an entity id: an Email for e-mail handles (iMessage,
 * FaceTime), an Account for app handles that are not numbers, otherwise a Phone (E.164, short code,
 * alphanumeric sender or a scoped withheld number).
 */
export function endpoint(b: BatchBuilder, text: string, o: EndpointOptions): string {
  // an identifier longer than this is not a number or handle; bounded so a hostile row cannot bloat the store
  const t = text.trim().slice(0, MAX_HANDLE_CHARS);
  const aliases = (o.aliases ?? []).map((a) => a.trim().slice(0, MAX_NAME_CHARS)).filter((a) => a !== '');
  if (isEmailAddress(t)) {
    return b.entity('Email', { label: t, props: { address: t.toLowerCase() }, aliases, locator: o.locator });
  }
  const kind = normalisePhone(t, o.region, o.scope).kind;
  if (o.appHandle && o.app && (kind === 'alpha' || kind === 'raw')) {
    return b.entity('Account', { label: t, props: { handle: t, app: o.app }, aliases, locator: o.locator });
  }
  if (kind !== 'e164' && o.e164 && normalisePhone(o.e164, o.region).kind === 'e164') {
    return b.phone(o.e164, { region: o.region, locator: o.locator, props: { original: t }, aliases: [t, ...aliases] }).id;
  }
  const { id, phone } = b.phone(t, { region: o.region, scope: o.scope, locator: o.locator, aliases: aliases.length ? aliases : undefined });
  if (phone.kind === 'e164' && WHATSAPP_JID.test(t)) {
    const acc = b.entity('Account', { label: t, props: { handle: t.toLowerCase(), app: 'WhatsApp' }, locator: o.locator });
    b.link('USES_ACCOUNT', id, acc, o.locator);
  }
  return id;
}

/** Text bounded to LIMITS.maxTextChars; longer text is cut with a warning naming the record. */
export function clipText(b: BatchBuilder, text: string, where: string): string {
  if (text.length <= LIMITS.maxTextChars) return text;
  b.warn(`${where}: text of ${text.length} characters cut to ${LIMITS.maxTextChars}`);
  return text.slice(0, LIMITS.maxTextChars);
}

/**
 * A timestamp column converted with `convert`. A value that is not a number means the table is not what
 * it claims to be: that throws (nothing is written). A number outside 1990–2100 (a zeroed or carved
 * row, or a value in another unit) is skipped with a warning: null is returned.
 */
export function rowTime(
  b: BatchBuilder, file: string, position: string, column: string, v: SqlValue | undefined, unit: string, convert: (n: number) => Date,
): { at: Date; original: string } | null {
  const n = sqlNumber(v);
  if (n === null) {
    const shown = Buffer.isBuffer(v) ? `a ${v.length}-byte BLOB` : v === null || v === undefined ? 'empty' : JSON.stringify(String(v).slice(0, 40));
    throw importError(file, position, `${column} ${shown} is not a number (${unit})`);
  }
  const at = convert(n);
  if (!plausible(at)) {
    b.warn(`${file} ${position}: ${column} ${n} is not a plausible time in ${unit}; record skipped`);
    return null;
  }
  return { at, original: String(v) };
}
