// `npm run bench`: runs the benchmarks, prints a table, keeps each section's results in
// bench-out/results-<section>.json and writes the table of all sections into README.md between markers.
// Options: --only store,import,exchange,browser,analysis   --quick (small sizes for a smoke run; README untouched).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { table, type Row } from './stats.ts';

const SECTIONS = ['store', 'import', 'exchange', 'browser', 'analysis'] as const;
type Section = (typeof SECTIONS)[number];
const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean', default: false } } });
const only = new Set((values.only ?? SECTIONS.join(',')).split(',') as Section[]);
const quick = values.quick;
const ROOT = join(import.meta.dirname, '../..');
const OUT = join(ROOT, 'bench-out');
const log = (l: string) => process.stdout.write(`${l}\n`);
mkdirSync(OUT, { recursive: true });

interface SectionResult { section: Section; date: string; node: string; cpus: number; memGiB: number; quick: boolean; rows: Row[]; facts: Record<string, unknown> }

async function runSection(section: Section, dir: string): Promise<{ rows: Row[]; facts: Record<string, unknown> }> {
  switch (section) {
    case 'store': {
      const { storeBench } = await import('./store.bench.ts');
      const n = quick ? 100_000 : 2_600_000;
      log(`store: building the synthetic network from ${n.toLocaleString('en')} call records…`);
      return storeBench({ dir, rows: n, samples: quick ? 100 : 300, loadSeconds: quick ? 10 : 60, log });
    }
    case 'import':
      return (await import('./import.bench.ts')).importBench({ dir, quick, log });
    case 'exchange':
      return (await import('./exchange.bench.ts')).exchangeBench({ dir, quick, log });
    case 'browser':
      return (await import('./browser.bench.ts')).browserBench({ quick, log });
    case 'analysis':
      return (await import('./analysis.bench.ts')).analysisBench({ dir, quick, log });
  }
}

const dir = mkdtempSync(join(tmpdir(), 'casegraph-bench-'));
const ran: Row[] = [];
try {
  for (const section of SECTIONS) {
    if (!only.has(section)) continue;
    const r = await runSection(section, dir);
    ran.push(...r.rows);
    const result: SectionResult = { section, date: new Date().toISOString(), node: process.version, cpus: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), quick, ...r };
    writeFileSync(join(OUT, `results-${section}${quick ? '-quick' : ''}.json`), JSON.stringify(result, null, 2));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
log(`\n${table(ran)}\n`);

if (!quick) {
  const all = SECTIONS.map((s) => join(OUT, `results-${s}.json`)).filter(existsSync).map((f) => JSON.parse(readFileSync(f, 'utf8')) as SectionResult);
  const dates = [...new Set(all.map((r) => r.date.slice(0, 10)))].join(', ');
  const env = all[0] ? `Node ${all[0].node}, ${all[0].cpus} cores, ${all[0].memGiB} GiB` : '';
  const block = `<!-- bench:start -->\nMeasured by \`npm run bench\` on ${dates} (${env}). Medians and 95th percentiles; these machines are noisy, so read each figure beside the anchor measured in the same run.\n\n${table(all.flatMap((r) => r.rows))}\n<!-- bench:end -->`;
  const readme = join(ROOT, 'README.md');
  const text = readFileSync(readme, 'utf8');
  if (/<!-- bench:start -->[\s\S]*<!-- bench:end -->/.test(text)) {
    writeFileSync(readme, text.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block));
    log('README.md benchmark table updated');
  }
}
