// Normalisers for identifiers: phones to E.164 (keeping the original), bank cards to masked digits plus
// a keyed hash, names to an accent- and case-insensitive form. Pure functions; the card secret is passed in.
import { createHmac } from 'node:crypto';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

/** Folds case, accents and runs of white space (including Unicode spaces) so names compare equal. */
export function normaliseName(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[\s\u00a0\u2000-\u200b\u202f\u205f\u3000]+/g, ' ')
    .trim();
}

export type PhoneKind = 'e164' | 'short' | 'alpha' | 'withheld' | 'raw';
export interface NormalisedPhone {
  /** identity key: `+<E.164>` for parsed numbers, or a kind-prefixed key that never collides with E.164 */
  key: string;
  kind: PhoneKind;
  original: string;
  /** ISO country of the number where libphonenumber knows it */
  country?: string;
}

const WITHHELD = /^(unknown|private|withheld|anonymous|restricted|hidden|no caller id|payphone|-1|-2|-3)$/i;
const SPACES = /[\s\u00a0\u2000-\u200b\u202f\u205f\u3000().\-/]+/g;

/**
 * Normalises a phone number as seized devices write it. `defaultRegion` is the best known region for
 * numbers written in national format (the device's SIM country, the call log's countryiso, the case default).
 * WhatsApp-style JIDs (`60123456789@s.whatsapp.net`) are read as international digits.
 * Withheld numbers get a key scoped by `scope` (e.g. the source and row) so they never merge with each other.
 */
export function normalisePhone(original: string, defaultRegion?: string, scope = ''): NormalisedPhone {
  const text = original.trim();
  if (text === '' || WITHHELD.test(text)) {
    return { key: `withheld:${scope}:${text.toLowerCase() || 'empty'}`, kind: 'withheld', original };
  }
  let candidate = text;
  const jid = /^(\d{6,15})@(s\.whatsapp\.net|c\.us)$/i.exec(text);
  if (jid) candidate = `+${jid[1]}`;
  if (/^tel:/i.test(candidate)) candidate = candidate.slice(4);
  const compact = candidate.replace(SPACES, '');
  if (/[a-z]/i.test(compact) && !/^\+?\d+$/.test(compact)) {
    return { key: `alpha:${compact.toUpperCase()}`, kind: 'alpha', original };
  }
  let digits = compact;
  if (digits.startsWith('00')) digits = `+${digits.slice(2)}`;
  const region = defaultRegion?.toUpperCase() as CountryCode | undefined;
  if (/^\+?\d+$/.test(digits) && digits.replace('+', '').length <= 6) {
    return { key: `short:${region ?? 'ZZ'}:${digits.replace('+', '')}`, kind: 'short', original, country: region };
  }
  const parsed = parsePhoneNumberFromString(digits, region);
  if (parsed && parsed.isPossible()) {
    return { key: parsed.number, kind: 'e164', original, country: parsed.country };
  }
  return { key: `raw:${digits}`, kind: 'raw', original };
}

/** The Luhn check digit for a string of digits (cards, IMEIs). */
export function luhnCheckDigit(body: string): number {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = body.charCodeAt(body.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/** Luhn check over a card number's digits. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  return luhnCheckDigit(digits.slice(0, -1)) === digits.charCodeAt(digits.length - 1) - 48;
}

export interface NormalisedCard {
  masked: string;
  /** HMAC-SHA256 of the digits under the install secret: equal cards match, the number cannot be read back */
  cardHash: string;
  last4: string;
  bin: string;
}

/** Validates a card number with Luhn and returns only its masked form and keyed hash. Throws a plain Error on invalid input (callers wrap it with position). */
export function normaliseCard(text: string, secret: string): NormalisedCard {
  const digits = text.replace(/[\s\-]/g, '');
  if (!luhnValid(digits)) throw new Error('card number fails the Luhn check or has the wrong length');
  const bin = digits.slice(0, 6);
  const last4 = digits.slice(-4);
  return {
    masked: `${bin}${'•'.repeat(digits.length - 10)}${last4}`,
    cardHash: createHmac('sha256', secret).update(digits).digest('hex'),
    last4,
    bin,
  };
}

/** Digit suffixes of a number (≥ 4 digits) so that typing the tail of a number finds it in full-text search. */
export function digitSuffixes(numberKey: string, min = 4): string[] {
  const digits = numberKey.replace(/\D/g, '');
  const out: string[] = [];
  for (let i = 0; i + min <= digits.length; i++) out.push(digits.slice(i));
  return out;
}
