// Round trips through the real embedded store: import into store A, export, open the export into an
// empty store B, and compare what the stores say (dump: sources with sha256/case/import time, every
// entity, link and event with props and locators; getEntity: provenance per source).
//
// What round-trips, per format (also in exchange/formats.ts and exchange/README.md):
//   snapshot, graphml, cyjs, ftm — everything, exactly (FtM through each line's `casegraph` context; an
//   FtM consumer such as Aleph sees only FtM semantics: see the FtM test below for what it loses).
//   gexf, csv — export only (not read back).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExportService } from '../../backend/src/services/export.service.ts';
import { exportToFile, makeFixture, normalisedDump, openStore, type Fixture } from './helpers.ts';

const READABLE = ['snapshot', 'graphml', 'cyjs', 'ftm'] as const;

describe('exchange round trips (store A → file → empty store B)', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await makeFixture();
  });
  afterAll(() => fx.close());

  it.each(READABLE)('%s: the whole store comes back the same, and opening it twice changes nothing', async (format) => {
    const { path, record } = await exportToFile(fx.store, fx.dir, { format, redactVictims: false }, `all.${format}`);
    expect(record.complete).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'casegraph-b-'));
    const b = await openStore(dir);
    try {
      const svc = new ExportService({ store: b });
      const first = await svc.openPath(path, `all.${format}`, { by: 'tester' });
      expect(first.provenance).toBe('original');
      expect(first.result.status).toBe('applied');
      expect(first.result.sources.map((s) => s.status)).toEqual(['applied', 'applied', 'applied']);
      expect(await normalisedDump(b)).toEqual(await normalisedDump(fx.store));
      for (const id of Object.values(fx.ids)) {
        const [x, y] = [await fx.store.getEntity(id), await b.getEntity(id)];
        expect(y, id).toEqual(x);
      }
      expect(await b.counts()).toEqual(await fx.store.counts());
      const again = await svc.openPath(path, `all.${format}`, { by: 'tester' });
      expect(again.result.status).toBe('already_imported');
      expect(again.result.warnings).toEqual([]);
      expect(await normalisedDump(b)).toEqual(await normalisedDump(fx.store));
    } finally {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(READABLE)('%s: one case keeps only its own sources', async (format) => {
    const { path } = await exportToFile(fx.store, fx.dir, { format, case: 'op-cusco', redactVictims: false }, `cusco.${format}`);
    const dir = mkdtempSync(join(tmpdir(), 'casegraph-b-'));
    const b = await openStore(dir);
    try {
      await new ExportService({ store: b }).openPath(path, `cusco.${format}`, { by: 'tester' });
      expect(await normalisedDump(b)).toEqual(await normalisedDump(fx.store, 'op-cusco'));
      expect((await b.listSources()).map((s) => s.case)).toEqual(['op-cusco']);
    } finally {
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
