// Writes a scope and a view state as a `.casegraph.json` snapshot (layout in snapshot.schema.ts),
// streaming: one record per line, hashes computed as the lines go out, the manifest last.
import { createHash, type Hash } from 'node:crypto';
import type { Scope } from '../scope.ts';
import { scopeCounts } from '../scope.ts';
import type { Sink } from '../sink.ts';
import { SNAPSHOT_HEAD, type SnapshotManifest, type SnapshotMeta } from './snapshot.schema.ts';

export interface SnapshotWriteOptions {
  meta: Omit<SnapshotMeta, 'counts'>;
  view: Record<string, unknown>;
  entityIds: string[];
}

export async function writeSnapshot(scope: Scope, sink: Sink, o: SnapshotWriteOptions): Promise<SnapshotManifest> {
  const content = createHash('sha256');
  let contentBytes = 0;
  let section: Hash | null = null;
  // lines are gathered and hashed in blocks: one hash update per block, not two per record
  let block = '';
  let lines = 0;
  const flush = () => {
    if (!block) return;
    const b = Buffer.from(block, 'utf8');
    content.update(b);
    section?.update(b);
    contentBytes += b.length;
    sink.writeBytes(b);
    block = '';
  };
  /** appends a line; true every 512 lines, when the caller should let a slow receiver catch up */
  const line = (s: string): boolean => {
    block += `${s}\n`;
    if (block.length >= 256 * 1024) flush();
    return ++lines % 512 === 0;
  };
  const sectionLine = (s: string): string => {
    flush();
    const b = Buffer.from(`${s}\n`, 'utf8');
    content.update(b);
    contentBytes += b.length;
    sink.writeBytes(b);
    return createHash('sha256').update(b).digest('hex');
  };
  const counts = scopeCounts(scope);
  line(SNAPSHOT_HEAD);
  flush();
  const sections = {
    meta: sectionLine(`"meta":${JSON.stringify({ ...o.meta, counts })},`),
    view: sectionLine(`"view":${JSON.stringify(o.view)},`),
    entityIds: sectionLine(`"entityIds":${JSON.stringify(o.entityIds)},`),
    merges: sectionLine(`"merges":${JSON.stringify(scope.merges)},`),
  };
  line('"records":[');
  flush();
  const sources: SnapshotManifest['sources'] = [];
  for (let i = 0; i < scope.sources.length; i++) {
    const src = scope.sources[i];
    const ids = scope.bySource[i];
    section = createHash('sha256');
    line(`["S",${JSON.stringify(src)}],`);
    const locs = (prov: { s: number; l: string[] }[]) => prov.find((p) => p.s === i)?.l ?? [];
    for (const id of ids.entities) {
      const e = scope.entities.get(id)!;
      if (line(`["E",${JSON.stringify({ id: e.id, type: e.type, label: e.label, props: e.props, search: e.search, locators: locs(e.prov) })}],`)) await sink.ready();
    }
    for (const id of ids.links) {
      const l = scope.links.get(id)!;
      if (line(`["L",${JSON.stringify({ id: l.id, type: l.type, from: l.from, to: l.to, props: l.props, locators: locs(l.prov) })}],`)) await sink.ready();
    }
    for (const id of ids.events) {
      const ev = scope.events.get(id)!;
      if (line(`["V",${JSON.stringify({
        id: ev.id, kind: ev.kind, linkId: ev.linkId, from: ev.from, to: ev.to, at: ev.at, durationS: ev.durationS, deleted: ev.deleted,
        original: ev.original, props: ev.props, locator: locs(ev.prov)[0] ?? '',
      })}],`)) await sink.ready();
    }
    flush();
    sources.push({
      index: i, name: src.name, kind: src.kind, case: src.case, sha256: src.sha256, importedAt: src.importedAt,
      records: { entities: ids.entities.length, links: ids.links.length, events: ids.events.length }, recordsSha256: section.digest('hex'),
    });
    section = null;
  }
  line('["Z"]');
  line('],');
  flush();
  const manifest: SnapshotManifest = { algorithm: 'sha256', contentSha256: content.digest('hex'), contentBytes, sections, sources, counts };
  sink.write(`"manifest":${JSON.stringify(manifest)}}\n`);
  return manifest;
}
