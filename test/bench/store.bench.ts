// Store and API query benchmarks on the synthetic scam network (hubs included): 2-hop expansion with
// the cap, shortest path, search — each beside a bare-SQL anchor on the same database in the same run.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createApp } from '../../backend/src/app.ts';
import { SESSION_COOKIE } from '../../backend/src/api/auth.routes.ts';
import { AuthService } from '../../backend/src/auth/auth.service.ts';
import { AuthStore } from '../../backend/src/auth/auth.store.ts';
import { silentLogger } from '../../backend/src/logger.ts';
import { BatchBuilder, sha256Hex, type BatchChunk } from '../../backend/src/model/index.ts';
import { GraphService } from '../../backend/src/services/graph.service.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { rng } from '../../seed/generators/prng.ts';
import { syntheticNetworkEdges } from '../../seed/generators/network.ts';
import { ms, timeEach, type Row } from './stats.ts';

export interface StoreBenchOptions {
  dir: string;
  rows: number;
  samples: number;
  /** seconds of sustained load (autocannon); 60 in the full run */
  loadSeconds?: number;
  log: (line: string) => void;
}

export async function* networkChunks(b: BatchBuilder, rows: number, log: (l: string) => void): AsyncIterable<BatchChunk> {
  let i = 0;
  for (const e of syntheticNetworkEdges({ rows, seed: 7 })) {
    const from = b.phone(e.from, { locator: `row ${i + 1}` }).id;
    const to = b.phone(e.to, { locator: `row ${i + 1}` }).id;
    b.event(e.kind === 'sms' ? 'MESSAGED' : 'CALLED', from, to, { kind: e.kind, at: e.at, durationS: e.durationS, locator: `row ${i + 1}` });
    if (++i % 250_000 === 0) log(`  built ${i.toLocaleString('en')} records`);
    if (b.pending >= 20_000) yield b.flush();
  }
  yield b.flush();
}

interface LoadResult { requests: number; rps: number; p50: number; p99: number; errors: number; timeouts: number; non2xx: number; duration: number }

/** Runs test/bench/load-child.ts (autocannon) in its own process against the server at `base`. */
function loadTest(base: string, samplesFile: string, samples: { ids: string[]; terms: string[]; cookie: string }, seconds: number, connections: number): Promise<LoadResult> {
  writeFileSync(samplesFile, JSON.stringify(samples));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'load-child.ts'), base, samplesFile, String(seconds), String(connections)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load test exited with ${code}`))));
  });
}

export async function storeBench(o: StoreBenchOptions): Promise<{ rows: Row[]; facts: Record<string, number> }> {
  const file = join(o.dir, 'network.sqlite');
  const store = new EmbeddedGraphStore({ file });
  const b = new BatchBuilder({ sha256: sha256Hex(`synthetic-network-${o.rows}`), kind: 'synthetic', name: `synthetic-network-${o.rows}.csv`, case: 'synthetic-network' });
  let t = performance.now();
  await store.applyStream(b.source, networkChunks(b, o.rows, o.log));
  const buildS = (performance.now() - t) / 1000;
  const counts = await store.counts();
  o.log(`  network: ${counts.entities.toLocaleString('en')} phones, ${counts.links.toLocaleString('en')} links, ${counts.events.toLocaleString('en')} events in ${buildS.toFixed(1)} s`);

  // pick samples: ordinary entities (degree ≤ 50) and the top hubs, deterministically
  const raw = new Database(file, { readonly: true });
  const degrees = raw.prepare(`SELECT id, (SELECT count(*) FROM links WHERE src = e.id) + (SELECT count(*) FROM links WHERE dst = e.id) AS d FROM entities e`).all() as { id: string; d: number }[];
  degrees.sort((a, c) => c.d - a.d || a.id.localeCompare(c.id));
  const hubs = degrees.slice(0, 10).map((x) => x.id);
  const ordinary = degrees.filter((x) => x.d <= 50 && x.d >= 2);
  const r = rng(42);
  const pick = (n: number) => Array.from({ length: n }, () => ordinary[r.int(0, ordinary.length - 1)].id);
  const normal = pick(o.samples);
  const hubSamples = Array.from({ length: Math.min(o.samples, 50) }, (_, i) => hubs[i % hubs.length]);

  const rows: Row[] = [];
  const graph = new GraphService(store);
  const q = { depth: 2, limit: 500 };

  // The link index behind 2-hop reads is built on the first read after an import (for a store this large in
  // the background, reads going through SQL meanwhile): its cost is reported beside the warm figures,
  // which are measured once it is ready.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const memBefore = process.memoryUsage();
  t = performance.now();
  await graph.neighbours(normal[0], q, 'all');
  const firstRead = performance.now() - t;
  const index = await store.linkIndexReady();
  gc?.();
  const memAfter = process.memoryUsage();
  const indexHeapMiB = (memAfter.heapUsed + memAfter.arrayBuffers - memBefore.heapUsed - memBefore.arrayBuffers) / 2 ** 20;
  o.log(`  link index: ${index ? `${index.links.toLocaleString('en')} links in ${ms(index.buildMs)} ms, ${(index.bytes / 2 ** 20).toFixed(0)} MiB of arrays` : 'not built'}; heap + array buffers +${indexHeapMiB.toFixed(0)} MiB`);

  // 2-hop expansion: store, bare SQL anchor, HTTP API
  const anchor2 = raw.prepare(`SELECT DISTINCT n2 FROM (
      SELECT CASE WHEN l2.src = n1 THEN l2.dst ELSE l2.src END AS n2 FROM (
        SELECT dst AS n1 FROM links WHERE src = @id UNION SELECT src FROM links WHERE dst = @id
      ) JOIN links l2 ON l2.src = n1 OR l2.dst = n1) LIMIT 500`);
  const storeN = await timeEach(normal, (id) => graph.neighbours(id, q, 'all'));
  const anchorN = await timeEach(normal, (id) => anchor2.all({ id }));
  const storeH = await timeEach(hubSamples, (id) => graph.neighbours(id, q, 'all'));
  const anchorH = await timeEach(hubSamples, (id) => anchor2.all({ id }));

  const imports = new ImportService({ store, secret: 'b'.repeat(32), region: 'PE', defaultCase: 'bench', maxUploadBytes: 1 });
  // the API as investigators reach it: signed in, each request's session checked
  const auth = new AuthService(new AuthStore(join(o.dir, 'access.sqlite')));
  await auth.bootstrap('bench password, synthetic');
  const cookie = `${SESSION_COOKIE}=${(await auth.login('admin', 'bench password, synthetic', '127.0.0.1')).token}`;
  const app = createApp({ store, imports, auth, log: silentLogger });
  const server = await new Promise<import('node:http').Server>((res) => {
    const s = app.listen(0, '127.0.0.1', () => res(s));
  });
  // the client reuses connections across long phases: keep them open longer than the gaps
  server.keepAliveTimeout = 120_000;
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  const http = async (path: string, retry = true): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(base + path, { headers: { cookie } });
    } catch (err) {
      if (retry) return http(path, false); // a keep-alive connection closed under us: once more
      throw err;
    }
    if (!res.ok) throw new Error(`${path}: ${res.status}`);
    return res.json();
  };
  // as the explorer asks (shape=compact: rows), and the plain shape other tools get, side by side
  const httpN = await timeEach(normal, (id) => http(`/entities/${id}/neighbours?depth=2&limit=500&shape=compact`));
  const httpH = await timeEach(hubSamples, (id) => http(`/entities/${id}/neighbours?depth=2&limit=500&shape=compact`));
  const httpPlain = await timeEach(normal, (id) => http(`/entities/${id}/neighbours?depth=2&limit=500`));

  // shortest path between random ordinary pairs, and from hubs
  const pairs = Array.from({ length: o.samples }, (_, i) => [normal[i], normal[(i * 7 + 3) % normal.length]] as const);
  const pathQ = (from: string, to: string) => graph.paths({ from, to, k: 6, mode: 'shortest', maxPaths: 1 }, 'all');
  const pathN = await timeEach(pairs, ([a, c]) => pathQ(a, c));
  let found = 0;
  for (const [a, c] of pairs) if ((await pathQ(a, c)).paths.length) found++;
  const hubPairs = hubSamples.map((h, i) => [h, normal[i]] as const);
  const pathH = await timeEach(hubPairs, ([a, c]) => pathQ(a, c));

  // search: partial digits of known numbers, and the same through bare FTS
  const numbers = normal.map((id) => (raw.prepare('SELECT label FROM entities WHERE id = ?').pluck().get(id) as string).replace(/\D/g, '').slice(-8));
  const terms = numbers.map((d) => `${d.slice(0, 4)} ${d.slice(4)}`);
  const searchS = await timeEach(terms, (t2) => graph.search({ q: t2, limit: 20 }, 'all'));
  const fts = raw.prepare(`SELECT rowid FROM entity_fts WHERE entity_fts MATCH ? LIMIT 20`);
  const searchA = await timeEach(numbers, (d) => fts.all(`"${d}"*`));
  const searchHttp = await timeEach(terms, (t2) => http(`/search?q=${encodeURIComponent(t2)}`));

  // sustained load: autocannon, 200 connections, alternating search and 2-hop expand, from another process
  const load = await loadTest(base.replace(/\/api$/, ''), join(o.dir, 'load-samples.json'), { ids: normal, terms, cookie }, o.loadSeconds ?? 60, 200);
  o.log(`  load: ${load.requests.toLocaleString('en')} requests in ${load.duration} s, p50 ${load.p50} ms, p99 ${load.p99} ms, ${load.errors} errors, ${load.timeouts} timeouts, ${load.non2xx} non-2xx`);

  server.close();
  auth.close();
  raw.close();
  await store.close();
  t = 0;

  const row = (group: string, measure: string, v: { p50: number; p95: number }, anchor: string, goalMs: number | null, goalText: string): Row => ({
    group, measure, value: `p50 ${ms(v.p50)} ms · p95 ${ms(v.p95)} ms`, anchor, goal: goalText, ...(goalMs !== null ? { ok: v.p95 <= goalMs } : {}),
  });
  const vs = (a: { p95: number }) => `bare SQL p95 ${ms(a.p95)} ms`;
  rows.push(
    {
      group: 'explore', measure: 'link index for 2-hop reads: cold cost, once after opening and after each import',
      value: index
        ? `build ${ms(index.buildMs)} ms · ${(index.bytes / 2 ** 20).toFixed(0)} MiB in arrays · heap + array buffers +${indexHeapMiB.toFixed(0)} MiB${gc ? '' : ' (uncollected)'}`
        : 'not built (more links than its bound)',
      anchor: `first read ${ms(firstRead)} ms; warm 2-hop p50 ${ms(storeN.p50)} ms`, goal: 'reported',
    },
    row('explore', `2-hop expansion, cap 500, store (${storeN.n} ordinary entities)`, storeN, vs(anchorN), 10, 'p95 ≤ 10 ms'),
    row('explore', `2-hop expansion, cap 500, store (10 hubs, ${storeH.n} calls)`, storeH, vs(anchorH), null, 'reported separately'),
    row('explore', '2-hop expansion, cap 500, HTTP API as the explorer asks (shape=compact; ordinary)', httpN, `store p95 ${ms(storeN.p95)} ms`, 25, 'p95 ≤ 25 ms'),
    row('explore', '2-hop expansion, cap 500, HTTP API (shape=compact; hubs)', httpH, `store p95 ${ms(storeH.p95)} ms`, null, 'reported separately'),
    row('explore', '2-hop expansion, cap 500, HTTP API, plain shape (objects; ordinary)', httpPlain, `compact p95 ${ms(httpN.p95)} ms`, null, 'informative'),
    row('explore', `shortest path ≤ 6 hops (${pathN.n} random pairs, ${found} connected)`, pathN, '—', 100, 'p95 ≤ 100 ms'),
    row('explore', 'shortest path ≤ 6 hops from a hub', pathH, '—', null, 'reported separately'),
    row('explore', 'search, partial digits ("2161 1111" style), store', searchS, `bare FTS p95 ${ms(searchA.p95)} ms`, 20, 'p95 ≤ 20 ms'),
    row('explore', 'search, HTTP API', searchHttp, `store p95 ${ms(searchS.p95)} ms`, null, '—'),
    {
      group: 'load', measure: `autocannon, 200 connections, ${load.duration} s, search + 2-hop expand alternating`,
      value: `${Math.round(load.rps).toLocaleString('en')} req/s · p50 ${load.p50} ms · p99 ${load.p99} ms`,
      // autocannon's `errors` already counts the timeouts among them
      anchor: `${load.requests.toLocaleString('en')} requests; ${load.errors} errors (${load.timeouts} of them timeouts at 10 s), ${load.non2xx} non-2xx`,
      goal: '0 errors', ok: load.errors + load.non2xx === 0,
    },
  );
  return { rows, facts: { buildSeconds: buildS, entities: counts.entities, links: counts.links, events: counts.events, records: o.rows } };
}
