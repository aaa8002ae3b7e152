// Text extraction use case: document bytes → reviewable candidates (kept briefly in memory), then the
// reviewer's selection → one batch with the document, its mentions and sentence-level locators.
import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import {
  alreadyImported, BatchBuilder, linkAllowed, makeLinkId, makeSourceId, ModelError, sha256Hex, type ApplyResult, type Batch, type EntityType,
} from '../model/index.ts';
import type { GraphStore } from '../storage/port.ts';
import { seesCase, type CaseAccess } from '../auth/access.ts';
import { requireWritableCase } from './case-access.ts';
import { toPlainText, type DocumentKind } from '../text/document.ts';
import { addEntity, extractCandidates, type EntityContext } from '../text/extract.ts';
import { sentenceNear } from '../text/sentences.ts';
import type { AppliedText, ApplyText, Candidate, CandidateMatch, Extraction, Sentence } from '../text/text.schema.ts';

export interface TextServiceDeps {
  store: GraphStore;
  secret: string;
  region: string;
  defaultCase: string;
  /** documents kept for apply (least recently used go first) */
  maxDocuments?: number;
  maxBytes?: number;
}

interface Kept {
  sha256: string;
  name: string;
  kind: DocumentKind;
  case: string;
  region: string;
  text: string;
  sentences: Sentence[];
  size: number;
}

const MATCH_LOOKUPS = 400;
const LABEL_MATCHED: EntityType[] = ['Person', 'Organization', 'Place'];

export class TextService {
  private readonly kept = new Map<string, Kept>();
  private keptBytes = 0;

  constructor(private readonly deps: TextServiceDeps) {}

  /** The case a document goes into when the request names none. */
  get defaultCase(): string {
    return this.deps.defaultCase;
  }

  /**
   * `access`: the cases of the user (default all). The document's case must be one of them, and candidates are
   * matched only against entities their cases assert, listing only those cases' sources.
   */
  async extract(bytes: Uint8Array, opts: { name: string; case?: string; region?: string; reportDate?: string; access?: CaseAccess }): Promise<Extraction> {
    const caseName = opts.case ?? this.deps.defaultCase;
    const access = opts.access ?? 'all';
    requireWritableCase(access, caseName);
    const region = (opts.region ?? this.deps.region).toUpperCase();
    const doc = await toPlainText(bytes, opts.name);
    const sha256 = sha256Hex(bytes);
    const r = extractCandidates(doc.text, { region, reportDate: opts.reportDate, secret: this.deps.secret, caseName });
    const alreadyApplied = await this.deps.store.hasSource(sha256, caseName);
    const candidates = await this.withMatches(r.candidates, r.entityIds, access);
    const extractionId = randomUUID();
    this.keep(extractionId, { sha256, name: opts.name, kind: doc.kind, case: caseName, region, text: r.text, sentences: r.sentences, size: r.text.length * 2 + r.sentences.length * 48 });
    return {
      extractionId,
      document: { name: opts.name, kind: doc.kind, sha256, chars: r.text.length, case: caseName, region, reportDate: r.reportDate, alreadyApplied },
      text: r.text, sentences: r.sentences, candidates, links: r.links,
      ...(r.warnings.length ? { warnings: r.warnings } : {}),
    };
  }

  /** Store entities each candidate matches: the same id (same identifier), or a label hit for names. Bounded lookups. */
  private async withMatches(candidates: Candidate[], ids: Map<string, string>, access: CaseAccess): Promise<Candidate[]> {
    const toMatch = (e: Parameters<typeof matchOf>[0], by: 'id' | 'label'): CandidateMatch | null => {
      if (access === 'all') return matchOf(e, by);
      // only what the user's cases assert: an entity none of them asserts is not offered, other cases' sources are not named
      const sources = e.sources.filter((x) => seesCase(access, x.case));
      return sources.length ? matchOf({ ...e, sources }, by) : null;
    };
    let budget = MATCH_LOOKUPS;
    const out: Candidate[] = [];
    for (const c of candidates) {
      const matches: CandidateMatch[] = [];
      const id = ids.get(c.id);
      if (id && budget-- > 0) {
        const e = await this.deps.store.getEntity(id);
        const m = e && toMatch(e, 'id');
        if (m) matches.push(m);
      }
      if (LABEL_MATCHED.includes(c.type) && budget-- > 0) {
        const words = wordsOf(c.label);
        const hits = await this.deps.store.search({ q: c.label, types: [c.type], limit: 5 });
        for (const h of hits) {
          if (matches.some((m) => m.id === h.id) || matches.length >= 4) continue;
          // every word of the candidate is a whole word of the hit ("Peruvian police" ~ "Peruvian National Police"), not just a prefix
          const hw = new Set(wordsOf(h.label));
          if (!words.every((w) => hw.has(w))) continue;
          const e = await this.deps.store.getEntity(h.id);
          const m = e && toMatch(e, 'label');
          if (m) matches.push(m);
        }
      }
      out.push({ ...c, matches });
    }
    return out;
  }

  private keep(id: string, k: Kept): void {
    const maxDocs = this.deps.maxDocuments ?? 50;
    const maxBytes = this.deps.maxBytes ?? 64 * 1024 * 1024;
    this.kept.set(id, k);
    this.keptBytes += k.size;
    for (const [oldId, old] of this.kept) {
      if (this.kept.size <= maxDocs && this.keptBytes <= maxBytes) break;
      if (oldId === id) continue;
      this.kept.delete(oldId);
      this.keptBytes -= old.size;
    }
  }

  private take(id: string): Kept {
    const k = this.kept.get(id);
    if (!k) throw new AppError('not_found', 'this extraction has expired or is unknown: extract the document again');
    // least recently used goes first: a touched entry moves to the back
    this.kept.delete(id);
    this.kept.set(id, k);
    return k;
  }

  /** `access`: the cases of the user (default all); the document's case must be one, and `mergeWith` an entity they see. */
  async apply(input: ApplyText, importedBy: string, access: CaseAccess = 'all'): Promise<AppliedText> {
    const doc = this.take(input.extractionId);
    requireWritableCase(access, doc.case);
    if (await this.deps.store.hasSource(doc.sha256, doc.case)) return { ...alreadyImported(makeSourceId(doc.sha256, doc.case), doc.case), entityIds: {} };
    const refs = new Map<string, ApplyText['entities'][number]>();
    for (const [i, e] of input.entities.entries()) {
      if (refs.has(e.ref)) throw new AppError('bad_request', `entities[${i}].ref: "${e.ref}" is used twice`);
      for (const [j, s] of e.spans.entries()) {
        if (s.end > doc.text.length) throw new AppError('bad_request', `entities[${i}].spans[${j}]: characters ${s.start}–${s.end} are outside the text (${doc.text.length} characters)`);
      }
      if (e.mergeWith) {
        const target = await this.deps.store.getEntity(e.mergeWith);
        // an entity none of the user's cases asserts answers as one that does not exist
        if (!target || (access !== 'all' && !target.cases.some((c) => access.has(c)))) throw new AppError('bad_request', `entities[${i}].mergeWith: entity ${e.mergeWith} does not exist`);
        if (target.type !== e.type) throw new AppError('bad_request', `entities[${i}].mergeWith: ${e.mergeWith} is a ${target.type}, not a ${e.type}`);
      }
      refs.set(e.ref, e);
    }
    for (const [i, l] of input.links.entries()) {
      const from = refs.get(l.from);
      const to = refs.get(l.to);
      if (!from || !to) throw new AppError('bad_request', `links[${i}]: "${!from ? l.from : l.to}" is not one of the accepted entities`);
      if (!linkAllowed(l.type, from.type, to.type)) throw new AppError('bad_request', `links[${i}]: ${l.type} cannot join a ${from.type} to a ${to.type}`);
    }

    const title = input.title ?? doc.name;
    const b = new BatchBuilder({ sha256: doc.sha256, kind: 'text', name: doc.name, case: doc.case, title, importedBy });
    const documentId = b.entity('Document', { label: title, props: { kind: 'text', format: doc.kind, sha256: doc.sha256, name: doc.name, chars: doc.text.length }, locator: 'document' });
    b.source.documentId = documentId;
    const ctx: EntityContext = { caseName: doc.case, region: doc.region, secret: this.deps.secret };
    const ids = new Map<string, string>();
    const remap = new Map<string, string>();
    for (const [i, e] of input.entities.entries()) {
      const locators = locatorsOf(e.spans, doc.sentences);
      let id: string;
      try {
        id = addEntity(b, e, ctx, locators[0]);
        for (const loc of locators.slice(1)) addEntity(b, e, ctx, loc);
        for (const loc of locators) b.link('MENTIONED_IN', id, documentId, loc);
      } catch (err) {
        if (err instanceof ModelError) throw new AppError('bad_request', `entities[${i}]: ${err.message}`);
        throw err;
      }
      ids.set(e.ref, id);
      if (e.mergeWith && e.mergeWith !== id) remap.set(id, e.mergeWith);
    }
    for (const [i, l] of input.links.entries()) {
      const from = refs.get(l.from)!;
      const to = refs.get(l.to)!;
      try {
        b.link(l.type, ids.get(l.from)!, ids.get(l.to)!, linkLocator(from.spans, to.spans, doc.sentences));
      } catch (err) {
        if (err instanceof ModelError) throw new AppError('bad_request', `links[${i}]: ${err.message}`);
        throw err;
      }
    }
    const result = await this.deps.store.apply(await this.mergeOnto(b.build(), remap));
    const entityIds = result.status === 'applied' ? Object.fromEntries([...ids].map(([ref, id]) => [ref, remap.get(id) ?? id])) : {};
    return { ...result, entityIds };
  }

  /**
   * mergeWith: the reviewer says an accepted entity IS an existing one, so its records are written under the
   * existing id (keeping that entity's label; what this document adds arrives as props and locators).
   */
  private async mergeOnto(batch: Batch, remap: Map<string, string>): Promise<Batch> {
    if (remap.size === 0) return batch;
    const to = (id: string) => remap.get(id) ?? id;
    const entities = new Map<string, Batch['entities'][number]>();
    for (const e of batch.entities) {
      const id = to(e.id);
      const existing = id !== e.id ? await this.deps.store.getEntity(id) : null;
      const rec = { ...e, id, label: existing?.label ?? e.label };
      const prev = entities.get(id);
      if (prev) {
        prev.props = { ...rec.props, ...prev.props };
        prev.locators = [...new Set([...prev.locators, ...rec.locators])].slice(0, 20);
        prev.search = [...new Set([...prev.search, ...rec.search])];
      } else entities.set(id, rec);
    }
    const links = new Map<string, Batch['links'][number]>();
    for (const l of batch.links) {
      const from = to(l.from);
      const dst = to(l.to);
      const id = makeLinkId(l.type, from, dst);
      const prev = links.get(id);
      if (prev) prev.locators = [...new Set([...prev.locators, ...l.locators])].slice(0, 20);
      else links.set(id, { ...l, id, from, to: dst });
    }
    return { ...batch, entities: [...entities.values()], links: [...links.values()] };
  }
}

function matchOf(e: { id: string; type: EntityType; label: string; sources: { sourceName: string; sourceKind: string; case: string }[] }, by: 'id' | 'label'): CandidateMatch {
  const seen = new Set<string>();
  const sources: CandidateMatch['sources'] = [];
  for (const s of e.sources) {
    const k = `${s.sourceName}\u001f${s.case}`;
    if (seen.has(k) || sources.length >= 10) continue;
    seen.add(k);
    sources.push({ name: s.sourceName, kind: s.sourceKind, case: s.case });
  }
  return { id: e.id, type: e.type, label: e.label, by, sources };
}

function wordsOf(s: string): string[] {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** "chars 412–530 (sentence 5)": the sentence(s) a span lies in, numbered from 1 for people reading it. */
export function locatorOf(span: { start: number; end: number }, sentences: Sentence[]): string {
  if (sentences.length === 0) return `chars ${span.start}–${span.end}`;
  const a = sentenceNear(sentences, span.start);
  const z = Math.max(a, sentenceNear(sentences, Math.max(span.start, span.end - 1)));
  const from = sentences[a];
  const to = sentences[z];
  const start = Math.min(from.start, span.start);
  const end = Math.max(to.end, span.end);
  return a === z ? `chars ${start}–${end} (sentence ${a + 1})` : `chars ${start}–${end} (sentences ${a + 1}–${z + 1})`;
}

function locatorsOf(spans: { start: number; end: number }[], sentences: Sentence[]): string[] {
  return [...new Set(spans.map((s) => locatorOf(s, sentences)))];
}

/** Where a link is asserted: a sentence both ends share, else the first mention of each. */
function linkLocator(a: { start: number; end: number }[], b: { start: number; end: number }[], sentences: Sentence[]): string {
  const la = locatorsOf(a, sentences);
  const lb = new Set(locatorsOf(b, sentences));
  const shared = la.find((l) => lb.has(l));
  return (shared ?? `${la[0]}; ${[...lb][0]}`).slice(0, 500);
}
