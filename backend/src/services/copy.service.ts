// Copies a graph from one store to another (embedded → Neo4j and back) through the port alone: every source
// of `from.dump()` is applied to `to` in its own transaction, keeping its sha256, case and import time, so a
// second copy skips what is already there. Analysts' annotations follow on a whole-store copy.
import type { Annotation } from '../model/index.ts';
import type { GraphStore } from '../storage/port.ts';

export interface CopyOptions {
  /** copy only this case's sources (annotations are not case-scoped, so they are copied only without it) */
  case?: string;
  /** one line per source (and one for the annotations), for a CLI or a log */
  onProgress?: (line: string) => void;
}

export interface CopyResult {
  /** sources read from `from` */
  sources: number;
  /** sources written to `to` */
  applied: number;
  /** sources `to` already had */
  skipped: number;
  /** records written (created or merged) by the applied sources */
  entities: number;
  links: number;
  events: number;
  /** annotations appended to `to` (0 when it already had them, or for a one-case copy) */
  annotations: number;
}

export async function copyStore(from: GraphStore, to: GraphStore, opts: CopyOptions = {}): Promise<CopyResult> {
  const say = opts.onProgress ?? (() => undefined);
  const result: CopyResult = { sources: 0, applied: 0, skipped: 0, entities: 0, links: 0, events: 0, annotations: 0 };
  const total = (await from.listSources(opts.case)).length;
  for await (const batch of from.dump(opts.case)) {
    result.sources++;
    const { source } = batch;
    const head = `[${result.sources}/${total}] ${source.case} · ${source.name} (sha256 ${source.sha256.slice(0, 12)})`;
    // checked first so a re-run never opens a write transaction for a source the target has
    if (await to.hasSource(source.sha256, source.case)) {
      result.skipped++;
      say(`${head}: already in the ${to.kind} store, skipped`);
      continue;
    }
    // apply: one managed transaction, retried by the driver on transient errors (a dumped batch can be replayed)
    const r = await to.apply(batch);
    if (r.status === 'already_imported') {
      result.skipped++;
      say(`${head}: already in the ${to.kind} store, skipped`);
      continue;
    }
    result.applied++;
    const n = (c: { created: number; merged: number }) => c.created + c.merged;
    result.entities += n(r.entities);
    result.links += n(r.links);
    result.events += n(r.events);
    say(`${head}: copied ${n(r.entities)} entities, ${n(r.links)} links, ${n(r.events)} events`);
  }
  if (opts.case === undefined) result.annotations = await copyAnnotations(from, to, say);
  return result;
}

/** Same entry of the log; an unmerge's target is an annotation id, which differs between stores. */
const sameEntry = (a: Annotation, b: Annotation) =>
  a.kind === b.kind && a.entityId === b.entityId && (a.text ?? null) === (b.text ?? null) && a.by === b.by && a.at === b.at &&
  (a.kind === 'unmerge' || (a.targetId ?? null) === (b.targetId ?? null));

/**
 * Appends `from`'s annotation log to `to` in order. The stores give new ids, so an unmerge's reference to
 * its merge annotation is rewritten to the new id. A target that already holds the same log (a re-run) is
 * left alone; a target with a different log is not touched either (merging two logs is a person's call).
 */
async function copyAnnotations(from: GraphStore, to: GraphStore, say: (line: string) => void): Promise<number> {
  const source = await from.listAnnotations();
  if (source.length === 0) return 0;
  const target = await to.listAnnotations();
  if (target.length > 0) {
    const same = target.length === source.length && source.every((a, i) => sameEntry(a, target[i]));
    say(same
      ? `annotations: the ${to.kind} store already has these ${source.length}, skipped`
      : `annotations: the ${to.kind} store has its own log (${target.length}); ${source.length} annotations NOT copied`);
    return 0;
  }
  const newId = new Map<string, string>();
  for (const a of source) {
    const { id, ...input } = a;
    if (input.kind === 'unmerge' && input.targetId) input.targetId = newId.get(input.targetId) ?? input.targetId;
    newId.set(id, (await to.appendAnnotation(input)).id);
  }
  say(`annotations: copied ${source.length}`);
  return source.length;
}
