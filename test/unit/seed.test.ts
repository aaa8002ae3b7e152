// The bundled synthetic device files are reproducible from their generator, byte for byte.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeLimaDevices } from '../../seed/generators/lima-devices.ts';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

describe('seed', () => {
  it('regenerates the committed synthetic extractions exactly, each labelled synthetic', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'casegraph-seed-'));
    try {
      const files = await writeLimaDevices(dir);
      for (const f of files) {
        const committed = join(import.meta.dirname, '../../seed/lima', basename(f));
        expect(basename(f)).toMatch(/^synthetic-/);
        expect(sha(f), basename(f)).toBe(sha(committed));
        expect(readFileSync(f, 'utf8')).toMatch(/SYNTHETIC/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
