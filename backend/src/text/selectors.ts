// Pattern selectors for report text: phones, e-mails, IBANs, cards, crypto wallets, money and dates, each
// normalised the way the importers normalise the same identifier so that ids match device data.
import { validate as validBitcoinAddress } from 'bitcoin-address-validation';
import * as chrono from 'chrono-node';
import { electronicFormatIBAN, friendlyFormatIBAN, isValidIBAN } from 'ibantools';
import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js/max';
import { luhnValid, normaliseCard, normalisePhone, type EntityType, type Props } from '../model/index.ts';
import type { CandidateKind } from './text.schema.ts';

/** One occurrence of something recognised in the text: [start, end) and what it normalises to. */
export interface Mention {
  kind: CandidateKind;
  type: EntityType;
  start: number;
  end: number;
  label: string;
  value: string;
  props: Props;
}

const MAX_PER_SELECTOR = 20_000;

function* matches(re: RegExp, text: string): Generator<RegExpExecArray> {
  re.lastIndex = 0;
  let n = 0;
  for (let m = re.exec(text); m && n < MAX_PER_SELECTOR; m = re.exec(text), n++) {
    yield m;
    if (m[0].length === 0) re.lastIndex++;
  }
}

// ---------------------------------------------------------------- e-mail

const EMAIL = /(?<![\w.+%-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}(?![\w-])/g;

export function findEmails(text: string): Mention[] {
  const out: Mention[] = [];
  for (const m of matches(EMAIL, text)) {
    const address = m[0].toLowerCase();
    out.push({ kind: 'email', type: 'Email', start: m.index, end: m.index + m[0].length, label: m[0], value: address, props: { address } });
  }
  return out;
}

// ---------------------------------------------------------------- IBAN

const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g;

/** IBANs validated with ibantools (country length and mod-97 checksum); invalid look-alikes become warnings. */
export function findIbans(text: string, warnings: string[] = []): Mention[] {
  const out: Mention[] = [];
  for (const m of matches(IBAN, text)) {
    // the pattern may run into a following code word: drop trailing groups until the IBAN validates
    let s = m[0];
    let valid: string | undefined;
    while (s.replace(/ /g, '').length >= 15) {
      const e = electronicFormatIBAN(s) ?? '';
      if (isValidIBAN(e)) {
        valid = e;
        break;
      }
      const cut = s.lastIndexOf(' ');
      if (cut < 0) break;
      s = s.slice(0, cut);
    }
    if (!valid) {
      if (warnings.length < 100) warnings.push(`"${m[0].slice(0, 40)}" looks like an IBAN but fails its checksum; not proposed`);
      continue;
    }
    out.push({
      kind: 'iban', type: 'BankAccount', start: m.index, end: m.index + s.length, label: friendlyFormatIBAN(valid) ?? valid, value: valid,
      props: { iban: valid, country: valid.slice(0, 2) },
    });
  }
  return out;
}

// ---------------------------------------------------------------- payment cards

const CARD = /(?<![\w+*•])[2-6]\d{3}(?:[ -]?\d){9,15}(?![\w*•])/g;
const MASKED_CARD = /(?<![\w*•])[2-6]\d{3}[\d Xx*•-]{5,17}\d{4}(?![\w*•])/g;
const MASK_CHARS = /[Xx*•]/g;

export interface CardScan {
  mentions: Mention[];
  /** [start, end) of full card numbers, whose middle digits must be masked before the text leaves the server */
  redact: { start: number; end: number }[];
}

/**
 * Full card numbers (Luhn-valid, 13–19 digits, starting 2–6 as the card networks do) become the masked
 * form and keyed hash the report importer stores; written-masked numbers ("4557 88•• •••• 1234") keep
 * their visible digits only. IMEIs pass Luhn too: numbers right after "IMEI" are skipped.
 */
export function findCards(text: string, secret: string): CardScan {
  const mentions: Mention[] = [];
  const redact: CardScan['redact'] = [];
  for (const m of matches(CARD, text)) {
    const digits = m[0].replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) continue;
    if (/\b(imei|imsi|iccid|serial|tel|phone)\b[\s:#.-]*$/i.test(text.slice(Math.max(0, m.index - 16), m.index))) continue;
    const card = normaliseCard(digits, secret);
    const end = m.index + m[0].length;
    mentions.push({
      kind: 'card', type: 'BankCard', start: m.index, end, label: card.masked, value: card.masked,
      props: { masked: card.masked, cardHash: card.cardHash, last4: card.last4 },
    });
    redact.push({ start: m.index, end });
  }
  for (const m of matches(MASKED_CARD, text)) {
    const compact = m[0].replace(/[ -]/g, '');
    const parts = /^(\d{4,6})[Xx*•]*?(\d*)[Xx*•]+(\d{4})$/.exec(compact);
    if (!parts || compact.length < 13 || compact.length > 19 || !MASK_CHARS.test(compact)) continue;
    MASK_CHARS.lastIndex = 0;
    const lead = parts[1];
    const last4 = parts[3];
    const masked = `${lead}${'•'.repeat(compact.length - lead.length - 4)}${last4}`;
    mentions.push({
      kind: 'card', type: 'BankCard', start: m.index, end: m.index + m[0].length, label: masked, value: masked,
      props: { masked, last4, ...(lead.length >= 6 ? { bin: lead.slice(0, 6) } : {}) },
    });
  }
  return { mentions, redact };
}

/** The text with the middle digits of full card numbers replaced by • (same length, so offsets hold). */
export function redactCards(text: string, spans: CardScan['redact']): string {
  if (spans.length === 0) return text;
  // UTF-16 units (not code points), so offsets stay those of the original text
  const units = text.split('');
  for (const s of spans) {
    let seen = 0;
    const total = text.slice(s.start, s.end).replace(/\D/g, '').length;
    for (let i = s.start; i < s.end; i++) {
      if (!/\d/.test(units[i])) continue;
      if (seen >= 6 && seen < total - 4) units[i] = '•';
      seen++;
    }
  }
  return units.join('');
}

// ---------------------------------------------------------------- crypto wallets

// Chains recognised: Bitcoin (legacy P2PKH/P2SH base58check and bech32/bech32m, validated with
// bitcoin-address-validation) and Ethereum-format addresses (0x + 40 hex: also BSC, Polygon and other
// EVM chains, which share the format; the checksum case is not verified). TRON and others are not yet.
const BTC = /(?<![A-Za-z0-9])(?:bc1[02-9ac-hj-np-z]{11,71}|[13][1-9A-HJ-NP-Za-km-z]{25,34})(?![A-Za-z0-9])/g;
const ETH = /(?<![A-Za-z0-9])0x[0-9a-fA-F]{40}(?![A-Za-z0-9])/g;

export function findWallets(text: string): Mention[] {
  const out: Mention[] = [];
  for (const m of matches(BTC, text)) {
    if (!validBitcoinAddress(m[0])) continue;
    const handle = m[0].startsWith('bc1') ? m[0].toLowerCase() : m[0];
    out.push({ kind: 'wallet', type: 'Account', start: m.index, end: m.index + m[0].length, label: handle, value: handle, props: { handle, app: 'Bitcoin', chain: 'BTC' } });
  }
  for (const m of matches(ETH, text)) {
    const handle = m[0].toLowerCase();
    out.push({ kind: 'wallet', type: 'Account', start: m.index, end: m.index + m[0].length, label: handle, value: handle, props: { handle, app: 'Ethereum', chain: 'ETH' } });
  }
  return out;
}

// ---------------------------------------------------------------- phones

const SHORT_CODE = /\b(?:short ?code|sms|text(?:ed)?|dial(?:led|ed)?|call(?:ed)?|hotline|helpline)\s+(?:to\s+|on\s+|no\.?\s*|number\s+)?(\d{3,6})(?![\d,.]*\s*(?:times|people|persons|victims|calls|messages|%|percent|km|kg|years?|days?|hours?|minutes?|dollars|soles)\b)(?![\w-])/gi;

/**
 * Phone numbers with libphonenumber (the case's region for national formats), normalised with the same
 * `normalisePhone` device imports use, so "+60 12-345 6789", "012-345 6789" (region MY) and "0060123456789"
 * are one number. Short codes (≤ 6 digits) are only taken after words like "call" or "SMS": a bare "999"
 * in prose is more often a count than a number.
 */
export function findPhones(text: string, region: string): Mention[] {
  const out: Mention[] = [];
  const found = findPhoneNumbersInText(text, { defaultCountry: region.toUpperCase() as CountryCode });
  for (const f of found.slice(0, MAX_PER_SELECTOR)) {
    const original = text.slice(f.startsAt, f.endsAt);
    const n = normalisePhone(original, region);
    if (n.kind !== 'e164') continue;
    out.push(phoneMention(f.startsAt, f.endsAt, original, n));
  }
  for (const m of matches(SHORT_CODE, text)) {
    const digits = m[1];
    const start = m.index + m[0].lastIndexOf(digits);
    const n = normalisePhone(digits, region);
    if (n.kind !== 'short') continue;
    out.push(phoneMention(start, start + digits.length, digits, n));
  }
  return out;
}

function phoneMention(start: number, end: number, original: string, n: ReturnType<typeof normalisePhone>): Mention {
  return {
    kind: 'phone', type: 'Phone', start, end, label: n.kind === 'e164' ? n.key : original, value: n.key,
    props: { number: n.key, original, numberKind: n.kind, ...(n.country ? { country: n.country } : {}) },
  };
}

// ---------------------------------------------------------------- money

/** Currency written before the amount (longest first so "US$" wins over "$"). */
const PREFIX_CURRENCY: [string, string][] = [
  ['US$', 'USD'], ['U.S.$', 'USD'], ['NT$', 'TWD'], ['HK$', 'HKD'], ['AU$', 'AUD'], ['A$', 'AUD'], ['CA$', 'CAD'], ['C$', 'CAD'], ['S$', 'SGD'],
  ['R$', 'BRL'], ['MX$', 'MXN'], ['CN¥', 'CNY'], ['RMB', 'CNY'], ['RM', 'MYR'], ['S/.', 'PEN'], ['S/', 'PEN'], ['£', 'GBP'], ['€', 'EUR'],
  ['¥', 'JPY'], ['₱', 'PHP'], ['฿', 'THB'], ['₹', 'INR'], ['$', 'USD'],
];
const CODES = ['USD', 'EUR', 'GBP', 'MYR', 'PEN', 'TWD', 'CNY', 'HKD', 'THB', 'PHP', 'SGD', 'AUD', 'CAD', 'JPY', 'INR', 'BRL', 'MXN', 'COP', 'CLP', 'ARS', 'BOB', 'KHR', 'MMK', 'LAK', 'VND', 'IDR', 'KRW', 'USDT', 'BTC', 'ETH'];
/** Currency words written after the amount (lower case; checked longest first). */
const WORD_CURRENCY: [string, string][] = [
  ['us dollars', 'USD'], ['u.s. dollars', 'USD'], ['american dollars', 'USD'], ['new taiwan dollars', 'TWD'], ['taiwan dollars', 'TWD'],
  ['taiwanese dollars', 'TWD'], ['nt dollars', 'TWD'], ['hong kong dollars', 'HKD'], ['singapore dollars', 'SGD'], ['australian dollars', 'AUD'],
  ['canadian dollars', 'CAD'], ['pounds sterling', 'GBP'], ['dollars', 'USD'], ['dollar', 'USD'], ['euros', 'EUR'], ['euro', 'EUR'],
  ['pounds', 'GBP'], ['ringgit', 'MYR'], ['soles', 'PEN'], ['sol', 'PEN'], ['yuan', 'CNY'], ['renminbi', 'CNY'], ['baht', 'THB'],
  ['rupees', 'INR'], ['bitcoins', 'BTC'], ['bitcoin', 'BTC'], ['tether', 'USDT'],
];

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const NUM = String.raw`\d{1,3}(?:[,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const MULT = String.raw`(?:\s?(?:million|billion|thousand|mn|bn|m|k)(?![\p{L}\p{N}]))?`;
const PREFIX_MONEY = new RegExp(
  String.raw`(?<![\p{L}\p{N}$])(${[...PREFIX_CURRENCY.map(([s]) => s), ...CODES].sort((a, b) => b.length - a.length).map(esc).join('|')})\s?(${NUM})(${MULT})(?![\p{N}])`,
  'gu',
);
const SUFFIX_MONEY = new RegExp(
  String.raw`(?<![\p{L}\p{N}$£€¥.,])(${NUM})(${MULT})\s?(${[...CODES, ...WORD_CURRENCY.map(([w]) => w)].sort((a, b) => b.length - a.length).map(esc).join('|')})(?![\p{L}\p{N}])`,
  'giu',
);

function parseAmount(num: string, mult: string): number | undefined {
  let n: number;
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(num)) n = Number(num.replace(/,/g, ''));
  else if (/^\d{1,3}(\.\d{3})+(,\d+)?$/.test(num)) n = Number(num.replace(/\./g, '').replace(',', '.'));
  else n = Number(num.replace(',', '.'));
  const m = mult.trim().toLowerCase();
  if (m === 'thousand' || m === 'k') n *= 1e3;
  else if (m === 'million' || m === 'm' || m === 'mn') n *= 1e6;
  else if (m === 'billion' || m === 'bn') n *= 1e9;
  return Number.isFinite(n) && n > 0 ? Math.round(n * 100) / 100 : undefined;
}

function moneyMention(start: number, end: number, original: string, amount: number, currency: string): Mention {
  return {
    kind: 'money', type: 'Asset', start, end, label: `${amount.toLocaleString('en')} ${currency}`, value: `${amount} ${currency}`,
    props: { kind: 'money', amount, currency, original },
  };
}

/** Amounts with a currency: "$10,000", "US$10,000", "£8,200", "RM 5,000", "10,000 dollars", "S/ 3.500", "2.5 million USD". */
export function findMoney(text: string): Mention[] {
  const out: Mention[] = [];
  const byPrefix = new Map(PREFIX_CURRENCY);
  for (const m of matches(PREFIX_MONEY, text)) {
    const currency = byPrefix.get(m[1]) ?? m[1];
    const amount = parseAmount(m[2], m[3]);
    if (amount !== undefined) out.push(moneyMention(m.index, m.index + m[0].length, m[0], amount, currency));
  }
  const byWord = new Map(WORD_CURRENCY);
  for (const m of matches(SUFFIX_MONEY, text)) {
    const word = m[3];
    // currency words in any case ("Dollars"), codes in capitals only ("10 pen" is not Peruvian soles)
    const currency = CODES.includes(word) ? word : byWord.get(word.toLowerCase().replace(/\s+/g, ' '));
    const amount = parseAmount(m[1], m[2]);
    if (currency && amount !== undefined) out.push(moneyMention(m.index, m.index + m[0].length, m[0], amount, currency));
  }
  return out;
}

// ---------------------------------------------------------------- dates

// "now", and offsets from an unknown anchor ("two days later"), are not dates of the report
const NOT_A_DATE = /^(?:right\s+)?now$|^at (?:this|that) (?:time|moment)$|\b(?:later|earlier|afterwards|before|after)\b/i;
const RELATIVE_DAY = /\b(?:yesterday|tomorrow|today|tonight|ago|last|next|this|previous|following)\b/i;

function isoOf(c: chrono.ParsedComponents, precision: 'day' | 'month'): string {
  const y = String(c.get('year')).padStart(4, '0');
  const m = String(c.get('month')).padStart(2, '0');
  return precision === 'month' ? `${y}-${m}` : `${y}-${m}-${String(c.get('day')).padStart(2, '0')}`;
}

function parser(region: string): chrono.Chrono {
  // day/month order: only the United States (and a few others) write month first
  return ['US', 'PH', 'FM', 'MH', 'PW'].includes(region.toUpperCase()) ? chrono.en.casual : chrono.en.GB;
}

/** A date with day, month and year in the first lines of the text (a dateline or a "Date:" header). */
export function datelineDate(text: string, region: string): string | undefined {
  const head = text.split('\n').filter((l) => l.trim()).slice(0, 6).join('\n').slice(0, 800);
  for (const r of parser(region).parse(head, refAt(new Date()))) {
    // a written year, not "today" or "now" (which chrono also counts as certain)
    if (/\d{4}/.test(r.text) && r.start.isCertain('year') && r.start.isCertain('month') && r.start.isCertain('day')) return isoOf(r.start, 'day');
  }
  return undefined;
}

/** Noon UTC of an ISO date, as chrono's reference (component values are read back, not local-time Dates). */
function refAt(d: Date | string): chrono.ParsingReference {
  const iso = typeof d === 'string' ? d : d.toISOString().slice(0, 10);
  return { instant: new Date(`${iso.slice(0, 10)}T12:00:00Z`), timezone: 0 };
}

/**
 * Dates with chrono: absolute ("7 October 2023", "2023-10-07") and relative ("7 October", "in September",
 * "yesterday") resolved against `reportDate`. The value is YYYY-MM-DD, or YYYY-MM when only a month is known.
 */
export function findDates(text: string, reportDate: string, region: string): Mention[] {
  const out: Mention[] = [];
  const ref = refAt(reportDate);
  const p = parser(region);
  // line by line: some of chrono's patterns look back to the start of the input, which is slow on a long text
  for (const line of lines(text)) {
    for (const r of p.parse(line.text, ref, { forwardDate: false })) {
      if (out.length >= MAX_PER_SELECTOR) return out;
      const m = dateMention(r, line.start);
      if (m) out.push(m);
    }
  }
  return out;
}

function* lines(text: string): Generator<{ start: number; text: string }> {
  const re = /[^\n]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) yield { start: m.index, text: m[0] };
}

function dateMention(r: chrono.ParsedResult, offset: number): Mention | undefined {
  const s = r.start;
  // the span is the date itself: no leading "on"/"in", no trailing comma
  const t = r.text.trim().replace(/^(?:on|in|at|since|from|by|until|till|of)\s+/i, '').replace(/[\s,.;:]+$/, '');
  if (!t || NOT_A_DATE.test(t)) return undefined;
  // a month abbreviation alone is more often part of a name ("Wang Jun") than a date
  if (/^(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?$/i.test(t)) return undefined;
  let precision: 'day' | 'month' | undefined;
  if (s.isCertain('day') || s.isCertain('weekday') || (RELATIVE_DAY.test(t) && s.isCertain('year'))) precision = 'day';
  else if (s.isCertain('month')) precision = 'month';
  if (!precision) return undefined; // a time of day alone says nothing about the date
  const iso = isoOf(s, precision);
  const start = offset + r.index + r.text.indexOf(t);
  return {
    kind: 'date', type: 'Event', start, end: start + t.length, label: iso, value: iso,
    props: { kind: 'date', date: iso, precision, original: t },
  };
}
