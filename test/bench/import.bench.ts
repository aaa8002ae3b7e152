// Import benchmarks: a 1,000,000-row synthetic CDR through the full pipeline beside a bare better-sqlite3
// insert loop over the same rows (the floor), and a ≥ 200 MB synthetic UFDR report.xml; peak RSS of each.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { writeSyntheticCdr } from '../../seed/generators/network.ts';
import { writeSyntheticUfdrXml } from '../../seed/generators/ufdr.ts';
import type { Row } from './stats.ts';

const ROOT = join(import.meta.dirname, '../..');
const TSX = join(ROOT, 'node_modules/.bin/tsx');

interface ChildResult { records: number; seconds: number; maxRssMiB: number }

function child(args: string[]): ChildResult {
  const out = execFileSync(TSX, [join(import.meta.dirname, 'import-child.ts'), ...args], { encoding: 'utf8', maxBuffer: 1 << 20, env: { ...process.env, NODE_OPTIONS: '' } });
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function importBench(o: { dir: string; quick: boolean; log: (l: string) => void }): Promise<{ rows: Row[]; facts: Record<string, unknown> }> {
  const rowsN = o.quick ? 50_000 : 1_000_000;
  const runs = Number(process.env.BENCH_IMPORT_RUNS ?? 1);
  const csv = join(o.dir, `synthetic-network-${rowsN}.csv`);
  o.log(`import: writing ${rowsN.toLocaleString('en')} synthetic CDR rows…`);
  await writeSyntheticCdr(csv, { rows: rowsN, seed: 1 });
  const pipe: ChildResult[] = [];
  const floor: ChildResult[] = [];
  for (let i = 0; i < runs; i++) {
    floor.push(child(['floor', csv, o.dir]));
    o.log(`  floor run ${i + 1}: ${Math.round(floor.at(-1)!.records / floor.at(-1)!.seconds).toLocaleString('en')} rows/s`);
    pipe.push(child(['pipeline', csv, o.dir, 'cdr']));
    o.log(`  pipeline run ${i + 1}: ${Math.round(pipe.at(-1)!.records / pipe.at(-1)!.seconds).toLocaleString('en')} rows/s, peak RSS ${Math.round(pipe.at(-1)!.maxRssMiB)} MiB`);
  }
  const pipeRate = median(pipe.map((r) => r.records / r.seconds));
  const floorRate = median(floor.map((r) => r.records / r.seconds));
  const pipeRss = Math.max(...pipe.map((r) => r.maxRssMiB));

  const xmlCalls = o.quick ? 10_000 : 130_000;
  const xml = join(o.dir, 'synthetic-big-report.xml');
  o.log(`import: writing a synthetic UFDR report.xml with ${xmlCalls.toLocaleString('en')} calls…`);
  await writeSyntheticUfdrXml(xml, { seed: 5, calls: xmlCalls, contacts: 400, messages: Math.round(xmlCalls / 4) });
  const xmlMiB = statSync(xml).size / 2 ** 20;
  const ufdr = child(['pipeline', xml, o.dir]);
  o.log(`  report.xml ${Math.round(xmlMiB)} MiB: ${ufdr.seconds.toFixed(1)} s, peak RSS ${Math.round(ufdr.maxRssMiB)} MiB`);

  const ratio = pipeRate / floorRate;
  return {
    rows: [
      { group: 'import', measure: `CDR CSV, ${rowsN.toLocaleString('en')} rows, full pipeline (median of ${runs})`, value: `${Math.round(pipeRate).toLocaleString('en')} rows/s (${ratio.toFixed(2)}× floor)`, anchor: `bare insert loop ${Math.round(floorRate).toLocaleString('en')} rows/s`, goal: '≥ 0.5× floor', ok: ratio >= 0.5 },
      { group: 'import', measure: 'CDR CSV, peak RSS (worst run)', value: `${Math.round(pipeRss)} MiB`, anchor: `floor ${Math.round(Math.max(...floor.map((r) => r.maxRssMiB)))} MiB`, goal: '≤ 400 MiB', ok: pipeRss <= 400 },
      { group: 'import', measure: `UFDR report.xml, ${Math.round(xmlMiB)} MiB, ${ufdr.records.toLocaleString('en')} events`, value: `${ufdr.seconds.toFixed(1)} s, peak RSS ${Math.round(ufdr.maxRssMiB)} MiB`, anchor: `${(xmlMiB / ufdr.seconds).toFixed(1)} MiB/s`, goal: 'bounded memory (≤ 400 MiB)', ok: ufdr.maxRssMiB <= 400 },
    ],
    facts: { rows: rowsN, pipeRate, floorRate, ratio, pipeRss, xmlMiB, ufdr },
  };
}
