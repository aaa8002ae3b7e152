// People, organisations and places in report text: compromise (rule-based, no model) plus patterns for
// how reports name crime groups, ministries, police forces and embassies, and a gazetteer for places.
import nlp from 'compromise';
import { normaliseName } from '../model/index.ts';
import { demonymCountry, DEMONYMS, findCity, findCountry, isAmbiguousCountryName, placeKey, type GazetteerPlace } from './gazetteer.ts';
import type { Mention } from './selectors.ts';

/** compromise reads ~100k characters a second: beyond this budget only the patterns and the gazetteer run. */
export const NLP_BUDGET_CHARS = 100_000;

const MAX_RUNS = 50_000;

// a capitalised word: letters with inner apostrophes, hyphens or dots ("O'Neill", "Wei-ling", "U.S")
const CAP = String.raw`\p{Lu}[\p{L}\p{M}]*(?:['’.-]\p{L}[\p{L}\p{M}]*)*`;
const CONNECT = String.raw`(?:de|del|da|do|dos|das|la|las|los|el|van|von|der|den|di|du|of|the|and|y|bin|binti|al)`;
const RUN = new RegExp(String.raw`${CAP}(?:[ \t]+(?:${CONNECT}[ \t]+)*${CAP})*`, 'gu');

/** Capitalised words that start sentences or headlines but are not names. */
const LEADING_STOP = new Set([
  'a', 'an', 'the', 'in', 'at', 'on', 'from', 'to', 'and', 'but', 'or', 'for', 'after', 'before', 'during', 'since', 'while', 'when', 'then',
  'yesterday', 'today', 'last', 'next', 'this', 'that', 'these', 'those', 'some', 'all', 'many', 'more', 'most', 'once', 'his', 'her', 'their',
  'its', 'our', 'my', 'we', 'they', 'he', 'she', 'it', 'i', 'you', 'according', 'as', 'by', 'with', 'about', 'between', 'among', 'under',
  'over', 'if', 'although', 'though', 'however', 'also', 'both', 'each', 'every', 'several', 'six', 'two', 'three', 'four', 'five', 'one',
  'seven', 'eight', 'nine', 'ten', 'dozens', 'hundreds', 'thousands', 'photograph', 'photo', 'image', 'mr', 'mrs', 'ms', 'dr', 'sign', 'read',
  'get', 'start', 'download', 'top', 'related', 'our', 'already', 'where', 'who', 'what', 'why', 'how', 'there', 'here', 'such', 'no', 'not',
]);

export interface Run {
  start: number;
  end: number;
  text: string;
}

/** Runs of capitalised words (with connectors like "de", "of"), leading sentence words and possessives trimmed. */
export function capitalisedRuns(text: string): Run[] {
  const out: Run[] = [];
  RUN.lastIndex = 0;
  for (let m = RUN.exec(text); m && out.length < MAX_RUNS; m = RUN.exec(text)) {
    let start = m.index;
    let s = m[0];
    for (;;) {
      const w = /^(\S+)[ \t]+/.exec(s);
      if (!w || !LEADING_STOP.has(w[1].toLowerCase().replace(/\.$/, ''))) break;
      start += w[0].length;
      s = s.slice(w[0].length);
    }
    if (LEADING_STOP.has(s.toLowerCase())) continue;
    s = s.replace(/['’]s$/, '').replace(/\.$/, '');
    out.push({ start, end: start + s.length, text: s });
  }
  return out;
}

function placeMention(start: number, end: number, p: GazetteerPlace): Mention {
  const label = p.name;
  const key = placeKey(p, label)!;
  return {
    kind: 'place', type: 'Place', start, end, label, value: key,
    props: { kind: p.kind, country: p.country, ...(p.lat !== undefined ? { lat: p.lat, lon: p.lon! } : {}) },
  };
}

/**
 * Places: countries by name (ambiguous names like "Jordan" or "Chad" only after "in/to/from"), and cities
 * and districts from GeoNames when the whole capitalised run is the place's name. Small places are only
 * accepted in a country the text also names (see findCity).
 */
export function findPlaces(text: string, runs: Run[]): Mention[] {
  const out: Mention[] = [];
  const countriesInText = new Set<string>();
  const pieces: Run[] = [];
  for (const r of runs) {
    pieces.push(r);
    // "Embassy of Malaysia", "Ministry of the Interior of Peru": the words between connectors may be places
    const re = new RegExp(String.raw`[ \t]+${CONNECT}[ \t]+`, 'gu');
    if (!re.test(r.text)) continue;
    let offset = 0;
    for (const part of r.text.split(new RegExp(String.raw`([ \t]+(?:${CONNECT}[ \t]+)+)`, 'u'))) {
      if (part && !/^[ \t]/.test(part)) pieces.push({ start: r.start + offset, end: r.start + offset + part.length, text: part });
      offset += part.length;
    }
  }
  const countryHits: { run: Run; place: GazetteerPlace }[] = [];
  for (const r of pieces) {
    const c = findCountry(r.text);
    if (!c) continue;
    if (isAmbiguousCountryName(r.text) && !/\b(?:in|to|from|via|into|across|of)\s+(?:the\s+)?$/i.test(text.slice(Math.max(0, r.start - 12), r.start))) continue;
    countriesInText.add(c.country);
    countryHits.push({ run: r, place: c });
  }
  for (const h of countryHits) out.push(placeMention(h.run.start, h.run.end, h.place));
  const taken = new Set(countryHits.map((h) => h.run.start));
  for (const r of pieces) {
    if (taken.has(r.start) || demonymCountry(r.text)) continue;
    const city = findCity(r.text, countriesInText);
    if (city) out.push(placeMention(r.start, r.end, city));
  }
  return out;
}

// ---------------------------------------------------------------- organisations

const DEMONYM_RE = Object.keys(DEMONYMS).map((d) => d[0].toUpperCase() + d.slice(1)).join('|');
const GROUP_WORDS = String.raw`crime group|criminal group|criminal organi[sz]ation|criminal network|crime ring|gang|cartel|syndicate|triad|mafia|clan`;
const ORG_SUFFIX = new Set([
  'bank', 'police', 'ministry', 'agency', 'office', 'department', 'directorate', 'unit', 'court', 'corporation', 'corp', 'inc', 'ltd', 'llc',
  'company', 'group', 'foundation', 'association', 'university', 'airlines', 'airways', 'embassy', 'consulate', 'force', 'service', 'bureau',
  'commission', 'council', 'authority', 'institute', 'organization', 'organisation', 'gang', 'cartel', 'syndicate', 'triad', 'sac', 's.a.c', 's.a',
  'prosecutors', 'guard', 'army', 'navy', 'network', 'images', 'news', 'press', 'times', 'post', 'tribune', 'guardian', 'reuters',
  // NGOs and charities
  'centre', 'center', 'alliance', 'coalition', 'trust', 'fund', 'project', 'initiative', 'society', 'federation', 'watch', 'support', 'rescue',
  'relief', 'international', 'mission',
]);
const ORG_PREFIX = new Set(['división', 'division', 'bank', 'banco', 'ministry', 'ministerio', 'policía', 'policia', 'fiscalía', 'fiscalia', 'embassy', 'department', 'office', 'university', 'bureau', 'superintendencia', 'dirección', 'direccion']);
const KNOWN_ORGS = new Set(['interpol', 'europol', 'unodc', 'afp', 'reuters', 'fbi', 'dea', 'iom', 'unicef', 'asean', 'pnp']);

function orgMention(start: number, end: number, label: string, props: Record<string, string> = {}): Mention {
  const clean = label.replace(/’/g, "'").replace(/\s+/g, ' ').trim();
  return { kind: 'organization', type: 'Organization', start, end, label: clean, value: normaliseName(clean), props };
}

function trimDemonyms(run: Run): Run | undefined {
  let s = run.text;
  for (;;) {
    const m = /[ \t]+(\S+)$/.exec(s);
    if (!m || !demonymCountry(m[1])) break;
    s = s.slice(0, m.index);
  }
  if (demonymCountry(s) || findCountry(s)) return undefined;
  return { start: run.start, end: run.start + s.length, text: s };
}

/**
 * "Inspector Rosa Quispe of the Peruvian National Police" is one capitalised run: the organisation is the
 * part after "of (the)" unless the part before names an organisation itself ("Ministry of…", "Bank of…").
 */
function ownName(r: Run): Run {
  const m = /^(.*?)[ \t]+of(?:[ \t]+the)?[ \t]+(.+)$/u.exec(r.text);
  if (!m) return r;
  const before = m[1].split(/[ \t]+/);
  if (ORG_PREFIX.has(before[0].toLowerCase()) || ORG_SUFFIX.has(before[before.length - 1].toLowerCase())) return r;
  return { start: r.end - m[2].length, end: r.end, text: m[2] };
}

/** Organisations by pattern: named crime groups, ministries, national police, embassies, and names ending like an organisation. */
export function findOrganizationPatterns(text: string, runs: Run[]): Mention[] {
  const out: Mention[] = [];
  // "Red Dragon crime group", "Black Orchid Taiwanese gang" (one lower-case word between, not an article: "In Lima a gang…")
  const groupAfter = new RegExp(String.raw`^[ \t]+(?:(?!a[ \t]|an[ \t]|the[ \t])[a-z]+[ \t]+)?(?:${GROUP_WORDS})\b`, 'u');
  for (const r of runs) {
    // "the Red Dragon Taiwanese crime group"
    if (groupAfter.test(text.slice(r.end, r.end + 40))) {
      const t = trimDemonyms(r);
      if (t) out.push(orgMention(t.start, t.end, t.text, { kind: 'crime group' }));
      continue;
    }
    const o = ownName(r);
    const words = o.text.split(/[ \t]+/);
    const first = words[0].toLowerCase();
    const last = words[words.length - 1].toLowerCase().replace(/\.$/, '');
    if ((words.length > 1 && (ORG_SUFFIX.has(last) || ORG_PREFIX.has(first))) || KNOWN_ORGS.has(o.text.toLowerCase())) {
      out.push(orgMention(o.start, o.end, o.text, { ...kindOf(o.text), ...cc(o.text) }));
    }
  }
  const patterns: { re: RegExp; props?: (m: RegExpExecArray) => Record<string, string>; group?: number }[] = [
    // "a Taiwanese crime group known as Red Dragon", "the gang calling itself “Los Malditos”"
    { re: new RegExp(String.raw`(?:${GROUP_WORDS}|group|network|organi[sz]ation)[^.\n]{0,30}?\b(?:known as|called|calling (?:itself|themselves)|dubbed|named)\s+["“']?(${CAP}(?:[ \t]+(?:${CONNECT}[ \t]+)*${CAP}){0,5})["”']?`, 'gu'), group: 1, props: () => ({ kind: 'crime group' }) },
    // 'the "Los Malditos del Sur" gang', 'the gang "Los Pulpos"'
    { re: new RegExp(String.raw`["“]([^"”\n]{2,40})["”][ \t]+(?:${GROUP_WORDS}|group|network)\b`, 'gu'), group: 1, props: () => ({ kind: 'crime group' }) },
    { re: new RegExp(String.raw`\b(?:${GROUP_WORDS}|group|network|band|banda)[ \t]+(?:of[ \t]+)?["“]([^"”\n]{2,40})["”]`, 'gu'), group: 1, props: () => ({ kind: 'crime group' }) },
    // "Peruvian Ministry of Interior", "Ministry of Foreign Affairs of Malaysia", "Ministerio del Interior"
    { re: new RegExp(String.raw`(?:(?:${DEMONYM_RE}|${CAP}['’]s)[ \t]+)?(?:Ministry|Ministerio|Department|Secretariat)[ \t]+(?:of|de|del|for)[ \t]+(?:(?:the|la|el)[ \t]+)?${CAP}(?:[ \t]+(?:${CONNECT}[ \t]+)*${CAP})*`, 'gu'), props: (m) => ({ kind: 'ministry', ...cc(m[0]) }) },
    // "Malaysia's foreign ministry", "the Peruvian interior ministry"
    { re: new RegExp(String.raw`(?:${DEMONYM_RE}|${CAP}['’]s)[ \t]+(?:foreign|interior|justice|defen[cs]e|finance|home|labou?r|health|security|public security)(?:[ \t]+affairs)?[ \t]+ministry`, 'gu'), props: (m) => ({ kind: 'ministry', ...cc(m[0]) }) },
    // "Peruvian police", "the Peruvian National Police", "Malaysian police force"
    { re: new RegExp(String.raw`(?:${DEMONYM_RE})[ \t]+(?:[Nn]ational[ \t]+|[Ff]ederal[ \t]+)?[Pp]olice(?:[ \t]+(?:[Ff]orce|[Ss]ervice|[Dd]epartment))?`, 'gu'), props: (m) => ({ kind: 'police', ...cc(m[0]) }) },
    // "the Malaysian embassy in Lima", "Embassy of Malaysia in Lima"
    { re: new RegExp(String.raw`(?:(?:${DEMONYM_RE}|${CAP}['’]s)[ \t]+[Ee]mbassy|Embassy[ \t]+of[ \t]+(?:the[ \t]+)?${CAP}(?:[ \t]+${CAP})*)(?:[ \t]+in[ \t]+${CAP}(?:[ \t]+${CAP})*)?`, 'gu'), props: (m) => ({ kind: 'embassy', ...cc(m[0]) }) },
  ];
  for (const p of patterns) {
    p.re.lastIndex = 0;
    let n = 0;
    for (let m = p.re.exec(text); m && n < MAX_RUNS; m = p.re.exec(text), n++) {
      const g = p.group ?? 0;
      const s = m[g];
      if (!s) continue;
      const start = m.index + (g === 0 ? 0 : m[0].indexOf(s));
      const label = s.replace(/^the\s+/i, '');
      const off = s.length - label.length;
      if (demonymCountry(label)) continue;
      out.push(orgMention(start + off, start + s.length, label, p.props?.(m) ?? {}));
    }
  }
  return out;
}

const KIND_WORDS: [RegExp, string][] = [
  [/\b(police|policía|policia)\b/i, 'police'], [/\b(embassy|consulate)\b/i, 'embassy'], [/\b(ministry|ministerio)\b/i, 'ministry'],
  [/\b(bank|banco)\b/i, 'bank'], [/\b(gang|cartel|syndicate|triad|mafia)\b/i, 'crime group'],
];

function kindOf(label: string): Record<string, string> {
  const k = KIND_WORDS.find(([re]) => re.test(label));
  return k ? { kind: k[1] } : {};
}

/** The country an organisation's name states ("Peruvian police", "Ministry of Foreign Affairs of Malaysia"). */
function cc(s: string): Record<string, string> {
  for (const w of s.split(/[ \t]+/)) {
    const c = demonymCountry(w) ?? findCountry(w)?.country;
    if (c) return { country: c };
  }
  return {};
}

// ---------------------------------------------------------------- people

const TITLES = String.raw`Mr|Mrs|Ms|Miss|Dr|Prof|Inspector|Insp|Officer|Sergeant|Sgt|Captain|Capt|Colonel|Col|Lieutenant|Lt|Major|General|Gen|Commander|Detective|Det|Agent|Prosecutor|Judge|Superintendent|Supt|Minister|Ambassador|Senator|Mayor|Señor|Sr|Señora|Sra`;
const TITLED = new RegExp(String.raw`\b(?:${TITLES})\.?[ \t]+(${CAP}(?:[ \t]+(?:${CONNECT}[ \t]+)?${CAP}){0,3})`, 'gu');
const NAMED = new RegExp(String.raw`\b(?:named|identified as|a (?:man|woman) called)[ \t]+(${CAP}(?:[ \t]+(?:${CONNECT}[ \t]+)?${CAP}){0,3})`, 'gu');
/** Acronyms compromise takes for organisations that are identifiers or technology in a report. */
const NOT_ORGS = new Set([
  'sim', 'iban', 'sms', 'id', 'pin', 'usb', 'gps', 'imei', 'imsi', 'atm', 'usdt', 'btc', 'eth', 'pdf', 'cctv', 'vpn', 'otp', 'kyc', 'bin', 'swift',
  'bic', 'ip', 'url', 'tv', 'ceo', 'cfo', 'hq', 'ok', 'am', 'pm', 'nb', 'ps',
]);
// "the suspect Lin Mei-hua", "A second suspect, Wang Jun": a role noun and a name of two or more words
const ROLE_NAMED = new RegExp(String.raw`\b(?:suspect|victim|witness|recruiter|interviewer|interviewee|accused|detainee|informant|defendant)[,:]?[ \t]+(${CAP}(?:[ \t]+(?:${CONNECT}[ \t]+)?${CAP}){1,3})`, 'gu');
const NOT_PEOPLE = new Set(['god', 'police', 'president', 'minister', 'ministry', 'embassy', 'photograph', 'staff', 'macau', 'sign', 'guardian']);

function personMention(start: number, end: number, label: string, text: string): Mention {
  const clean = label.replace(/’/g, "'").replace(/\s+/g, ' ').trim();
  const props: Record<string, string> = {};
  // "Taiwanese national Chen Wei" / "Chen Wei, a 34-year-old Taiwanese": a nationality hint, not a place
  const before = /(\p{L}+)[ \t]+(?:national|citizen|man|woman|suspect|woman named|man named)?[ \t]*$/u.exec(text.slice(Math.max(0, start - 30), start));
  const after = /^,[ \t]+an?[ \t]+(?:\d+-year-old[ \t]+)?(\p{L}+)/u.exec(text.slice(end, end + 40));
  const nat = (before && demonymCountry(before[1])) || (after && demonymCountry(after[1]));
  if (nat) props.nationality = nat;
  return { kind: 'person', type: 'Person', start, end, label: clean, value: normaliseName(clean), props };
}

/** People by pattern: "Inspector Rosa Quispe", "a man named Chen Wei-ling". */
export function findPeoplePatterns(text: string): Mention[] {
  const out: Mention[] = [];
  for (const re of [TITLED, NAMED, ROLE_NAMED]) {
    re.lastIndex = 0;
    let n = 0;
    for (let m = re.exec(text); m && n < MAX_RUNS; m = re.exec(text), n++) {
      const start = m.index + m[0].lastIndexOf(m[1]);
      out.push(personMention(start, start + m[1].length, m[1], text));
    }
  }
  return out;
}

interface Term {
  start: number;
  end: number;
  text: string;
}

/**
 * People and organisations compromise recognises, over the first NLP_BUDGET_CHARS of the text (a warning
 * says so when the text is longer). Bare demonyms and country names are dropped; compromise often stops
 * a name early ("Peruvian Ministry" of "Peruvian Ministry of Interior"), and the longer pattern match then wins.
 */
export function findWithCompromise(text: string, warnings: string[]): Mention[] {
  let slice = text;
  if (text.length > NLP_BUDGET_CHARS) {
    const cut = text.lastIndexOf('\n', NLP_BUDGET_CHARS);
    slice = text.slice(0, cut > 0 ? cut : NLP_BUDGET_CHARS);
    warnings.push(`people and organisations were looked for with compromise in the first ${slice.length.toLocaleString('en')} characters only; patterns and places cover the whole text`);
  }
  const out: Mention[] = [];
  // compromise's offsets cost more than linear time in the length of its input: parse in chunks of lines
  for (let at = 0; at < slice.length; ) {
    let end = Math.min(slice.length, at + NLP_CHUNK_CHARS);
    if (end < slice.length) {
      const nl = slice.lastIndexOf('\n', end);
      if (nl > at) end = nl;
    }
    const chunk = slice.slice(at, end);
    const doc = nlp(chunk);
    for (const hit of terms(chunk, at, doc.people().json({ offset: true }))) {
      // compromise stops at a hyphen ("Chen Wei" of "Chen Wei-ling"): take the whole hyphenated name
      const tail = /^(?:-\p{L}+)+/u.exec(text.slice(hit.end, hit.end + 30));
      if (tail) {
        hit.end += tail[0].length;
        hit.text += tail[0];
      }
      const words = hit.text.split(/\s+/);
      if (!/^\p{Lu}/u.test(hit.text) || NOT_PEOPLE.has(hit.text.toLowerCase())) continue;
      if (words.some((w) => demonymCountry(w)) || findCountry(hit.text)) continue;
      out.push(personMention(hit.start, hit.end, hit.text, text));
    }
    for (const hit of terms(chunk, at, doc.organizations().json({ offset: true }))) {
      if (!/^\p{Lu}/u.test(hit.text) || demonymCountry(hit.text) || findCountry(hit.text) || NOT_ORGS.has(hit.text.toLowerCase())) continue;
      out.push(orgMention(hit.start, hit.end, hit.text));
    }
    at = end;
  }
  return out;
}

const NLP_CHUNK_CHARS = 8_000;

function terms(chunk: string, base: number, json: unknown): Term[] {
  const out: Term[] = [];
  for (const j of json as { offset: { start: number; length: number } }[]) {
    // compromise includes punctuation and quotes in a term: trim to the letters
    const raw = chunk.slice(j.offset.start, j.offset.start + j.offset.length);
    const lead = raw.length - raw.replace(/^[^\p{L}\p{N}]+/u, '').length;
    const core = raw.replace(/^[^\p{L}\p{N}]+/u, '').replace(/[^\p{L}\p{N}]+$/u, '').replace(/['’]s$/, '');
    if (core.length < 2) continue;
    const start = base + j.offset.start + lead;
    out.push({ start, end: start + core.length, text: core });
  }
  return out;
}
