/**
 * A small seeded pseudo-random number generator (mulberry32) for deterministic
 * synthetic fixtures and benchmarks. NOT cryptographic. Same seed → same
 * sequence on every platform (32-bit integer arithmetic only).
 */

export interface Rng {
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** Uniformly chosen element of a non-empty array. */
  pick<T>(a: readonly T[]): T;
  /** True with probability p. */
  chance(p: number): boolean;
}

export function rng(seed: number): Rng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int(min: number, max: number): number {
      const lo = Math.ceil(Math.min(min, max));
      const hi = Math.floor(Math.max(min, max));
      return lo + Math.floor(next() * (hi - lo + 1));
    },
    pick<T>(a: readonly T[]): T {
      if (a.length === 0) throw new Error('rng.pick: empty array');
      return a[Math.floor(next() * a.length)] as T;
    },
    chance(p: number): boolean {
      return next() < p;
    },
  };
}
