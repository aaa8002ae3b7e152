// `npm run bench`: runs the benchmarks, prints a table and writes it into README.md between markers
// (and bench-out/results.json). Options: --only store,import,browser  --quick (small sizes for a smoke run).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { storeBench } from './store.bench.ts';
import { table, type Row } from './stats.ts';

const { values } = parseArgs({ options: { only: { type: 'string' }, quick: { type: 'boolean', default: false }, 'no-readme': { type: 'boolean', default: false } } });
const only = new Set((values.only ?? 'store,import,browser').split(','));
const quick = values.quick;
const ROOT = join(import.meta.dirname, '../..');
const log = (l: string) => process.stdout.write(`${l}\n`);

const rows: Row[] = [];
const facts: Record<string, unknown> = { date: new Date().toISOString(), node: process.version, cpus: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), quick };
const dir = mkdtempSync(join(tmpdir(), 'casegraph-bench-'));
try {
  if (only.has('store')) {
    const n = quick ? 100_000 : 2_600_000;
    log(`store: building the synthetic network from ${n.toLocaleString('en')} call records…`);
    const r = await storeBench({ dir, rows: n, samples: quick ? 100 : 300, log });
    rows.push(...r.rows);
    facts.store = r.facts;
  }
  if (only.has('import')) {
    const { importBench } = await import('./import.bench.ts');
    const r = await importBench({ dir, quick, log });
    rows.push(...r.rows);
    facts.import = r.facts;
  }
  if (only.has('browser')) {
    const { browserBench } = await import('./browser.bench.ts');
    const r = await browserBench({ quick, log });
    rows.push(...r.rows);
    facts.browser = r.facts;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const md = table(rows);
log(`\n${md}\n`);
mkdirSync(join(ROOT, 'bench-out'), { recursive: true });
writeFileSync(join(ROOT, 'bench-out/results.json'), JSON.stringify({ facts, rows }, null, 2));
if (!quick && !values['no-readme'] && only.size === 3) {
  const readme = join(ROOT, 'README.md');
  const text = readFileSync(readme, 'utf8');
  const block = `<!-- bench:start -->\nMeasured by \`npm run bench\` on ${String(facts.date).slice(0, 10)} (Node ${facts.node}, ${facts.cpus} cores, ${facts.memGiB} GiB). Medians and 95th percentiles; these machines are noisy, so read ratios to the anchor measured in the same run.\n\n${md}\n<!-- bench:end -->`;
  if (/<!-- bench:start -->[\s\S]*<!-- bench:end -->/.test(text)) {
    writeFileSync(readme, text.replace(/<!-- bench:start -->[\s\S]*<!-- bench:end -->/, block));
    log('README.md benchmark table updated');
  }
}
