// Snapshots larger than one read chunk (lines split across chunks, a view state line of megabytes):
// the streaming verifier and reader agree with the writer, and a change deep inside is still caught.
// Also holds the hand-written record checks to the zod schemas they stand in for.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSnapEntity, isSnapEvent, isSnapLink } from '../../backend/src/exchange/snapshot/snapshot.fastcheck.ts';
import { SnapEntity, SnapEvent, SnapLink } from '../../backend/src/exchange/snapshot/snapshot.schema.ts';
import { BatchBuilder, sha256Hex } from '../../backend/src/model/index.ts';
import { ExportService } from '../../backend/src/services/export.service.ts';
import { exportToFile, makeFixture, normalisedDump, openStore, type Fixture } from './helpers.ts';

describe('large snapshots', () => {
  let fx: Fixture;
  let path: string;
  const view = { notes: 'n'.repeat(1_500_000), positions: {} as Record<string, { x: number; y: number }> };
  beforeAll(async () => {
    fx = await makeFixture();
    const b = new BatchBuilder({ sha256: sha256Hex('large'), kind: 'test', name: 'large.csv', case: 'op-large', importedAt: '2024-03-01T00:00:00.000Z' });
    let prev = b.phone('+51 900 000 000', { region: 'PE', locator: 'row 0' }).id;
    for (let i = 1; i < 6000; i++) {
      const p = b.phone(`+51 9${String(10_000_000 + i)}`, { region: 'PE', locator: `row ${i}`, props: { note: `ünïcødé ${'x'.repeat(i % 300)}` } }).id;
      b.event('CALLED', prev, p, { kind: 'call', at: new Date(Date.UTC(2023, 0, 1, 0, i)), durationS: i % 60, locator: `row ${i}` });
      prev = p;
    }
    await fx.store.apply(b.build());
    ({ path } = await exportToFile(fx.store, fx.dir, { format: 'snapshot', case: 'op-large', view, redactVictims: false }, 'large.casegraph.json'));
  });
  afterAll(() => fx.close());

  it('spans several read chunks and opens exactly', async () => {
    expect(readFileSync(path).length).toBeGreaterThan(4 * 1024 * 1024);
    const b = await openStore(fx.dir, 'large-b.sqlite');
    try {
      const r = await new ExportService({ store: b }).openPath(path, 'large.casegraph.json', { by: 't' });
      expect(r.view).toEqual(view);
      expect(await normalisedDump(b)).toEqual(await normalisedDump(fx.store, 'op-large'));
    } finally {
      await b.close();
    }
  });

  it('catches a one-byte change deep in the records', async () => {
    const bytes = readFileSync(path);
    const at = bytes.indexOf('row 4321');
    expect(at).toBeGreaterThan(2 * 1024 * 1024);
    bytes[at + 4] = '5'.charCodeAt(0);
    const bad = join(fx.dir, 'large-bad.casegraph.json');
    writeFileSync(bad, bytes);
    const b = await openStore(fx.dir, 'large-bad.sqlite');
    try {
      await expect(new ExportService({ store: b }).openPath(bad, 'large-bad.casegraph.json', { by: 't' }))
        .rejects.toMatchObject({ code: 'import_failed', message: expect.stringMatching(/the records of source 1 \(large\.csv\)/) });
      expect((await b.counts()).entities).toBe(0);
    } finally {
      await b.close();
    }
  });
});

describe('fast record checks accept exactly what the zod schemas accept', () => {
  const scalar = fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean());
  const value = fc.oneof(scalar, fc.constant(null), fc.array(scalar, { maxLength: 3 }), fc.array(fc.oneof(scalar, fc.constant(null), fc.object()), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
  const props = fc.oneof(fc.dictionary(fc.string({ maxLength: 4 }), value, { maxKeys: 4 }), fc.constant(null), fc.array(fc.string()), fc.string());
  const id = fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constant(''), fc.constant('x'.repeat(201)), fc.integer());
  const str = (max: number) => fc.oneof(fc.string({ maxLength: 6 }), fc.constant('y'.repeat(max + 1)), fc.integer(), fc.constant(null));
  const strings = fc.oneof(fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }), fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 2 }), fc.string());
  const entity = fc.record({ id, type: fc.constantFrom('Person', 'Phone', 'Nope', 3), label: str(500), props, search: strings, locators: strings }, { requiredKeys: [] });
  const link = fc.record({ id, type: fc.constantFrom('CALLED', 'MEMBER_OF', 'NOPE'), from: id, to: id, props, locators: strings }, { requiredKeys: [] });
  const event = fc.record({
    id, kind: str(40), linkId: id, from: id, to: id, at: str(40), durationS: fc.oneof(fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string()),
    deleted: fc.oneof(fc.boolean(), fc.constant(0)), original: str(200), props, locator: str(500),
  }, { requiredKeys: [] });

  it.each([
    ['entity', entity, isSnapEntity, SnapEntity],
    ['link', link, isSnapLink, SnapLink],
    ['event', event, isSnapEvent, SnapEvent],
  ] as const)('%s', (_name, arb, fast, schema) => {
    fc.assert(fc.property(arb, (v) => fast(v) === schema.safeParse(v).success), { numRuns: 3000 });
  });
});
