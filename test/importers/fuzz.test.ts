// Property-based hostile input: every importer is fed mutated copies of real fixtures (bytes flipped,
// cut short, spliced with markup, NULs, huge numbers, DOCTYPEs, repeated slices). The only failure
// allowed is our typed AppError; never another exception, never a hang, never a half-written store.
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../backend/src/errors.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { MappingService } from '../../backend/src/services/mapping.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { writeSyntheticAndroid } from '../../seed/generators/android.ts';
import { writeSyntheticIos } from '../../seed/generators/ios.ts';
import { SYNTHETIC_CDR_MAPPING, writeSyntheticCdr } from '../../seed/generators/network.ts';
import { writeSyntheticUfdr } from '../../seed/generators/ufdr.ts';

const ROOT = join(import.meta.dirname, '../..');
/** one valid file per format: the seed of every mutation */
const SEEDS: { file: string; name: string; bytes?: (b: Buffer) => Buffer; make?: (dir: string) => Promise<string> | string }[] = [
  { file: 'seed/lima/lima-raid.report.yaml', name: 'lima-raid.report.yaml' },
  { file: 'test/fixtures/ufdr/synthetic-lima-phone-a.report.xml', name: 'report.xml' },
  { file: 'seed/lima/synthetic-handset-01.xml', name: 'synthetic-handset-01.xml' },
  { file: 'test/fixtures/vcard/synthetic-v30.vcf', name: 'contacts.vcf' },
  { file: 'test/fixtures/vcard/synthetic-v21-qp.vcf', name: 'contacts21.vcf' },
  // XRY exports are UTF-16LE with a byte-order mark (the fixture is kept as UTF-8 text)
  { file: 'test/fixtures/xry/synthetic-calls-dmy.xry.txt', name: 'calls.xry.txt', bytes: (b) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(b.toString('utf8').replace(/\r?\n/g, '\r\n'), 'utf16le')]) },
  // operator records read through the saved synthetic mapping
  { file: '', name: 'calls.csv', make: async (dir) => (await writeSyntheticCdr(join(dir, 'seed.csv'), { rows: 60, seed: 7 }), join(dir, 'seed.csv')) },
  // SQLite databases and a zipped extraction: corrupt pages, cut archives
  { file: '', name: 'calllog.db', make: (dir) => writeSyntheticAndroid(join(dir, 'android'), { seed: 3, calls: 20 }).files.calllog! },
  { file: '', name: 'mmssms.db', make: (dir) => writeSyntheticAndroid(join(dir, 'android2'), { seed: 4, sms: 20 }).files.mmssms },
  { file: '', name: 'sms.db', make: (dir) => writeSyntheticIos(join(dir, 'ios'), { seed: 5, messages: 20 }).files.sms },
  { file: '', name: 'phone.ufdr', make: async (dir) => (await writeSyntheticUfdr(join(dir, 'phone.ufdr'), { seed: 6, calls: 30, contacts: 10, messages: 10 }), join(dir, 'phone.ufdr')) },
  { file: 'test/fixtures/exchange/networkx-written.graphml', name: 'graph.graphml' },
  { file: 'test/fixtures/exchange/cytoscape-desktop.cyjs', name: 'graph.cyjs' },
];

const HOSTILE = [
  '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>', '<img src=x onerror=alert(1)>', '\u0000\u0000\u0000', '\uFEFF', '"', '\'', '\\', '{{', ']]>', '&a;',
  '99999999999999999999999999', '-1', 'NaN', '1e309', '2023-02-30T25:61:00Z', '+60 3-2161 1111', '%s%n', '\r\n\r\n', ',,,,,,', ';;;;',
  'BEGIN:VCARD', 'END:VCARD', '<?xml version="1.0"?>', '"casegraph": "report/1"', '\t'.repeat(50),
];

/** A mutation of a file's bytes, described so a failure can be replayed from its seed. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 })) }),
  fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 400 }), times: fc.integer({ min: 2, max: 30 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 200 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(src: Buffer, ms: Mutation[]): Buffer {
  let b = Buffer.from(src);
  for (const m of ms) {
    const at = b.length ? m.at % b.length : 0;
    if (m.kind === 'flip') {
      b = Buffer.from(b);
      m.bytes.forEach((x, i) => {
        if (at + i < b.length) b[at + i] = x;
      });
    } else if (m.kind === 'truncate') b = b.subarray(0, at);
    else if (m.kind === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.from(m.text, 'utf8'), b.subarray(at)]);
    else if (m.kind === 'repeat') {
      const slice = b.subarray(at, at + m.len);
      b = Buffer.concat([b.subarray(0, at), ...Array.from({ length: m.times }, () => slice), b.subarray(at)]);
    } else b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.len)]);
  }
  return b;
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`hang: ${what} did not finish within ${ms} ms`)), ms);
    }),
  ]);
}

describe('importers under mutated input (fast-check)', () => {
  let dir: string;
  let store: EmbeddedGraphStore;
  let imports: ImportService;
  let n = 0;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'casegraph-fuzz-'));
    store = new EmbeddedGraphStore({ file: join(dir, 'store.sqlite') });
    const mappings = new MappingService(join(dir, 'mappings'));
    await mappings.save('synthetic-cdr', SYNTHETIC_CDR_MAPPING);
    imports = new ImportService({ store, secret: 's'.repeat(32), region: 'PE', defaultCase: 'fuzz', maxUploadBytes: 20 * 1024 * 1024, tmpDir: join(dir, 'spool'), mappings });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(SEEDS)('$name: mutated copies import or fail with a typed error, all or nothing', async ({ file, name, bytes, make }) => {
    let original: Buffer = file ? readFileSync(join(ROOT, file)) : readFileSync(await make!(dir));
    if (bytes) original = bytes(original);
    const outcomes = { applied: 0, already: 0, refused: new Map<string, number>() };
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ms) => {
        const bytes = mutate(original, ms);
        const path = join(dir, `in-${n++}-${name}`);
        writeFileSync(path, bytes);
        const before = await store.counts();
        const sourcesBefore = (await store.listSources()).length;
        try {
          const out = await withDeadline(imports.importFile(path, { name, mapping: name.endsWith('.csv') ? 'synthetic-cdr' : undefined }), 20_000, name);
          if (out.status === 'applied') outcomes.applied++;
          else outcomes.already++;
        } catch (err) {
          if (!(err instanceof AppError)) throw err; // a crash, a hang or a foreign error fails the property
          outcomes.refused.set(err.code, (outcomes.refused.get(err.code) ?? 0) + 1);
          // nothing half-written: a refused file leaves counts and sources as they were
          expect(await store.counts()).toEqual(before);
          expect((await store.listSources()).length).toBe(sourcesBefore);
        } finally {
          rmSync(path, { force: true });
        }
      }),
      { numRuns: 30, seed: 20231007, endOnFailure: true },
    );
    console.info(`${name}: ${outcomes.applied} applied, ${outcomes.already} already imported, refused ${JSON.stringify(Object.fromEntries(outcomes.refused))}`);
    // the mutations did reach the parsers: some files were refused (and the typed errors name a code)
    expect(outcomes.applied + outcomes.already + [...outcomes.refused.values()].reduce((a, b) => a + b, 0)).toBe(30);
    expect([...outcomes.refused.keys()].every((c) => /^[a-z_]+$/.test(c))).toBe(true);
  }, 240_000);
});
