// Snapshots: the view state comes back exactly, the manifest seals the content (any changed byte is
// refused with import_failed naming what differs, and nothing is written), merges are restored,
// reopening is idempotent, and a source first opened from a smaller view is reported, not silently
// half-merged.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../backend/src/errors.ts';
import { SnapshotManifest } from '../../backend/src/exchange/snapshot/snapshot.schema.ts';
import { sha256Hex } from '../../backend/src/model/index.ts';
import { ExportService } from '../../backend/src/services/export.service.ts';
import { GraphService } from '../../backend/src/services/graph.service.ts';
import { exportToFile, makeFixture, normalisedDump, openStore, type Fixture } from './helpers.ts';

const VIEW = {
  version: 3,
  positions: {} as Record<string, { x: number; y: number }>,
  zoom: 1.25, pan: { x: -40.5, y: 12 },
  styles: { Person: { color: '#123456' } },
  filters: { linkTypes: ['CALLED', 'MEMBER_OF'], from: '2023-09-01', to: null },
  hidden: [] as string[], pinned: [] as string[], selection: [] as string[],
  notes: [{ id: 'n1', text: 'check <b>this</b> & "that"', at: '2024-05-01' }],
  deep: { a: { b: { c: { d: [1, 2, { e: true }] } } } },
};

async function expectCode(p: Promise<unknown>, code: string): Promise<AppError> {
  const err = await p.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
  return err as AppError;
}

describe('snapshots', () => {
  let fx: Fixture;
  let path: string;
  let ids: string[];
  beforeAll(async () => {
    fx = await makeFixture();
    ids = [fx.ids.boss, fx.ids.org, fx.ids.brother, fx.ids.bphone, fx.ids.dev, fx.ids.other];
    VIEW.positions = Object.fromEntries(ids.map((id, i) => [id, { x: i * 10.5, y: 0 - i }]));
    VIEW.hidden = [fx.ids.brother];
    VIEW.pinned = [fx.ids.boss];
    VIEW.selection = [fx.ids.org, fx.ids.bphone];
    // an analyst merged the brother into the boss: the view shows them as one
    await new GraphService(fx.store).merge(fx.ids.boss, fx.ids.brother, 'analyst-a', 'same person, two names');
    ({ path } = await exportToFile(fx.store, fx.dir, { format: 'snapshot', ids, view: VIEW, redactVictims: false }, 'view.casegraph.json'));
  });
  afterAll(() => fx.close());

  it('is valid JSON with a manifest of the content and of every source file', () => {
    const doc = JSON.parse(readFileSync(path, 'utf8'));
    expect(doc.casegraph).toBe('snapshot/1');
    const m = SnapshotManifest.parse(doc.manifest);
    const sources = doc.records.filter((r: unknown[]) => r[0] === 'S').map((r: [string, { sha256: string }]) => r[1].sha256);
    expect(m.sources.map((s) => s.sha256)).toEqual(sources);
    const text = readFileSync(path, 'utf8');
    const content = text.slice(0, text.lastIndexOf('"manifest":'));
    expect(m.contentSha256).toBe(sha256Hex(content));
    expect(doc.merges).toEqual([expect.objectContaining({ keep: fx.ids.boss, merge: fx.ids.brother, text: 'same person, two names' })]);
  });

  it('opens into an empty store with the exact view state, the facts in view, and the merge', async () => {
    const b = await openStore(fx.dir, 'open-1.sqlite');
    try {
      const graph = new GraphService(b);
      const r = await new ExportService({ store: b, graph }).openPath(path, 'view.casegraph.json', { by: 'colleague' });
      expect(r.view).toEqual(VIEW);
      expect(r.entityIds).toEqual(ids);
      expect(r.result.status).toBe('applied');
      expect(r.result.merges).toBe(1);
      const view = await graph.subgraph(ids, undefined, 'all');
      const original = await new GraphService(fx.store).subgraph(ids, undefined, 'all');
      const key = (v: typeof view) => ({ e: v.entities.map((e) => e.id).sort(), l: v.links.map((l) => `${l.type}:${l.from}>${l.to}:${l.count ?? ''}`).sort() });
      expect(key(view)).toEqual(key(original));
      for (const id of ids) expect((await b.getEntity(id))?.sources).toEqual((await fx.store.getEntity(id))?.sources);
      // a second open changes nothing, not even the merge log
      const before = await normalisedDump(b);
      const again = await new ExportService({ store: b, graph }).openPath(path, 'view.casegraph.json', { by: 'colleague' });
      expect(again.result).toMatchObject({ status: 'already_imported', merges: 0 });
      expect(await normalisedDump(b)).toEqual(before);
      expect((await b.listAnnotations({ kind: 'merge' })).length).toBe(1);
    } finally {
      await b.close();
    }
  });

  const tampered: [string, (t: string) => string, RegExp][] = [
    ['a label in the records', (t) => t.replace('Red Dragon', 'Blue Dragon'), /the records of source 1 \(lima-raid\.report\.yaml\)/],
    ['the view state', (t) => t.replace('"zoom":1.25', '"zoom":9.25'), /the "view" section/],
    ['a source file hash', (t) => t.replace(/("S",\{"sha256":")[0-9a-f]/, '$10'), /source 1 \(lima-raid\.report\.yaml\): the source file's sha256/],
    ['the manifest itself', (t) => t.replace(/"contentSha256":"([0-9a-f])/, (_m, c: string) => `"contentSha256":"${c === '0' ? '1' : '0'}`), /the content/],
  ];
  it.each(tampered)('refuses a file whose %s was changed (422 import_failed naming it) and writes nothing', async (_what, change, message) => {
    const bad = join(fx.dir, 'tampered.casegraph.json');
    writeFileSync(bad, change(readFileSync(path, 'utf8')));
    const b = await openStore(fx.dir, `tamper-${Math.random()}.sqlite`);
    try {
      const err = await expectCode(new ExportService({ store: b }).openPath(bad, 'tampered.casegraph.json', { by: 't' }), 'import_failed');
      expect(err.status).toBe(422);
      expect(err.message).toMatch(message);
      expect(err.message).toMatch(/does not match its manifest/);
      expect((await b.counts()).entities).toBe(0);
    } finally {
      await b.close();
    }
  });

  it('refuses a reformatted or truncated file and an unknown version', async () => {
    const text = readFileSync(path, 'utf8');
    const cases: [string, string, RegExp][] = [
      ['pretty.casegraph.json', JSON.stringify(JSON.parse(text), null, 2), /not laid out as Casegraph writes snapshots/],
      ['cut.casegraph.json', text.slice(0, Math.floor(text.length / 2)), /truncated|not laid out/],
      ['v9.casegraph.json', text.replace('"snapshot/1"', '"snapshot/9"'), /version "snapshot\/9" is not supported/],
    ];
    const b = await openStore(fx.dir, 'refuse.sqlite');
    try {
      for (const [name, body, msg] of cases) {
        const p = join(fx.dir, name);
        writeFileSync(p, body);
        const err = await expectCode(new ExportService({ store: b }).openPath(p, name, { by: 't' }), 'import_failed');
        expect(err.message).toMatch(msg);
      }
      expect((await b.counts()).entities).toBe(0);
    } finally {
      await b.close();
    }
  });

  it('warns when a source is already in the store from a smaller view, instead of half-merging silently', async () => {
    const b = await openStore(fx.dir, 'partial.sqlite');
    try {
      const svc = new ExportService({ store: b });
      const { path: small } = await exportToFile(fx.store, fx.dir, { format: 'snapshot', ids: [fx.ids.org], view: {}, redactVictims: false }, 'small.casegraph.json');
      await svc.openPath(small, 'small.casegraph.json', { by: 't' });
      const r = await svc.openPath(path, 'view.casegraph.json', { by: 't' });
      const lima = r.result.sources.find((s) => s.name === 'lima-raid.report.yaml')!;
      expect(lima.status).toBe('already_imported');
      expect(lima.missing).toBeGreaterThan(0);
      expect(r.result.warnings.join('\n')).toMatch(/already has this source .* lacks \d+ of its records/);
    } finally {
      await b.close();
    }
  });

  it('opens into a given case when asked (same sha256, new case)', async () => {
    const b = await openStore(fx.dir, 'case.sqlite');
    try {
      await new ExportService({ store: b }).openPath(path, 'view.casegraph.json', { by: 't', case: 'handover-2024' });
      expect(new Set((await b.listSources()).map((s) => s.case))).toEqual(new Set(['handover-2024']));
    } finally {
      await b.close();
    }
  });
});
