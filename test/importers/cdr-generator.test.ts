// The seeded PRNG and the SYNTHETIC scam-network generator: determinism (same seed → same bytes), the
// story's shape (raid, hubs, successor line, mixed number spellings) and that the CDR importer reads it.
// The 1,000,000-row run is a benchmark, not a test.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cdrImporter, parseCdr } from '../../backend/src/importers/cdr/cdr.importer.ts';
import { normalisePhone } from '../../backend/src/model/index.ts';
import { hashFile } from '../../backend/src/services/import.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import {
  NETWORK_END, NETWORK_RAID, NETWORK_START, SYNTHETIC_CDR_MAPPING, syntheticCdrMapping, syntheticNetworkEdges, syntheticRows, writeSyntheticCdr,
} from '../../seed/generators/network.ts';
import { rng } from '../../seed/generators/prng.ts';

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('rng (seeded PRNG)', () => {
  it('repeats its sequence for a seed and differs between seeds', () => {
    const seq = (s: number) => Array.from({ length: 5 }, ((r) => () => r.next())(rng(s)));
    expect(seq(42)).toEqual(seq(42));
    expect(seq(42)).not.toEqual(seq(43));
    expect(seq(0).every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('int is inclusive and uniform enough; pick and chance behave', () => {
    const r = rng(7);
    const counts = new Map<number, number>();
    for (let i = 0; i < 6000; i++) {
      const v = r.int(1, 6);
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual([1, 2, 3, 4, 5, 6]);
    for (const n of counts.values()) expect(n).toBeGreaterThan(850);
    expect(['a', 'b', 'c']).toContain(r.pick(['a', 'b', 'c']));
    expect(() => r.pick([])).toThrow();
    expect(Array.from({ length: 100 }, () => r.chance(0)).some(Boolean)).toBe(false);
    expect(Array.from({ length: 100 }, () => r.chance(1)).every(Boolean)).toBe(true);
  });
});

describe('synthetic network generator', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'casegraph-network-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same bytes for the same seed (10k rows), other bytes for another seed', async () => {
    const a = join(dir, 'synthetic-a.csv');
    const b = join(dir, 'synthetic-b.csv');
    const c = join(dir, 'synthetic-c.csv');
    const ra = await writeSyntheticCdr(a, { seed: 2023, rows: 10_000 });
    const rb = await writeSyntheticCdr(b, { seed: 2023, rows: 10_000 });
    await writeSyntheticCdr(c, { seed: 2024, rows: 10_000 });
    expect(ra).toEqual(rb);
    expect(ra.rows).toBe(10_000);
    expect(sha(a)).toBe(sha(b));
    expect(sha(a)).not.toBe(sha(c));
    const lines = readFileSync(a, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(10_001);
    expect(lines[0]).toBe('CALLING_NO;CALLED_NO;CALL_DATE;CALL_TIME;DURATION;CALL_TYPE;IMEI;IMSI;CELL_FIRST;CELL_LAST');
    expect(lines.every((l) => l.split(';').length === 10)).toBe(true);
  });

  it('tells the story: compound quiet after the raid, a successor line, handler hubs, mixed spellings', () => {
    const rows = [...syntheticRows({ seed: 5, rows: 10_000 })];
    const byTime = rows.map((r) => r.at.getTime());
    expect(byTime.every((t, i) => i === 0 || t >= byTime[i - 1])).toBe(true);
    expect(Math.min(...byTime)).toBeGreaterThanOrEqual(NETWORK_START.getTime());
    expect(Math.max(...byTime)).toBeLessThan(NETWORK_END.getTime());
    const before = rows.filter((r) => r.at < NETWORK_RAID);
    const after = rows.filter((r) => r.at >= NETWORK_RAID);
    const compound = new Set(before.filter((r) => r.scenario === 'hub calls target').map((r) => r.from));
    expect(compound.size).toBe(4); // call-centre hub lines
    expect(after.some((r) => compound.has(r.from) || compound.has(r.to))).toBe(false);
    const successor = new Set(after.filter((r) => r.scenario.startsWith('successor')).map((r) => r.from));
    expect(successor.size).toBe(1);
    const [next] = successor;
    expect(next).toMatch(/^\+519\d{8}$/);
    expect(before.some((r) => r.from === next || r.to === next)).toBe(false);
    // the successor reaches targets the compound had called
    const calledBefore = new Set(before.map((r) => r.to));
    expect(after.filter((r) => r.from === next && calledBefore.has(r.to)).length).toBeGreaterThan(100);
    // Taiwanese handlers are hubs with far more calls than any target
    const degree = new Map<string, number>();
    for (const r of rows) for (const n of [r.from, r.to]) if (n) degree.set(n, (degree.get(n) ?? 0) + 1);
    const top = [...degree].sort((x, y) => y[1] - x[1]).slice(0, 10).map(([n]) => n);
    expect(top.filter((n) => n.startsWith('+8869')).length).toBeGreaterThanOrEqual(3);
    // Malaysian numbers written every way; all normalise to one E.164 each with region MY
    const myTexts = rows.flatMap((r) => [[r.fromText, r.from], [r.toText, r.to]]).filter(([, e]) => e.startsWith('+60'));
    for (const re of [/^\+60\d+$/, /^\+60 /, /^0060/, /^0[1-9]\d+$/, /^0\d+-/]) expect(myTexts.some(([t]) => re.test(t))).toBe(true);
    for (const [text, e164] of myTexts.slice(0, 500)) expect(normalisePhone(text, 'MY').key).toBe(e164);
    for (const r of rows.slice(0, 500)) {
      expect(normalisePhone(r.fromText, 'MY').key).toBe(r.from);
      if (r.to) expect(normalisePhone(r.toText, 'MY').key).toBe(r.to);
    }
  });

  it('yields the same calls and messages as edges (data sessions left out)', () => {
    const rows = [...syntheticRows({ seed: 9, rows: 2_000 })];
    const edges = [...syntheticNetworkEdges({ seed: 9, rows: 2_000 })];
    const nonData = rows.filter((r) => r.kind !== 'data');
    expect(edges).toHaveLength(nonData.length);
    expect(edges[10]).toEqual({ from: nonData[10].from, to: nonData[10].to, at: nonData[10].at, durationS: nonData[10].durationS, kind: nonData[10].kind });
  });

  it('is read by the CDR importer with SYNTHETIC_CDR_MAPPING (and detected without it)', async () => {
    const path = join(dir, 'synthetic-import.csv');
    const { rows, distinctNumbers } = await writeSyntheticCdr(path, { seed: 11, rows: 3_000 });
    expect(cdrImporter.detect(readFileSync(path).subarray(0, 65536), 'synthetic-import.csv')).toBe(true);
    const store = new EmbeddedGraphStore({ file: join(dir, 's.sqlite') });
    try {
      const input = { name: 'synthetic-import.csv', path, sha256: await hashFile(path), size: statSync(path).size };
      const parsed = await parseCdr(input, { defaultCase: 'test', importedBy: 'test', defaultRegion: 'PE', secret: 'x'.repeat(32) }, SYNTHETIC_CDR_MAPPING);
      const r = await store.applyStream(parsed.source, parsed.chunks);
      const counts = await store.counts();
      expect(counts.byType.Phone).toBe(distinctNumbers);
      const dataRows = [...syntheticRows({ seed: 11, rows })].filter((x) => x.kind === 'data').length;
      expect(counts.events).toBe(rows - dataRows);
      expect(counts.byType.Device).toBeGreaterThan(20);
      expect(r.warnings.join('\n')).toMatch(/data-session/);
    } finally {
      await store.close();
    }
  });

  it('honours delimiter and date format options, and its mapping follows them', async () => {
    const path = join(dir, 'synthetic-iso.csv');
    await writeSyntheticCdr(path, { seed: 1, rows: 50, delimiter: ',', dateFormat: 'YYYY-MM-DD' });
    const [head, first] = readFileSync(path, 'utf8').split('\n');
    expect(head.split(',')).toHaveLength(10);
    expect(first.split(',')[2]).toMatch(/^2023-09-01$/);
    expect(syntheticCdrMapping({ delimiter: ',', dateFormat: 'YYYY-MM-DD' })).toMatchObject({ delimiter: ',', dateFormat: 'YYYY-MM-DD', timeZone: 'America/Lima', region: 'MY' });
    await expect(writeSyntheticCdr(join(dir, 'synthetic-bad.csv'), { rows: 1, dateFormat: 'DD/MM/YYYY HH:mm' })).rejects.toThrow(/date-only/);
  });
});
