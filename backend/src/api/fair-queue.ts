// Store-bound requests take turns in arrival order. The embedded store answers synchronously, so without
// this a burst of expansions runs back to back inside one turn of the event loop: new connections are
// not accepted and ready sockets are not read until the burst ends, and under load some clients wait far
// longer than others (with 200 connections, a third of them timed out at 10 s while the rest were served
// in under a second). Here each request waits for a turn of its own, started from `setImmediate`, so the
// loop accepts and reads between any two of them and nobody waits longer than the queue ahead of them.
import { AppError } from '../errors.ts';

export class FairQueue {
  private readonly waiting: (() => void)[] = [];
  private head = 0;
  private active = 0;

  /**
   * @param concurrency requests running at once (1 for a synchronous store; more when the store does real
   *   I/O, e.g. Neo4j)
   * @param maxWaiting beyond this many waiting, refuse at once (503) rather than queue without end
   */
  constructor(private readonly concurrency = 1, private readonly maxWaiting = 10_000) {}

  get queued(): number {
    return this.waiting.length - this.head;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  private turn(): Promise<void> {
    if (this.active < this.concurrency && this.queued === 0) {
      this.active++;
      // even with nobody ahead, start from the check phase: the loop gets its I/O turn first
      return new Promise((resolve) => setImmediate(resolve));
    }
    if (this.queued >= this.maxWaiting) throw new AppError('store_unavailable', 'the server is busy: try again in a moment');
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    if (this.queued > 0) {
      const next = this.waiting[this.head];
      this.waiting[this.head++] = undefined as never;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      setImmediate(next); // the slot passes to the next in line, after the loop's I/O
    } else {
      this.active--;
    }
  }
}
