// The fair queue: arrival order, bounded concurrency, I/O between turns, refusal when full.
import { describe, expect, it } from 'vitest';
import { FairQueue } from '../../backend/src/api/fair-queue.ts';
import { AppError } from '../../backend/src/errors.ts';

const busy = (ms: number) => {
  const t = performance.now();
  while (performance.now() - t < ms);
};

describe('FairQueue', () => {
  it('runs synchronous work one at a time in arrival order', async () => {
    const q = new FairQueue(1);
    const order: number[] = [];
    let running = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => q.run(async () => {
      running++;
      most = Math.max(most, running);
      order.push(i);
      await Promise.resolve();
      running--;
    })));
    expect(order).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(1);
    expect(q.queued).toBe(0);
  });

  it('lets timers and I/O run between two turns (a burst does not hold the event loop)', async () => {
    const q = new FairQueue(1);
    const events: string[] = [];
    const jobs = Array.from({ length: 5 }, (_, i) => q.run(async () => {
      busy(5);
      events.push(`job${i}`);
    }));
    setImmediate(() => events.push('io')); // queued after the first job's turn was scheduled
    await Promise.all(jobs);
    expect(events.indexOf('io')).toBeGreaterThan(0);
    expect(events.indexOf('io')).toBeLessThan(events.length - 1);
  });

  it('runs up to its concurrency at once for work that waits on I/O', async () => {
    const q = new FairQueue(3);
    let running = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 10 }, () => q.run(async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
    })));
    expect(most).toBe(3);
  });

  it('refuses with 503 once too many wait, and keeps serving those in line; a failing job frees its turn', async () => {
    const q = new FairQueue(1, 2);
    const a = q.run(async () => 'a');
    const b = q.run(async () => {
      throw new AppError('bad_request', 'no');
    });
    const c = q.run(async () => 'c');
    await expect(q.run(async () => 'd')).rejects.toMatchObject({ code: 'store_unavailable', status: 503 });
    expect(await a).toBe('a');
    await expect(b).rejects.toMatchObject({ code: 'bad_request' });
    expect(await c).toBe('c');
    expect(await q.run(async () => 'e')).toBe('e');
  });
});
