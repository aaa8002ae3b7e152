// BatchBuilder: how importers make canonical records. It derives ids from identity keys, normalises
// identifiers, checks link endpoints against the ontology and merges repeats within one source.
import { ENTITY_SPECS, LINK_SPECS, linkAllowed, type EntityType, type LinkType } from './ontology.ts';
import { HashIdSet } from './hash-id-set.ts';
import { makeEventId, makeId, makeLinkId } from './ids.ts';
import { digitSuffixes, normaliseName, normalisePhone, type NormalisedPhone } from './normalise.ts';
import type { Batch, BatchChunk, EntityRecord, EventRecord, LinkRecord, Props, SourceInfo } from './schemas.ts';

/** Raised by the builder for input that breaks the model; importers add file and position. */
export class ModelError extends Error {
  override name = 'ModelError';
}

const MAX_LOCATORS = 20;
/** Bounds on what a builder remembers having flushed (~90 bytes each; ~26 for links without props). */
const FLUSHED_ENTITIES = 1_000_000;
const FLUSHED_LINKS = 1_000_000;
const NO_KEYS: ReadonlySet<string> = new Set();
/** Phone spellings whose parse is remembered. */
const PHONE_MEMO = 100_000;
/** (type, from, to) triples whose link id is remembered (a hash saved per repeat). */
const LINK_MEMO = 20_000;

export interface EntityInput {
  /** identity key when the type has no identity prop (people, places…); defaults to the normalised label */
  key?: string;
  label: string;
  props?: Props;
  aliases?: string[];
  locator: string;
}

export class BatchBuilder {
  private readonly entities = new Map<string, EntityRecord>();
  private readonly links = new Map<string, LinkRecord>();
  private readonly events = new Map<string, EventRecord>();
  /** every entity id seen in this source and its type (kept across flushes to check link endpoints) */
  private readonly types = new Map<string, EntityType>();
  /**
   * Entities and links already handed out by flush(), with the prop keys they carried: repeats are not
   * emitted again unless they add props. Kept apart and bounded apart: a CDR holds tens of thousands of
   * phones but hundreds of thousands of pairs, and forgetting the phones would re-send (and make the store
   * re-read) every one of them.
   */
  private readonly flushedEntities = new Map<string, ReadonlySet<string>>();
  private readonly flushedLinks = new Map<string, ReadonlySet<string>>();
  /** links handed out with no props (calls and messages: nearly all of them), kept compactly */
  private readonly flushedBareLinks = new HashIdSet();
  /** prop-key sets are interned: a million links with the same keys share one Set */
  private readonly keySets = new Map<string, ReadonlySet<string>>();
  private warningList: string[] = [];
  /** records emitted so far, for progress and summaries */
  readonly emitted = { entities: 0, links: 0, events: 0 };

  constructor(readonly source: SourceInfo) {}

  /** Adds (or merges into) an entity and returns its id. */
  entity(type: EntityType, input: EntityInput): string {
    const spec = ENTITY_SPECS[type];
    if (!spec) throw new ModelError(`unknown entity type "${type}"`);
    const props: Props = { ...(input.props ?? {}) };
    const identityProp = spec.identity.find((p) => props[p] !== undefined && props[p] !== null && props[p] !== '');
    const key = identityProp
      ? `${identityProp}=${String(props[identityProp]).trim().toLowerCase()}`
      : input.key ?? `name=${normaliseName(input.label)}`;
    const id = makeId(type, key);
    const search = new Set<string>(input.aliases ?? []);
    for (const p of spec.identifiers) {
      const v = props[p];
      if (Array.isArray(v)) v.forEach((x) => search.add(String(x)));
      else if (v !== undefined && v !== null && v !== '') search.add(String(v));
    }
    if (input.aliases?.length) props.aliases = [...new Set([...(asStrings(props.aliases)), ...input.aliases])];
    const known = this.types.get(id);
    if (known && known !== type) throw new ModelError(`id ${id} already used for a ${known}`);
    const sent = this.flushedEntities.get(id);
    // already written in an earlier chunk: only new properties about it need to travel again
    if (sent && !this.entities.has(id) && Object.keys(props).every((k) => sent.has(k))) return id;
    const existing = this.entities.get(id);
    if (existing) {
      existing.props = { ...props, ...existing.props };
      for (const s of search) if (!existing.search.includes(s)) existing.search.push(s);
      addLocator(existing.locators, input.locator);
      return id;
    }
    this.entities.set(id, { id, type, label: input.label.slice(0, 500), props, search: [...search], locators: [input.locator] });
    this.types.set(id, type);
    return id;
  }

  /** A Phone entity from a number as written; returns its id and how it normalised. */
  phone(original: string, opts: { region?: string; scope?: string; locator: string; label?: string; props?: Props; aliases?: string[] }): { id: string; phone: NormalisedPhone } {
    const phone = this.normalised(original, opts.region, opts.scope);
    // fast path for a number seen before with nothing new to say: keep the locator, skip rebuilding the record
    const known = this.phoneIds.get(phone.key);
    if (known && !opts.props && !opts.aliases && !opts.label) {
      const pending = this.entities.get(known);
      if (pending) addLocator(pending.locators, opts.locator);
      if (pending || this.flushedEntities.has(known)) return { id: known, phone };
    }
    const search = phone.kind === 'e164' || phone.kind === 'short' ? digitSuffixes(phone.key) : [];
    if (opts.aliases) search.push(...opts.aliases);
    const id = this.entity('Phone', {
      label: opts.label ?? (phone.kind === 'e164' ? phone.key : original.trim() || 'withheld'),
      props: { number: phone.key, original: phone.original, numberKind: phone.kind, ...(phone.country ? { country: phone.country } : {}), ...opts.props },
      aliases: search,
      locator: opts.locator,
    });
    if (this.phoneIds.size >= 200_000) this.phoneIds.clear();
    this.phoneIds.set(phone.key, id);
    return { id, phone };
  }

  /**
   * Phone parsing dominates large imports and the same spellings recur: memoise it, by region then by the
   * text as written (no composite key string per lookup), bounded.
   */
  private readonly phoneMemo = new Map<string, Map<string, NormalisedPhone>>();
  private phoneMemoSize = 0;
  private readonly phoneIds = new Map<string, string>();
  private readonly linkIds = new Map<string, string>();
  private normalised(original: string, region?: string, scope?: string): NormalisedPhone {
    // the scope only shapes withheld numbers' keys, and those are never kept: it is not part of the memo key
    // (with it, a CDR's per-row scope made every key unique: a full memo that never hit)
    let memo = this.phoneMemo.get(region ?? '');
    let n = memo?.get(original);
    if (!n) {
      n = normalisePhone(original, region, scope);
      if (n.kind === 'withheld') return n;
      if (this.phoneMemoSize >= PHONE_MEMO) {
        this.phoneMemo.clear();
        this.phoneMemoSize = 0;
        memo = undefined;
      }
      if (!memo) this.phoneMemo.set(region ?? '', (memo = new Map()));
      memo.set(original, n);
      this.phoneMemoSize++;
    }
    return n;
  }

  typeOf(id: string): EntityType | undefined {
    return this.types.get(id);
  }

  /** Adds (or merges into) a link; both ends must already be in this batch so their types can be checked. */
  link(type: LinkType, from: string, to: string, locator: string, props: Props = {}): string {
    const spec = LINK_SPECS[type];
    if (!spec) throw new ModelError(`unknown link type "${type}"`);
    const ft = this.types.get(from);
    const tt = this.types.get(to);
    if (!ft || !tt) throw new ModelError(`link ${type} refers to an entity not defined in this source`);
    if (!linkAllowed(type, ft, tt)) {
      throw new ModelError(`link ${type} cannot join ${ft} to ${tt} (allowed: ${spec.from.join('|')} → ${spec.to.join('|')})`);
    }
    const memoKey = `${type}|${from}|${to}`;
    let id = this.linkIds.get(memoKey);
    if (!id) {
      id = makeLinkId(type, from, to);
      if (this.linkIds.size >= LINK_MEMO) this.linkIds.clear();
      this.linkIds.set(memoKey, id);
    }
    const sent = this.flushedLinks.get(id) ?? (this.flushedBareLinks.has(id) ? NO_KEYS : undefined);
    if (sent && !this.links.has(id) && Object.keys(props).every((k) => sent.has(k))) return id;
    const existing = this.links.get(id);
    if (existing) {
      existing.props = { ...props, ...existing.props };
      addLocator(existing.locators, locator);
      return id;
    }
    this.links.set(id, { id, type, from, to, props, locators: [locator] });
    return id;
  }

  /**
   * Adds a timed event on a link (created if needed). The event id is the dedupe key: the same call in two
   * extractions (same parties, UTC second, duration, kind) is one event.
   */
  event(linkType: LinkType, from: string, to: string, e: { kind: string; at: Date; durationS?: number | null; deleted?: boolean; original?: string; props?: Props; locator: string }): string {
    const linkId = this.link(linkType, from, to, e.locator);
    const atIso = new Date(Math.floor(e.at.getTime() / 1000) * 1000).toISOString();
    const id = makeEventId([e.kind, from, to, atIso, e.durationS == null ? '' : Math.round(e.durationS)]);
    if (!this.events.has(id)) {
      this.events.set(id, {
        id, kind: e.kind, linkId, from, to, at: atIso, durationS: e.durationS ?? null, deleted: e.deleted ?? false,
        original: (e.original ?? '').slice(0, 200), props: e.props ?? {}, locator: e.locator,
      });
    }
    return id;
  }

  warn(message: string): void {
    if (this.warningList.length < 1000) this.warningList.push(message);
  }

  /** records waiting for the next flush */
  get pending(): number {
    return this.entities.size + this.links.size + this.events.size;
  }

  /** Hands out the records gathered since the last flush (a chunk for a streaming import). */
  flush(): BatchChunk {
    const chunk: BatchChunk = {
      entities: [...this.entities.values()], links: [...this.links.values()], events: [...this.events.values()], warnings: this.warningList,
    };
    // past its bound a memory forgets everything: a repeat is then written again and merged by the store
    // (correct, only slower)
    if (this.flushedEntities.size > FLUSHED_ENTITIES) this.flushedEntities.clear();
    this.remember(this.flushedEntities, chunk.entities);
    if (this.flushedLinks.size + this.flushedBareLinks.size > FLUSHED_LINKS) {
      this.flushedLinks.clear();
      this.flushedBareLinks.clear();
    }
    const withProps: LinkRecord[] = [];
    for (const l of chunk.links) {
      if (Object.keys(l.props).length === 0 && !this.flushedLinks.has(l.id)) this.flushedBareLinks.add(l.id);
      else withProps.push(l);
    }
    this.remember(this.flushedLinks, withProps);
    this.emitted.entities += chunk.entities.length;
    this.emitted.links += chunk.links.length;
    this.emitted.events += chunk.events.length;
    this.entities.clear();
    this.links.clear();
    this.events.clear();
    this.warningList = [];
    return chunk;
  }

  /** Notes what a flush handed out, with the union of the prop keys sent so far (key sets interned). */
  private remember(memory: Map<string, ReadonlySet<string>>, records: (EntityRecord | LinkRecord)[]): void {
    for (const r of records) {
      const sent = memory.get(r.id);
      const keys = [...new Set([...(sent ?? []), ...Object.keys(r.props)])].sort();
      const sig = keys.join('\u001f');
      let set = this.keySets.get(sig);
      if (!set) this.keySets.set(sig, (set = new Set(keys)));
      memory.set(r.id, set);
    }
  }

  /** The whole source as one batch (small sources, tests). */
  build(): Batch {
    return { source: this.source, ...this.flush() };
  }
}

function addLocator(list: string[], locator: string): void {
  if (list.length < MAX_LOCATORS && !list.includes(locator)) list.push(locator);
}

function asStrings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : [];
}
