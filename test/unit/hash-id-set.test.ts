import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HashIdSet } from '../../backend/src/model/hash-id-set.ts';
import { makeLinkId } from '../../backend/src/model/index.ts';

describe('HashIdSet (compact set of hashed ids)', () => {
  it('answers exactly as a Set would, for hashed ids, near misses and ids of other shapes, across growth and clear', () => {
    const hex = fc.stringMatching(/^[0-9a-f]{24}$/);
    const id = fc.oneof(
      hex.map((h) => `lnk_${h}`),
      hex.map((h) => `tel_${h}`), // same hash, other prefix: a different id
      fc.string({ maxLength: 30 }), // any other shape
      fc.stringMatching(/^lnk_[0-9a-f]{23}$/),
    );
    fc.assert(fc.property(fc.array(id, { maxLength: 400 }), fc.array(id, { maxLength: 200 }), (added, probes) => {
      const set = new HashIdSet(4);
      const ref = new Set<string>();
      for (const x of added) {
        set.add(x);
        ref.add(x);
      }
      // the same hash under two prefixes, and one word changed: neither may be taken for the other
      for (const x of [...added, ...probes, ...added.map((a) => a.replace(/^lnk_/, 'tel_')), ...added.map((a) => a.slice(0, -1) + (a.endsWith('0') ? '1' : '0'))]) {
        expect(set.has(x)).toBe(ref.has(x));
      }
      expect(set.size).toBe(ref.size);
      set.clear();
      expect(added.some((x) => set.has(x))).toBe(false);
      expect(set.size).toBe(0);
    }), { numRuns: 200 });
  });

  it('holds 200,000 real link ids in about 13 bytes a slot', () => {
    const set = new HashIdSet();
    const ids = Array.from({ length: 200_000 }, (_, i) => makeLinkId('CALLED', `tel_${i}`, `tel_${i + 1}`));
    for (const x of ids) set.add(x);
    expect(set.size).toBe(200_000);
    expect(ids.every((x) => set.has(x))).toBe(true);
    expect(set.has(makeLinkId('CALLED', 'tel_x', 'tel_y'))).toBe(false);
  });
});
