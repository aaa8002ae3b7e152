// Report text → candidate entities and proposed links, each tied to the sentences it came from.
// Pure and deterministic (given a report date); storage is looked up by the text service, not here.
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';
import { BatchBuilder, linkAllowed, luhnValid, ModelError, normaliseCard, normaliseName, type EntityType, type LinkType, type Props } from '../model/index.ts';
import { placeKey } from './gazetteer.ts';
import { capitalisedRuns, findOrganizationPatterns, findPeoplePatterns, findPlaces, findWithCompromise } from './nlp.ts';
import { datelineDate, findCards, findDates, findEmails, findIbans, findMoney, findPhones, findWallets, redactCards, type Mention } from './selectors.ts';
import { sentenceNear, splitSentences } from './sentences.ts';
import type { Candidate, CandidateKind, ProposedLink, Sentence } from './text.schema.ts';

export const MAX_CANDIDATES = 5000;
export const MAX_SPANS = 1000;
export const MAX_LINKS = 20_000;

export interface ExtractOptions {
  /** ISO 3166 alpha-2 region for phone numbers written in national format */
  region: string;
  /** ISO date relative dates resolve against when the text has no dateline */
  reportDate?: string;
  /** install secret: card numbers are hashed with it exactly as the importers do */
  secret: string;
  /** case the entities would go into (people, organisations and events are keyed within a case) */
  caseName: string;
  /** "today" when neither a dateline nor reportDate is given (tests pin it) */
  today?: string;
}

export interface ExtractResult {
  /** the text every span points into; full card numbers have their middle digits replaced by • */
  text: string;
  reportDate: string;
  reportDateFrom: 'dateline' | 'option' | 'today';
  sentences: Sentence[];
  /** candidates without store matches (the service adds those) */
  candidates: Candidate[];
  links: ProposedLink[];
  /** candidate id → the entity id it would be written as */
  entityIds: Map<string, string>;
  warnings: string[];
}

/** The fewer, the earlier a kind claims its characters: identifiers first, names last. */
const RANK: Record<CandidateKind, number> = { card: 0, iban: 1, wallet: 2, email: 3, phone: 4, money: 5, date: 6, place: 7, organization: 7, person: 9 };

export function extractCandidates(input: string, opts: ExtractOptions): ExtractResult {
  const warnings: string[] = [];
  const region = opts.region.toUpperCase();
  const cards = findCards(input, opts.secret);
  // nothing after this point sees a full card number
  const text = redactCards(input, cards.redact);
  const sentences = splitSentences(text);

  const dateline = datelineDate(text, region);
  const reportDate = dateline ?? opts.reportDate ?? opts.today ?? new Date().toISOString().slice(0, 10);
  const reportDateFrom = dateline ? 'dateline' : opts.reportDate ? 'option' : 'today';

  const runs = capitalisedRuns(text);
  const mentions: Mention[] = [
    ...cards.mentions, ...findIbans(text, warnings), ...findWallets(text), ...findEmails(text), ...findPhones(text, region),
    ...findMoney(text), ...findDates(text, reportDate, region), ...findPlaces(text, runs), ...findOrganizationPatterns(text, runs),
    ...findPeoplePatterns(text), ...findWithCompromise(text, warnings),
  ];
  const accepted = resolveOverlaps(mentions, text.length);

  // group mentions into candidates by (type, normalised value)
  const groups = new Map<string, Mention[]>();
  for (const m of accepted) {
    const key = `${m.type}\u001f${m.value}`;
    const g = groups.get(key);
    if (g) g.push(m);
    else groups.set(key, [m]);
  }
  let ordered = [...groups.values()].map((g) => g.sort((a, b) => a.start - b.start)).sort((a, b) => a[0].start - b[0].start);
  if (ordered.length > MAX_CANDIDATES) {
    warnings.push(`${ordered.length} candidates found; only the first ${MAX_CANDIDATES} are proposed`);
    ordered = ordered.slice(0, MAX_CANDIDATES);
  }

  const scratch = new BatchBuilder({ sha256: '0'.repeat(64), kind: 'text', name: 'extraction', case: opts.caseName });
  const ctx: EntityContext = { caseName: opts.caseName, region, secret: opts.secret };
  const candidates: Candidate[] = [];
  const entityIds = new Map<string, string>();
  const mentionOf = new Map<Mention, number>();
  ordered.forEach((group, i) => {
    const first = group[0];
    const id = `c${i + 1}`;
    const spans = group.slice(0, MAX_SPANS);
    const props: Props = { ...first.props };
    // a nationality hint from any mention ("Chen Wei, a Taiwanese national" once is enough)
    for (const m of group) if (m.props.nationality && !props.nationality) props.nationality = m.props.nationality;
    const candidate: Candidate = {
      id, kind: first.kind, type: first.type, text: text.slice(first.start, first.end), label: first.label, value: first.value, props,
      spans: spans.map((m) => ({ start: m.start, end: m.end })),
      sentences: spans.map((m) => sentenceNear(sentences, m.start)),
      matches: [],
    };
    candidates.push(candidate);
    for (const m of group) mentionOf.set(m, i);
    try {
      entityIds.set(id, addEntity(scratch, candidate, ctx, 'extraction'));
    } catch (err) {
      if (!(err instanceof ModelError)) throw err;
      warnings.push(`${candidate.label}: ${err.message}`);
    }
  });

  const links = proposeLinks(text, sentences, candidates, accepted, mentionOf);
  return { text, reportDate, reportDateFrom, sentences, candidates, links, entityIds, warnings };
}

/**
 * Keeps each character for one mention: identifiers before money and dates before names, longer before
 * shorter within a kind. A place may sit inside an organisation ("Embassy of Malaysia") and both stay.
 */
function resolveOverlaps(mentions: Mention[], length: number): Mention[] {
  const sorted = mentions
    .filter((m) => m.end > m.start && m.start >= 0 && m.end <= length)
    .sort((a, b) => RANK[a.kind] - RANK[b.kind] || b.end - b.start - (a.end - a.start) || a.start - b.start);
  const exclusive = new Uint8Array(length);
  const place = new Uint8Array(length);
  const org = new Uint8Array(length);
  const out: Mention[] = [];
  for (const m of sorted) {
    const blocking = m.kind === 'place' ? [exclusive, place] : m.kind === 'organization' ? [exclusive, org] : [exclusive, place, org];
    let free = true;
    for (let i = m.start; i < m.end && free; i++) for (const b of blocking) if (b[i]) free = false;
    if (!free) continue;
    const mark = m.kind === 'place' ? place : m.kind === 'organization' ? org : exclusive;
    mark.fill(1, m.start, m.end);
    out.push(m);
  }
  return out.sort((a, b) => a.start - b.start);
}

// ---------------------------------------------------------------- links

const SEIZURE = /\b(seiz\w*|confiscat\w*|recover\w*|impound\w*|incaut\w*|decomis\w*|found|froze|frozen)\b/i;

/**
 * Links from co-occurrence in one sentence, typed by a small table; every other pair gets no link (a
 * reviewer adds what the text says but a table cannot guess). Each party is linked to the nearest
 * place / organisation in the sentence only, so a long sentence does not become a clique.
 */
function proposeLinks(text: string, sentences: Sentence[], candidates: Candidate[], mentions: Mention[], mentionOf: Map<Mention, number>): ProposedLink[] {
  const links = new Map<string, ProposedLink>();
  const add = (type: LinkType, from: Candidate, to: Candidate, sentence: number) => {
    if (from === to || links.size >= MAX_LINKS || !linkAllowed(type, from.type, to.type)) return;
    const key = `${type}|${from.id}|${to.id}`;
    if (!links.has(key)) links.set(key, { from: from.id, to: to.id, type, sentence });
  };
  const bySentence = new Map<number, { c: Candidate; pos: number }[]>();
  for (const m of mentions) {
    const ci = mentionOf.get(m);
    if (ci === undefined) continue;
    const s = sentenceNear(sentences, m.start);
    const list = bySentence.get(s) ?? [];
    list.push({ c: candidates[ci], pos: m.start });
    bySentence.set(s, list);
  }
  const nearest = (list: { c: Candidate; pos: number }[], pos: number, ok: (c: Candidate) => boolean) => {
    let best: { c: Candidate; pos: number } | undefined;
    for (const x of list) if (ok(x.c) && (!best || Math.abs(x.pos - pos) < Math.abs(best.pos - pos))) best = x;
    return best?.c;
  };
  const isParty = (c: Candidate) => c.type === 'Person' || c.type === 'Organization';
  for (const [s, list] of bySentence) {
    const sentence = sentences[s];
    const seizure = sentence ? SEIZURE.test(text.slice(sentence.start, sentence.end)) : false;
    for (const { c, pos } of list) {
      if (c.type === 'Person') {
        const org = nearest(list, pos, (x) => x.type === 'Organization');
        if (org) add('MEMBER_OF', c, org, s);
      }
      if (isParty(c)) {
        const place = nearest(list, pos, placeFor(c));
        if (place) add('LOCATED_IN', c, place, s);
      }
      if (c.type === 'Phone' || c.type === 'Email' || c.type === 'Account' || c.type === 'BankCard' || c.type === 'BankAccount') {
        const party = nearest(list, pos, isParty);
        const type: LinkType = c.type === 'Phone' ? 'USES_PHONE' : c.type === 'Email' ? 'USES_ACCOUNT' : 'OWNS';
        if (party) add(type, party, c, s);
      }
      if (c.type === 'Place' && c.props.kind !== 'country') {
        // the gazetteer knows which country a city is in; a district sits in the nearest city of its country
        for (const x of list) if (x.c.type === 'Place' && x.c.props.kind === 'country' && x.c.props.country === c.props.country) add('LOCATED_IN', c, x.c, s);
        if (c.props.kind === 'district') {
          const city = nearest(list, pos, (x) => x.type === 'Place' && x.props.kind === 'city' && x.props.country === c.props.country);
          if (city) add('LOCATED_IN', c, city, s);
        }
      }
      if (seizure && (c.kind === 'money' || c.type === 'Phone' || c.type === 'BankCard' || c.type === 'BankAccount')) {
        const where = nearest(list, pos, (x) => x.type === 'Place') ?? nearest(list, pos, (x) => x.kind === 'date');
        if (where) add('SEIZED_AT', c, where, s);
      }
    }
  }
  return [...links.values()];
}

/**
 * Which places a party may be located in: an embassy in the host city its name gives ("Embassy of
 * Malaysia in Lima" → Lima, not Malaysia); an organisation whose name states a country ("Peruvian
 * police") only in that country or its cities; anyone else in the nearest place.
 */
function placeFor(party: Candidate): (x: Candidate) => boolean {
  const name = normaliseName(party.label);
  const country = typeof party.props.country === 'string' ? party.props.country : undefined;
  if (party.type === 'Organization' && party.props.kind === 'embassy') {
    return (x) => x.type === 'Place' && x.props.kind !== 'country' && name.includes(` in ${normaliseName(x.label)}`);
  }
  if (party.type === 'Organization' && country) return (x) => x.type === 'Place' && x.props.country === country;
  return (x) => x.type === 'Place';
}

// ---------------------------------------------------------------- entities

export interface EntityContext {
  caseName: string;
  region: string;
  secret: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

/**
 * Adds an entity (a candidate, or what a reviewer accepted) to a batch and returns its id. Identifiers are
 * normalised again here (never trusted as sent): phones with normalisePhone, IBANs with ibantools, card
 * numbers to masked + keyed hash. Places get the report importer's keys ("place/lima|pe") so text and
 * reports meet; people, organisations, events and assets are keyed by case and label.
 */
export function addEntity(b: BatchBuilder, e: { type: EntityType; label: string; props: Props }, ctx: EntityContext, locator: string): string {
  const props: Props = { ...e.props };
  const label = e.label.trim();
  const caseKey = (kind: string) => `${ctx.caseName}/text/${kind}/${normaliseName(label)}`;
  switch (e.type) {
    case 'Phone': {
      const number = str(props.original) ?? str(props.number) ?? label;
      for (const k of ['number', 'original', 'numberKind', 'country']) delete props[k];
      return b.phone(number, { region: ctx.region, locator, label, props }).id;
    }
    case 'Email': {
      const address = (str(props.address) ?? label).toLowerCase();
      if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) throw new ModelError(`"${address.slice(0, 80)}" is not an e-mail address`);
      return b.entity('Email', { label, props: { ...props, address }, locator });
    }
    case 'BankAccount': {
      const written = str(props.iban) ?? (str(props.accountNumber) ? undefined : label);
      if (written) {
        const iban = electronicFormatIBAN(written) ?? '';
        if (!isValidIBAN(iban)) throw new ModelError(`"${written.slice(0, 40)}" is not a valid IBAN`);
        props.iban = iban;
      }
      return b.entity('BankAccount', { label, props, locator });
    }
    case 'BankCard': {
      // a full number (typed as the label, or sent in props) becomes the masked form and keyed hash, never stored
      const written = [str(props.number), label].find((v) => v && luhnValid(v.replace(/[\s-]/g, '')));
      delete props.number;
      if (written) {
        const card = normaliseCard(written, ctx.secret);
        return b.entity('BankCard', { label: card.masked, props: { ...props, masked: card.masked, cardHash: card.cardHash, last4: card.last4 }, locator });
      }
      if (props.cardHash !== undefined && !(typeof props.cardHash === 'string' && /^[0-9a-f]{64}$/.test(props.cardHash))) throw new ModelError('cardHash must be a hex HMAC');
      if (/\d{13,}/.test(label.replace(/[\s-]/g, ''))) throw new ModelError('a card number must be masked or pass the Luhn check');
      return b.entity('BankCard', { key: props.cardHash ? undefined : caseKey('card'), label, props, locator });
    }
    case 'Account': {
      const handle = str(props.handle) ?? label;
      return b.entity('Account', { label, props: { ...props, handle: /^0x[0-9a-f]{40}$/i.test(handle) ? handle.toLowerCase() : handle }, locator });
    }
    case 'Place':
      return b.entity('Place', { key: placeKey(props, label) ?? caseKey('place'), label, props, locator });
    default:
      return b.entity(e.type, { key: caseKey(e.type.toLowerCase()), label, props, locator });
  }
}
