// Period diff on a constructed before/after-raid network: a phone goes silent, a new one takes over most
// of its counterparts, links appear, disappear, rise and fall, and small changes stay below the thresholds.
import { describe, expect, it } from 'vitest';
import { DIFF_LIMITS, diffPeriods } from '../../backend/src/analysis/diff.ts';
import { DiffResult, type LinkActivity } from '../../backend/src/analysis/analysis.schema.ts';
import type { EntityType, LinkType } from '../../backend/src/model/ontology.ts';

function act(from: string, to: string, count: number, type: LinkType = 'CALLED'): LinkActivity {
  return { id: `${type}:${from}:${to}`, type, from, to, count, durationS: type === 'CALLED' ? count * 60 : 0, firstAt: '2023-09-01T00:00:00Z', lastAt: '2023-09-30T00:00:00Z' };
}

const labels = new Map<string, { type: EntityType; label: string }>([
  ['X', { type: 'Phone', label: '+51 987 654 321' }],
  ['Y', { type: 'Phone', label: '+51 912 345 678' }],
  ['H', { type: 'Phone', label: 'Red Dragon handler' }],
  ['M', { type: 'Phone', label: '+60 12 345 6789' }],
  ['c1', { type: 'Phone', label: 'Victim line 1' }],
  ['c2', { type: 'Phone', label: 'Victim line 2' }],
  ['c3', { type: 'Phone', label: 'Victim line 3' }],
  ['c4', { type: 'Phone', label: 'Victim line 4' }],
  ['P', { type: 'Person', label: 'Owner of Y' }],
]);

// Before the raid (A): X calls four counterparts. After (B): X is silent and Y calls three of them.
// The handler's line to M rises from 2 to 40; H–c4 falls from 30 to 3; S–T goes 1 → 3 (small).
const A = [act('X', 'c1', 10), act('X', 'c2', 12), act('c3', 'X', 8), act('X', 'c4', 12), act('H', 'M', 2), act('H', 'c4', 30), act('S', 'T', 1), act('H', 'T', 5)];
const B = [act('Y', 'c1', 6), act('c2', 'Y', 5), act('Y', 'c3', 9), act('H', 'M', 40), act('H', 'c4', 3), act('S', 'T', 3), act('H', 'T', 6), act('P', 'Y', 3, 'MESSAGED')];

describe('diffPeriods', () => {
  const r = diffPeriods(A, B, { factor: 3, minDelta: 5, labels });
  const link = (id: string) => r.links.find((l) => l.id === id);
  const entity = (id: string) => r.entities.find((e) => e.id === id);

  it('returns a valid DiffResult', () => {
    expect(DiffResult.parse(r)).toEqual(r);
    expect(r.capped).toBeUndefined();
  });

  it('finds Y taking over 3 of X’s 4 counterparts', () => {
    expect(r.takeovers).toEqual([{ gone: 'X', successor: 'Y', shared: ['c1', 'c2', 'c3'], overlap: 0.75 }]);
    expect(r.lines[0]).toBe('+51 912 345 678 took over 3 of 4 contacts of +51 987 654 321');
  });

  it('classifies links as appeared, disappeared, rose and fell', () => {
    expect(link('CALLED:X:c1')).toMatchObject({ status: 'disappeared', a: { count: 10, durationS: 600 }, b: { count: 0, durationS: 0 } });
    expect(link('CALLED:Y:c3')).toMatchObject({ status: 'appeared', a: { count: 0 }, b: { count: 9 } });
    expect(link('CALLED:H:M')).toMatchObject({ status: 'rose', a: { count: 2 }, b: { count: 40 } });
    expect(link('CALLED:H:c4')).toMatchObject({ status: 'fell', a: { count: 30 }, b: { count: 3 } });
    expect(link('MESSAGED:P:Y')).toMatchObject({ status: 'appeared', type: 'MESSAGED' });
  });

  it('respects both thresholds: 1 → 3 is below minDelta, 5 → 6 is below the factor', () => {
    expect(link('CALLED:S:T')).toBeUndefined();
    expect(link('CALLED:H:T')).toBeUndefined();
    // with a looser minDelta 1 → 3 is news, 5 → 6 still is not
    const loose = diffPeriods(A, B, { factor: 3, minDelta: 2, labels });
    expect(loose.links.find((l) => l.id === 'CALLED:S:T')?.status).toBe('rose');
    expect(loose.links.find((l) => l.id === 'CALLED:H:T')).toBeUndefined();
  });

  it('judges entities on the sum of their links', () => {
    expect(entity('X')).toMatchObject({ type: 'Phone', label: '+51 987 654 321', status: 'disappeared', a: { count: 42, durationS: 2520 }, b: { count: 0 } });
    expect(entity('Y')).toMatchObject({ status: 'appeared', a: { count: 0 }, b: { count: 23 } });
    // H: 2 + 30 + 5 = 37 in A, 40 + 3 + 6 = 49 in B: not a strong change
    expect(entity('H')).toBeUndefined();
    expect(entity('M')).toMatchObject({ status: 'rose' });
    // an id missing from the labels map keeps its id as label and the type the link allows first
    expect(entity('S')).toBeUndefined();
    const bare = diffPeriods([], [act('Q', 'R', 9)], { factor: 3, minDelta: 5, labels: new Map() });
    expect(bare.entities.map((e) => [e.id, e.type, e.label])).toEqual([['Q', 'Phone', 'Q'], ['R', 'Phone', 'R']]);
    expect(bare.lines).toContain('Q ↔ R started: none in A, 9 calls in B');
  });

  it('writes sentences with the labels, most significant first', () => {
    expect(r.lines).toContain('+51 987 654 321 stopped: 42 calls in A, none in B');
    expect(r.lines).toContain('Red Dragon handler ↔ +60 12 345 6789 rose from 2 to 40 calls');
    expect(r.lines).toContain('Red Dragon handler ↔ Victim line 4 fell from 30 to 3 calls');
    expect(r.lines).toContain('Owner of Y ↔ +51 912 345 678 started: none in A, 3 messages in B');
    // Y's total mixes calls and messages
    expect(r.lines).toContain('+51 912 345 678 started: none in A, 23 events in B');
    // after the takeover, the biggest change (X: −42) comes before smaller ones (H–M: +38)
    const at = (s: string) => r.lines.indexOf(s);
    expect(at('+51 987 654 321 stopped: 42 calls in A, none in B')).toBe(1);
    expect(at('+51 987 654 321 stopped: 42 calls in A, none in B')).toBeLessThan(at('Red Dragon handler ↔ +60 12 345 6789 rose from 2 to 40 calls'));
    expect(at('Red Dragon handler ↔ +60 12 345 6789 rose from 2 to 40 calls')).toBeLessThan(at('Owner of Y ↔ +51 912 345 678 started: none in A, 3 messages in B'));
  });

  it('needs two shared counterparts and half of the gone entity’s, and a successor of the same type', () => {
    // G had 5 counterparts, N shares 2 of them: 40 % is not a takeover
    const a = ['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => act('G', k, 3));
    const weak = diffPeriods(a, [act('N', 'k1', 3), act('N', 'k2', 3)], { factor: 3, minDelta: 5, labels: new Map() });
    expect(weak.takeovers).toEqual([]);
    // one shared counterpart of two is half, but fewer than two
    const single = diffPeriods([act('G', 'k1', 3), act('G', 'k2', 3)], [act('N', 'k1', 3)], { factor: 3, minDelta: 5, labels: new Map() });
    expect(single.takeovers).toEqual([]);
    // the best of two candidates wins; a Person talking to the same lines is not a successor of a Phone
    const typed = new Map<string, { type: EntityType; label: string }>([
      ['G', { type: 'Phone', label: 'G' }],
      ['N1', { type: 'Phone', label: 'N1' }],
      ['N2', { type: 'Phone', label: 'N2' }],
      ['Boss', { type: 'Person', label: 'Boss' }],
    ]);
    const b = [act('N1', 'k1', 1), act('N1', 'k2', 1), act('N1', 'k3', 1), act('N2', 'k1', 9), act('N2', 'k2', 9), ...['k1', 'k2', 'k3', 'k4'].map((k) => act('Boss', k, 1, 'RELATED_TO'))];
    const best = diffPeriods(a, b, { factor: 3, minDelta: 5, labels: typed });
    expect(best.takeovers).toEqual([{ gone: 'G', successor: 'N1', shared: ['k1', 'k2', 'k3'], overlap: 0.6 }]);
  });

  it('caps its output and says so', () => {
    const many = Array.from({ length: DIFF_LIMITS.links + 10 }, (_, i) => act(`p${i}`, `q${i}`, 1 + (i % 7)));
    const big = diffPeriods([], many, { factor: 3, minDelta: 5, labels: new Map() });
    expect(big.capped).toBe(true);
    expect(big.links).toHaveLength(DIFF_LIMITS.links);
    expect(big.entities).toHaveLength(DIFF_LIMITS.entities);
    expect(big.lines).toHaveLength(DIFF_LIMITS.lines);
    // the most significant are the ones kept: the 10 dropped links are among the 288 single calls
    expect(many.filter((l) => l.count === 1)).toHaveLength(288);
    expect(big.links.filter((l) => l.b.count === 1)).toHaveLength(278);
    expect(big.links.filter((l) => l.b.count === 7)).toHaveLength(287);
  });

  it('is empty when nothing changed', () => {
    expect(diffPeriods(A, A, { factor: 3, minDelta: 5, labels })).toEqual({ entities: [], links: [], takeovers: [], lines: [] });
  });
});
