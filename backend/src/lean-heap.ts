// V8 lets the old generation grow to several times what is live before a full collection. A long import
// allocates steadily and keeps little (about 90 MB live in the middle of a 1M-row CDR), so the heap grew
// to ~500 MB of mostly garbage and the process peaked at ~870 MiB. Growing the heap by at most 20% per
// collection kept the same import at ~450 MiB for the same time (`npm run bench`, import section).
import v8 from 'node:v8';

export const HEAP_GROWING_PERCENT = 20;

/** Call once at process start (the CLI and the benchmark's import child do). */
export function leanHeap(): void {
  v8.setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
