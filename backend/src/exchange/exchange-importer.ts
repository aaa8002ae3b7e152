// Exchange formats as importers. Each reads a file into one or more sources: a Casegraph file carries
// its original sources (each recreated with its own sha256, case and locators), a third-party file is
// itself the one source. `read` gives them all (used by `open`: snapshots, CLI); `parse` satisfies the
// single-source Importer contract of the import pipeline: one original source is passed through, several
// are folded into one source for the file (locators say which original source asserted what).
import type { BatchChunk, EntityRecord, EventRecord, LinkRecord, SourceInfo } from '../model/index.ts';
import type { ImportContext, Importer, ImportInput, ParsedSource } from '../importers/types.ts';
import type { ScopeMerge } from './scope.ts';

export interface ExchangeRead {
  format: string;
  /** `original`: records keep the sources they came from; `file`: the file is the source (third-party data) */
  provenance: 'original' | 'file';
  /** how many sources `sources` yields */
  sourceCount: number;
  /** sources in the order to apply them; pulling the next one skips what the previous one left unread */
  sources: AsyncIterable<ParsedSource>;
  /** snapshot only: the UI view state, the ids in view, the manifest, analysts' merges */
  view?: Record<string, unknown>;
  entityIds?: string[];
  manifest?: unknown;
  merges?: ScopeMerge[];
  warnings: string[];
}

export interface ExchangeImporter extends Importer {
  read(input: ImportInput, ctx: ImportContext): Promise<ExchangeRead>;
}

export function exchangeImporter(def: Pick<ExchangeImporter, 'format' | 'description' | 'detect' | 'read'>): ExchangeImporter {
  return {
    ...def,
    async parse(input, ctx) {
      const read = await def.read(input, ctx);
      const it = read.sources[Symbol.asyncIterator]();
      if (read.sourceCount === 1) {
        const first = await it.next();
        if (!first.done) return first.value;
      }
      return fold(it, input, ctx, read);
    },
  };
}

const MAX_LOCATORS = 20;

/** Several original sources as one source for the file; every locator names its original source. */
async function fold(it: AsyncIterator<ParsedSource>, input: ImportInput, ctx: ImportContext, read: ExchangeRead): Promise<ParsedSource> {
  const entities = new Map<string, EntityRecord>();
  const links = new Map<string, LinkRecord>();
  const events = new Map<string, EventRecord>();
  const names: string[] = [];
  const cases = new Set<string>();
  const tag = (src: SourceInfo, loc: string) => `${src.name} (sha256 ${src.sha256.slice(0, 12)}) · ${loc}`.slice(0, 500);
  const addLocs = (into: string[], src: SourceInfo, locs: string[]) => {
    for (const l of locs) if (into.length < MAX_LOCATORS) into.push(tag(src, l));
  };
  for (let r = await it.next(); !r.done; r = await it.next()) {
    const { source, chunks } = r.value;
    names.push(source.name);
    cases.add(source.case);
    for await (const c of chunks as AsyncIterable<BatchChunk>) {
      for (const e of c.entities) {
        const known = entities.get(e.id);
        if (!known) entities.set(e.id, { ...e, search: [...e.search], locators: e.locators.map((l) => tag(source, l)).slice(0, MAX_LOCATORS) });
        else {
          known.props = { ...e.props, ...known.props };
          for (const s of e.search) if (!known.search.includes(s)) known.search.push(s);
          addLocs(known.locators, source, e.locators);
        }
      }
      for (const l of c.links) {
        const known = links.get(l.id);
        if (!known) links.set(l.id, { ...l, locators: l.locators.map((x) => tag(source, x)).slice(0, MAX_LOCATORS) });
        else {
          known.props = { ...l.props, ...known.props };
          addLocs(known.locators, source, l.locators);
        }
      }
      for (const ev of c.events) if (!events.has(ev.id)) events.set(ev.id, { ...ev, locator: tag(source, ev.locator) });
    }
  }
  const caseName = ctx.case ?? (cases.size === 1 ? [...cases][0] : ctx.defaultCase);
  const source: SourceInfo = { sha256: input.sha256, kind: read.format, name: input.name, case: caseName, importedBy: ctx.importedBy };
  const warnings = [
    ...read.warnings,
    ...(names.length > 1 ? [`${names.length} original sources were folded into this file's source (open the file as a snapshot/exchange file to keep them apart): ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`] : []),
  ];
  return { source, chunks: [{ entities: [...entities.values()], links: [...links.values()], events: [...events.values()], warnings }] };
}

/** Yields ready-made batches as parsed sources (graph-shaped formats regroup everything before writing). */
export function batchesAsSources(batches: { source: SourceInfo; entities: EntityRecord[]; links: LinkRecord[]; events: EventRecord[]; warnings: string[] }[]): AsyncIterable<ParsedSource> {
  return (async function* () {
    for (const b of batches) {
      const { source, ...chunk } = b;
      yield { source, chunks: [chunk] };
    }
  })();
}
