// The exchange readers as importers: detection from content, third-party files (networkx GraphML,
// Cytoscape desktop .cyjs), hostile and broken files with the error code they must give, a tampered
// Casegraph GraphML, and the single-source Importer contract (one original source passes through,
// several are folded into the file's source with locators naming the original).
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../backend/src/errors.ts';
import { EXCHANGE_IMPORTERS, findExchangeImporter } from '../../backend/src/exchange/importers.ts';
import type { ImportContext } from '../../backend/src/importers/types.ts';
import type { BatchChunk } from '../../backend/src/model/index.ts';
import { ExportService } from '../../backend/src/services/export.service.ts';
import { hashFile } from '../../backend/src/services/import.service.ts';
import { exportToFile, makeFixture, normalisedDump, openStore, type Fixture } from './helpers.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/exchange');
const ctx: ImportContext = { defaultCase: 'imported', importedBy: 'tester', defaultRegion: 'PE', secret: 's'.repeat(32) };

async function input(path: string, name: string) {
  return { name, path, sha256: await hashFile(path), size: readFileSync(path).length };
}

async function openFixture(fx: Fixture, file: string) {
  const b = await openStore(fx.dir, `${file}-${Math.random()}.sqlite`);
  try {
    const r = await new ExportService({ store: b, defaultCase: 'imported' }).openPath(join(FIXTURES, file), file, { by: 't' });
    return { r, dump: await normalisedDump(b) };
  } finally {
    await b.close();
  }
}

describe('exchange readers', () => {
  let fx: Fixture;
  const exported: Record<string, string> = {};
  beforeAll(async () => {
    fx = await makeFixture();
    for (const f of ['snapshot', 'graphml', 'cyjs', 'ftm'] as const) {
      exported[f] = (await exportToFile(fx.store, fx.dir, { format: f, redactVictims: false }, `all-${f}.bin`)).path;
    }
  });
  afterAll(() => fx.close());

  it.each(['snapshot', 'graphml', 'cyjs', 'ftm'])('detects our %s export from its content alone', (format) => {
    const head = readFileSync(exported[format]).subarray(0, 64 * 1024);
    expect(findExchangeImporter(head, 'upload.bin').format).toBe(format);
    for (const other of EXCHANGE_IMPORTERS.filter((i) => i.format !== format)) expect(other.detect(head, 'upload.bin'), `${other.format} claims ${format}`).toBe(false);
  });

  it('refuses a file it cannot open with unsupported_format', () => {
    expect(() => findExchangeImporter(Buffer.from('name,number\nA,1\n'), 'x.csv')).toThrow(expect.objectContaining({ code: 'unsupported_format' }));
  });

  it('reads networkx-written GraphML as one source (the file): types, labels, typed props, link types', async () => {
    const { r, dump } = await openFixture(fx, 'networkx-written.graphml');
    expect(r).toMatchObject({ format: 'graphml', provenance: 'file', result: { status: 'applied' } });
    const [b] = dump;
    expect(b.source).toMatchObject({ kind: 'graphml', name: 'networkx-written.graphml', case: 'imported' });
    const ana = b.entities.find((e) => (e as { label: string }).label === 'Ana Torres (synthetic)') as { type: string; props: Record<string, unknown>; locators: string[] };
    expect(ana).toMatchObject({ type: 'Person', props: { age: 34, verified: true }, locators: ['node a'] });
    expect(b.entities.find((e) => (e as { type: string }).type === 'Phone')).toMatchObject({ props: { number: '+51912345678' } });
    const types = b.links.map((l) => (l as { type: string; props: Record<string, unknown> })).map((l) => `${l.type}${l.props.relation ? `:${l.props.relation}` : ''}`).sort();
    expect(types).toEqual(['MEMBER_OF', 'RELATED_TO:cousin of', 'USES_PHONE']);
    expect(r.result.warnings.join()).toMatch(/1 edge\(s\) had no Casegraph link type/);
  });

  it('reads a Cytoscape desktop .cyjs as one source', async () => {
    const { r, dump } = await openFixture(fx, 'cytoscape-desktop.cyjs');
    expect(r.provenance).toBe('file');
    const [b] = dump;
    expect(b.entities.map((e) => `${(e as { type: string }).type}:${(e as { label: string }).label}`).sort()).toEqual(['Organization:Synthetic Group', 'Person:Rosa (synthetic)']);
    expect(b.links).toHaveLength(1);
    expect(b.links[0]).toMatchObject({ type: 'MEMBER_OF' });
    expect((b.entities.find((e) => (e as { label: string }).label.startsWith('Rosa')) as { props: Record<string, unknown> }).props.aliases).toEqual(['La Jefa']);
  });

  const broken: [string, string, RegExp][] = [
    ['doctype.graphml', 'import_failed', /DOCTYPE/],
    ['untyped.graphml', 'import_failed', /node n1: type "Spaceship" is not a Casegraph entity type/],
    ['dangling-edge.graphml', 'import_failed', /refers to node n9/],
    ['truncated.graphml', 'import_failed', /truncated\.graphml/],
  ];
  it.each(broken)('%s is refused with %s and writes nothing', async (file, code, message) => {
    const b = await openStore(fx.dir, `${file}.sqlite`);
    try {
      const err = await new ExportService({ store: b }).openPath(join(FIXTURES, file), file, { by: 't' }).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).code).toBe(code);
      expect((err as AppError).message).toMatch(message);
      expect((await b.counts()).entities).toBe(0);
    } finally {
      await b.close();
    }
  });

  it('checks a Casegraph GraphML as a whole before writing: a link its ends cannot have is refused', async () => {
    const text = readFileSync(exported.graphml, 'utf8');
    // turn one LEADS edge into USES_PHONE: a Person cannot use an Organization as a phone
    const bad = text.replace(/(<data key="d11">)LEADS(<\/data>)/, '$1USES_PHONE$2');
    expect(bad).not.toBe(text);
    const p = join(fx.dir, 'bad-link.graphml');
    writeFileSync(p, bad);
    const b = await openStore(fx.dir, 'bad-link.sqlite');
    try {
      const err = await new ExportService({ store: b }).openPath(p, 'bad-link.graphml', { by: 't' }).then(() => null, (e: unknown) => e);
      expect((err as AppError).code).toBe('import_failed');
      expect((err as AppError).message).toMatch(/USES_PHONE cannot join Person to Organization/);
      expect((await b.counts()).sources).toBe(0);
    } finally {
      await b.close();
    }
  });

  it('as an Importer: one original source passes through unchanged; several fold into the file as one source', async () => {
    const imp = EXCHANGE_IMPORTERS.find((i) => i.format === 'graphml')!;
    const one = (await exportToFile(fx.store, fx.dir, { format: 'graphml', case: 'op-cusco', redactVictims: false }, 'one.graphml')).path;
    const single = await imp.parse(await input(one, 'one.graphml'), ctx);
    expect(single.source).toMatchObject({ name: 'other-case.report.yaml', case: 'op-cusco', importedBy: 'analyst-a' });
    const many = await imp.parse(await input(exported.graphml, 'all.graphml'), ctx);
    expect(many.source).toMatchObject({ name: 'all.graphml', kind: 'graphml', case: 'imported' });
    const chunks: BatchChunk[] = [];
    for await (const c of many.chunks) chunks.push(c);
    const all = chunks.flatMap((c) => c.entities);
    expect(all).toHaveLength(17);
    const bphone = all.find((e) => e.id === fx.ids.bphone)!;
    expect(bphone.locators.some((l) => l.startsWith('lima-raid.report.yaml (sha256 '))).toBe(true);
    expect(bphone.locators.some((l) => l.startsWith('other-case.report.yaml (sha256 '))).toBe(true);
    expect(chunks[0].warnings.join()).toMatch(/3 original sources were folded/);
  });

  it('a copied file with another name still opens as the same sources (identity is the content, not the name)', async () => {
    const copy = join(fx.dir, 'renamed.cyjs');
    copyFileSync(exported.cyjs, copy);
    const b = await openStore(fx.dir, 'renamed.sqlite');
    try {
      const svc = new ExportService({ store: b });
      await svc.openPath(exported.cyjs, 'all.cyjs', { by: 't' });
      const r = await svc.openPath(copy, 'renamed.cyjs', { by: 't' });
      expect(r.result.status).toBe('already_imported');
    } finally {
      await b.close();
    }
  });
});
