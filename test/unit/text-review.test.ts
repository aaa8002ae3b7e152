// The pure parts of the "From text" review (frontend/src/panels/text-review.ts): which candidates start
// accepted, the sentence context around a mention, how known sources are named, the file name of pasted
// text, and how applied entities are found again to be shown in the graph.
import { describe, expect, it } from 'vitest';
import { ambiguous, defaultDecision, defaultMerge, mentionParts, pastedName, sourceNames } from '../../frontend/src/panels/text-review.ts';
import type { Candidate, CandidateMatch, SearchHit } from '../../frontend/src/api.ts';

const known = (over: Partial<CandidateMatch> = {}): CandidateMatch => ({
  id: 'plc_lima',
  type: 'Place',
  label: 'Lima',
  by: 'id',
  sources: [{ name: 'lima-raid.report.yaml', kind: 'report', case: 'lima-2023' }],
  ...over,
});

const candidate = (matches: CandidateMatch[], over: Partial<Candidate> = {}): Candidate => ({
  id: 'c1',
  kind: 'place',
  type: 'Place',
  text: 'Lima',
  label: 'Lima',
  value: 'place/lima|pe',
  props: {},
  spans: [{ start: 0, end: 4 }],
  sentences: [0],
  matches,
  ...over,
});

describe('default decisions', () => {
  it('accepts a candidate nothing in the store resembles', () => {
    expect(defaultDecision(candidate([]))).toBe('accept');
    expect(defaultMerge(candidate([]))).toBeNull();
  });

  it('accepts a candidate with the very identifier of a known entity and writes onto it', () => {
    const c = candidate([known()]);
    expect(defaultDecision(c)).toBe('accept');
    expect(defaultMerge(c)).toBe('plc_lima');
  });

  it('leaves a namesake (same label, other identifier) pending, with no merge chosen', () => {
    const c = candidate([known({ by: 'label', id: 'plc_other' })]);
    expect(ambiguous(c)).toBe(true);
    expect(defaultDecision(c)).toBe('pending');
    expect(defaultMerge(c)).toBeNull();
  });

  it('does not merge onto an identifier match of another type', () => {
    const c = candidate([known({ type: 'Address', id: 'adr_1' }), known({ by: 'label', id: 'plc_2' })]);
    expect(defaultMerge(c)).toBeNull();
    expect(defaultDecision(c)).toBe('pending');
  });
});

describe('mentionParts', () => {
  const text = 'First sentence here. The suspect called +60 3-2161 1111 from Lima. Last one.';
  const span = { start: text.indexOf('+60'), end: text.indexOf('+60') + '+60 3-2161 1111'.length };
  const sentence = { start: text.indexOf('The'), end: text.indexOf('Lima.') + 5 };

  it('gives the whole sentence split around the mention', () => {
    expect(mentionParts(text, sentence, span)).toEqual({ before: 'The suspect called ', mention: '+60 3-2161 1111', after: ' from Lima.' });
  });

  it('cuts a long sentence at word boundaries and marks the cuts', () => {
    const long = `${'word '.repeat(100)}NEEDLE${' more'.repeat(100)}`;
    const at = long.indexOf('NEEDLE');
    const p = mentionParts(long, { start: 0, end: long.length }, { start: at, end: at + 6 }, 30);
    expect(p.mention).toBe('NEEDLE');
    expect(p.before.startsWith('…word')).toBe(true);
    expect(p.after.endsWith('more…')).toBe(true);
    expect(p.before.length).toBeLessThanOrEqual(31);
    expect(p.after.length).toBeLessThanOrEqual(31);
  });

  it('falls back to the mention alone without a sentence', () => {
    expect(mentionParts(text, undefined, span)).toEqual({ before: '', mention: '+60 3-2161 1111', after: '' });
  });
});

describe('naming', () => {
  it('names one, two or many sources', () => {
    const src = (name: string) => ({ name, kind: 'ufdr', case: 'x' });
    expect(sourceNames(known())).toBe('lima-raid.report.yaml');
    expect(sourceNames(known({ sources: [src('A'), src('B'), src('A')] }))).toBe('A and B');
    expect(sourceNames(known({ sources: [src('A'), src('B'), src('C'), src('D')] }))).toBe('A, B and 2 more');
    expect(sourceNames(known({ sources: [] }))).toBe('the store');
  });

  it('makes a safe .txt name for pasted text', () => {
    expect(pastedName('Interview 12/10: "Chen"')).toBe('Interview 12 10 Chen.txt');
    expect(pastedName('  ', new Date('2026-11-27T10:00:00Z'))).toBe('pasted text 2026-11-27.txt');
    expect(pastedName('x'.repeat(300)).length).toBe(124);
  });
});
