// Small statistics and reporting helpers for benchmarks: medians and percentiles, never single timings.
import { performance } from 'node:perf_hooks';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export interface Timing {
  n: number;
  p50: number;
  p95: number;
  max: number;
}

export function summarise(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), max: s[s.length - 1] ?? NaN };
}

/** Times `fn` over each input (after `warmup` untimed calls) and returns percentiles in ms. */
export async function timeEach<T>(inputs: T[], fn: (x: T) => unknown | Promise<unknown>, warmup = 5): Promise<Timing> {
  for (const x of inputs.slice(0, warmup)) await fn(x);
  const samples: number[] = [];
  for (const x of inputs) {
    const t = performance.now();
    await fn(x);
    samples.push(performance.now() - t);
  }
  return summarise(samples);
}

export const ms = (v: number) => (v < 1 ? v.toFixed(2) : v < 10 ? v.toFixed(1) : Math.round(v).toString());

export interface Row {
  group: string;
  measure: string;
  value: string;
  anchor: string;
  goal: string;
  ok?: boolean;
}

export function table(rows: Row[]): string {
  const head = '| area | measure | result | anchor (same run) | goal | |\n|---|---|---|---|---|---|\n';
  return head + rows.map((r) => `| ${r.group} | ${r.measure} | ${r.value} | ${r.anchor} | ${r.goal} | ${r.ok === undefined ? '' : r.ok ? 'met' : '**not met**'} |`).join('\n');
}
