// Analysis benchmark: key players of a case of 100k+ links, computed server-side as the API's job does it
// (scope read from the store, then a worker thread reporting progress): time to result and peak RSS, beside
// the time and memory of reading the same scope graph alone.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { SYNTHETIC_CDR_MAPPING, writeSyntheticCdr } from '../../seed/generators/network.ts';
import type { Row } from './stats.ts';

const ROOT = join(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');
const CASE = 'synthetic-network';

interface JobResult { nodes: number; edges: number; capped: boolean; sampled: boolean; communities: number; reports: number; firstReportS: number; seconds: number; maxRssMiB: number }
interface ReadResult { nodes: number; edges: number; capped: boolean; seconds: number; maxRssMiB: number }

function child<T>(args: string[]): T {
  const out = execFileSync(TSX, [join(import.meta.dirname, 'analysis-child.ts'), ...args], { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, NODE_OPTIONS: '' } });
  return JSON.parse(out.trim().split('\n').pop()!) as T;
}

export async function analysisBench(o: { dir: string; quick: boolean; log: (l: string) => void }): Promise<{ rows: Row[]; facts: Record<string, unknown> }> {
  // ~0.39 distinct links per record: 280k rows give ~109k links, 400k rows ~155k (both over the 100k the issue names)
  const rowsN = o.quick ? 280_000 : 400_000;
  const samples = 500;
  const csv = join(o.dir, `synthetic-analysis-${rowsN}.csv`);
  const file = join(o.dir, 'analysis.sqlite');
  o.log(`analysis: importing ${rowsN.toLocaleString('en')} synthetic CDR rows as case ${CASE}…`);
  await writeSyntheticCdr(csv, { rows: rowsN, seed: 3 });
  const store = new EmbeddedGraphStore({ file });
  const imports = new ImportService({ store, secret: 'b'.repeat(32), region: 'PE', defaultCase: CASE, maxUploadBytes: 2 ** 40, tmpDir: join(o.dir, 'spool') });
  await imports.importFile(csv, { mapping: SYNTHETIC_CDR_MAPPING, case: CASE });
  const counts = await store.counts();
  await store.close();
  o.log(`  ${counts.entities.toLocaleString('en')} entities, ${counts.links.toLocaleString('en')} links, ${counts.events.toLocaleString('en')} events`);

  const read = child<ReadResult>(['read', file, CASE]);
  o.log(`  scope graph alone: ${read.edges.toLocaleString('en')} links in ${read.seconds.toFixed(1)} s, peak RSS ${Math.round(read.maxRssMiB)} MiB`);
  const job = child<JobResult>(['job', file, CASE, String(samples)]);
  o.log(`  key-players job: ${job.nodes.toLocaleString('en')} nodes, ${job.edges.toLocaleString('en')} links → ${job.seconds.toFixed(1)} s, ${job.reports} progress reports, peak RSS ${Math.round(job.maxRssMiB)} MiB`);

  const ok = read.edges >= 100_000 && !job.capped && job.reports > 0;
  return {
    rows: [
      {
        group: 'analysis',
        measure: `key players (degree, ${samples}-source betweenness, eigenvector, Louvain, bridges) of a case of ${read.edges.toLocaleString('en')} links, ${job.nodes.toLocaleString('en')} entities, as a job`,
        value: `${job.seconds.toFixed(1)} s to result (first progress at ${job.firstReportS.toFixed(1)} s, ${job.reports} reports), peak RSS ${Math.round(job.maxRssMiB)} MiB`,
        anchor: `reading the scope graph alone ${read.seconds.toFixed(1)} s, ${Math.round(read.maxRssMiB)} MiB`,
        goal: '≥ 100k links in a progress-reported job, ≤ 120 s, ≤ 1 GiB',
        ok: ok && job.seconds <= 120 && job.maxRssMiB <= 1024,
      },
    ],
    facts: { rows: rowsN, counts, read, job, samples },
  };
}
