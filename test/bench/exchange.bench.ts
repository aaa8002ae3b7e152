// Exchange benchmark: a 100,000-element store (40,000 entities + 60,000 links, plus 10,000 call events;
// 1% of people are victims, so redaction does real work) exported as a snapshot to a file and re-opened
// into an empty store — medians of 3, each beside the store's own floor for the same work (dump() of the
// store; one apply() of the same records). GraphML export and open are measured too, for comparison.
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BatchBuilder, sha256Hex, type BatchChunk } from '../../backend/src/model/index.ts';
import { ExportService } from '../../backend/src/services/export.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { type Row } from './stats.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const secs = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export function* network(b: BatchBuilder, entities: number, links: number, events: number): Iterable<BatchChunk> {
  const people = Math.round(entities * 0.25);
  const orgs = Math.round(entities * 0.05);
  const phones = entities - people - orgs;
  const p: string[] = [];
  const o: string[] = [];
  const t: string[] = [];
  for (let i = 0; i < people; i++) {
    p.push(b.entity('Person', { key: `bench/p${i}`, label: `Person ${i} (synthetic)`, props: { role: i % 100 === 0 ? 'victim' : 'suspect', nationality: 'PE', age: 20 + (i % 50) }, locator: `people row ${i + 1}` }));
  }
  for (let i = 0; i < orgs; i++) o.push(b.entity('Organization', { key: `bench/o${i}`, label: `Organization ${i}`, props: { kind: 'company' }, locator: `orgs row ${i + 1}` }));
  for (let i = 0; i < phones; i++) t.push(b.phone(`+51 9${String(10_000_000 + i)}`, { region: 'PE', locator: `phones row ${i + 1}` }).id);
  yield b.flush();
  let made = 0;
  const link = (type: Parameters<BatchBuilder['link']>[0], from: string, to: string, loc: string) => {
    b.link(type, from, to, loc, { since: '2023' });
    made++;
  };
  for (let i = 0; i < phones && made < links; i++) link('USES_PHONE', p[i % people], t[i], `uses row ${i + 1}`);
  for (let i = 0; i < people && made < links; i++) link('MEMBER_OF', p[i], o[i % orgs], `members row ${i + 1}`);
  let k = 0;
  for (let i = 0; made < links; i++) {
    const from = t[i % phones];
    const to = t[(i * 7919 + 13) % phones];
    if (from === to) continue;
    if (k < events) {
      b.event('CALLED', from, to, { kind: 'call', at: new Date(Date.UTC(2023, 8, 1) + i * 60_000), durationS: i % 300, locator: `calls row ${k + 1}` });
      k++;
      made++;
    } else link('HAS_CONTACT', from, to, `contacts row ${i + 1}`);
    if (b.pending >= 20_000) yield b.flush();
  }
  yield b.flush();
}

/** In its own function so the builder's memory is gone before anything is timed. */
async function build(store: EmbeddedGraphStore, nE: number, nL: number, nV: number): Promise<void> {
  const b = new BatchBuilder({ sha256: sha256Hex(`bench-exchange-${nE}-${nL}`), kind: 'synthetic', name: `synthetic-exchange-${nE + nL}.csv`, case: 'bench-exchange' });
  await store.applyStream(b.source, network(b, nE, nL, nV));
}

export async function exchangeBench(o: { dir: string; quick: boolean; log: (l: string) => void }): Promise<{ rows: Row[]; facts: Record<string, unknown> }> {
  const scale = o.quick ? 0.1 : 1;
  const nE = Math.round(40_000 * scale);
  const nL = Math.round(60_000 * scale);
  const nV = Math.round(10_000 * scale);
  const runs = 3;
  const dir = join(o.dir, 'exchange');
  mkdirSync(dir, { recursive: true });
  const store = new EmbeddedGraphStore({ file: join(dir, 'a.sqlite') });
  o.log(`exchange: building a store of ${nE.toLocaleString('en')} entities and ${nL.toLocaleString('en')} links…`);
  let t0 = performance.now();
  await build(store, nE, nL, nV);
  const counts = await store.counts();
  o.log(`  built in ${secs(performance.now() - t0)}: ${counts.entities.toLocaleString('en')} entities, ${counts.links.toLocaleString('en')} links, ${counts.events.toLocaleString('en')} events`);

  const svc = new ExportService({ store, generator: 'Casegraph bench' });
  const timeExport = async (format: 'snapshot' | 'graphml', i: number) => {
    const path = join(dir, `export-${i}.${format}`);
    const t = performance.now();
    const rec = await svc.exportTo({ format, case: 'bench-exchange' }, createWriteStream(path), 'bench');
    return { ms: performance.now() - t, path, rec };
  };
  const timeOpen = async (path: string, i: number, format: string) => {
    const file = join(dir, `b-${format}-${i}.sqlite`);
    const target = new EmbeddedGraphStore({ file });
    const t = performance.now();
    const r = await new ExportService({ store: target }).openPath(path, `export.${format}`, { by: 'bench' });
    const ms = performance.now() - t;
    const c = await target.counts();
    await target.close();
    rmSync(file, { force: true });
    rmSync(`${file}-wal`, { force: true });
    rmSync(`${file}-shm`, { force: true });
    if (r.result.status !== 'applied' || c.entities !== counts.entities || c.links !== counts.links) throw new Error(`open ${format}: ${c.entities}/${c.links} of ${counts.entities}/${counts.links}`);
    return ms;
  };

  const results: Record<string, { exportMs: number[]; openMs: number[]; bytes: number; victims: number }> = {};
  for (const format of ['snapshot', 'graphml'] as const) {
    const r = { exportMs: [] as number[], openMs: [] as number[], bytes: 0, victims: 0 };
    for (let i = 0; i < runs; i++) {
      const e = await timeExport(format, i);
      r.exportMs.push(e.ms);
      r.bytes = statSync(e.path).size;
      r.victims = e.rec.victims;
      r.openMs.push(await timeOpen(e.path, i, format));
      o.log(`  ${format} run ${i + 1}: export ${secs(e.ms)} (${(r.bytes / 2 ** 20).toFixed(1)} MiB, ${r.victims} victims redacted), open ${secs(r.openMs.at(-1)!)}`);
      rmSync(e.path, { force: true });
    }
    results[format] = r;
  }

  // anchors: the store's own floor for the same work in the same run
  const dumpMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    t0 = performance.now();
    for await (const x of store.dump('bench-exchange')) void x;
    dumpMs.push(performance.now() - t0);
  }
  const applyMs: number[] = [];
  const batches = [];
  for await (const x of store.dump('bench-exchange')) batches.push(x);
  for (let i = 0; i < runs; i++) {
    const file = join(dir, `floor-${i}.sqlite`);
    const target = new EmbeddedGraphStore({ file });
    t0 = performance.now();
    for (const x of batches) await target.apply(x);
    applyMs.push(performance.now() - t0);
    await target.close();
    rmSync(file, { force: true });
  }
  await store.close();

  const elements = `${((nE + nL) / 1000).toFixed(0)}k elements`;
  const goal = o.quick ? '≤ 3 s (at 100k)' : '≤ 3 s';
  const s = results.snapshot;
  const g = results.graphml;
  return {
    rows: [
      { group: 'exchange', measure: `snapshot export, ${elements} + ${nV.toLocaleString('en')} events, victims redacted (median of ${runs})`, value: secs(median(s.exportMs)), anchor: `store dump() alone ${secs(median(dumpMs))}`, goal, ok: o.quick ? undefined : median(s.exportMs) <= 3000 },
      { group: 'exchange', measure: `snapshot re-open into an empty store, ${elements} (median of ${runs})`, value: secs(median(s.openMs)), anchor: `store apply() of the same records ${secs(median(applyMs))}`, goal, ok: o.quick ? undefined : median(s.openMs) <= 3000 },
      { group: 'exchange', measure: `GraphML export / open, ${elements} (median of ${runs})`, value: `${secs(median(g.exportMs))} / ${secs(median(g.openMs))}`, anchor: `${(g.bytes / 2 ** 20).toFixed(1)} MiB file`, goal: 'informative' },
    ],
    facts: {
      entities: counts.entities, links: counts.links, events: counts.events, snapshotBytes: s.bytes, graphmlBytes: g.bytes, victims: s.victims,
      snapshotExportMs: s.exportMs, snapshotOpenMs: s.openMs, graphmlExportMs: g.exportMs, graphmlOpenMs: g.openMs, dumpMs, applyMs,
    },
  };
}
