// Extraction quality against hand-labelled answers: precision and recall per candidate kind, with floors.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { toPlainText } from '../../backend/src/text/document.ts';
import { extractCandidates } from '../../backend/src/text/extract.ts';
import type { CandidateKind } from '../../backend/src/text/text.schema.ts';
import { normaliseName } from '../../backend/src/model/index.ts';

const DIR = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/text');

interface Answers {
  source: string;
  region: string;
  reportDate?: string;
  expected: Partial<Record<CandidateKind, (string | string[])[]>>;
  optional?: Partial<Record<CandidateKind, string[]>>;
  floors: { recall?: Partial<Record<CandidateKind, number>>; precision?: Partial<Record<CandidateKind, number>> };
}

/** Names compare case- and accent-insensitively (apostrophes folded); identifiers compare exactly. */
const NAMED: CandidateKind[] = ['person', 'organization', 'place'];
function key(kind: CandidateKind, v: string): string {
  return NAMED.includes(kind) ? normaliseName(v).replace(/’/g, "'") : v;
}

const cases = ['seed-lima', 'ngo-interview', 'seizure-report'].map((name) => ({ name, answers: parse(readFileSync(join(DIR, `${name}.expected.yaml`), 'utf8')) as Answers }));

describe('text extraction quality', () => {
  it.each(cases)('$name meets its precision and recall floors', async ({ name, answers }) => {
    const path = join(DIR, answers.source);
    expect(existsSync(path), `${path} (the seed lives in ../shared beside the repository)`).toBe(true);
    const doc = await toPlainText(readFileSync(path), path);
    const r = extractCandidates(doc.text, { region: answers.region, reportDate: answers.reportDate, secret: 'q'.repeat(32), caseName: 'quality', today: '2024-01-01' });

    const rows: Record<string, { expected: number; predicted: number; tp: number; precision: string; recall: string; missed: string; extra: string }> = {};
    const failures: string[] = [];
    const kinds = new Set<CandidateKind>([...(Object.keys(answers.expected) as CandidateKind[]), ...r.candidates.map((c) => c.kind)]);
    for (const kind of kinds) {
      const expected = (answers.expected[kind] ?? []).map((e) => (Array.isArray(e) ? e : [e]).map((v) => key(kind, v)));
      const optional = new Set((answers.optional?.[kind] ?? []).map((v) => key(kind, v)));
      // people, organisations and places match on the label; identifiers, money and dates on the normalised value
      const predicted = r.candidates.filter((c) => c.kind === kind).map((c) => key(kind, NAMED.includes(kind) ? c.label : c.value));
      const found = expected.filter((alts) => alts.some((a) => predicted.includes(a)));
      const counted = predicted.filter((p) => !optional.has(p));
      const correct = counted.filter((p) => expected.some((alts) => alts.includes(p)));
      const recall = expected.length ? found.length / expected.length : 1;
      const precision = counted.length ? correct.length / counted.length : 1;
      rows[kind] = {
        expected: expected.length, predicted: counted.length, tp: correct.length, precision: precision.toFixed(2), recall: recall.toFixed(2),
        missed: expected.filter((alts) => !found.includes(alts)).map((a) => a[0]).join(', '),
        extra: counted.filter((p) => !correct.includes(p)).join(', '),
      };
      const rf = answers.floors.recall?.[kind];
      const pf = answers.floors.precision?.[kind];
      if (rf !== undefined && recall < rf) failures.push(`${kind} recall ${recall.toFixed(2)} < ${rf}`);
      if (pf !== undefined && precision < pf) failures.push(`${kind} precision ${precision.toFixed(2)} < ${pf}`);
    }
    console.log(`\n${name}: precision and recall per kind`);
    console.table(rows);
    expect(failures).toEqual([]);
  });

  it('the seed floors are the ones the task sets (recall ≥ 0.9 for places, organisations, money and dates)', () => {
    const seed = cases.find((c) => c.name === 'seed-lima')!.answers;
    for (const k of ['place', 'organization', 'money', 'date'] as const) expect(seed.floors.recall?.[k]).toBeGreaterThanOrEqual(0.9);
  });
});
