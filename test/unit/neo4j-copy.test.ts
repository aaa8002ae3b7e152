// copyStore between two stores through the port: the contract suite's data (two overlapping device sources,
// a supernode case, three device extractions, an annotation log) copied embedded → embedded must recreate
// the same graph, the same dump, the same views; a second copy changes nothing. (Embedded → Neo4j → embedded
// runs in test/storage/neo4j.test.ts when NEO4J_URI is set.)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyStore } from '../../backend/src/services/copy.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { dumpAll, portView, seedCopyFixture } from '../factories.ts';



describe('copyStore (embedded → embedded)', () => {
  let dir: string;
  let from: EmbeddedGraphStore;
  let to: EmbeddedGraphStore;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'casegraph-copy-'));
    from = new EmbeddedGraphStore({ file: join(dir, 'from.sqlite') });
    to = new EmbeddedGraphStore({ file: join(dir, 'to.sqlite') });
    await seedCopyFixture(from);
  });
  afterEach(async () => {
    await from.close();
    await to.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('recreates the same graph, dump and views, prints a line per source, and a second copy is a no-op', async () => {
    const lines: string[] = [];
    const r = await copyStore(from, to, { onProgress: (l) => lines.push(l) });
    expect(r).toEqual({ sources: 7, applied: 7, skipped: 0, entities: expect.any(Number), links: expect.any(Number), events: 35, annotations: 3 });
    expect(r.entities).toBeGreaterThan(0);
    expect(lines).toHaveLength(8);
    expect(lines[0]).toMatch(/^\[1\/7\] test-case · a\.xml \(sha256 [0-9a-f]{12}\): copied 7 entities, 8 links, 2 events$/);
    expect(lines.at(-1)).toBe('annotations: copied 3');
    const [a, b] = [await portView(from), await portView(to)];
    expect(b).toEqual(a);
    // the unmerge points at the copied merge annotation, not at the original store's id
    const copied = await to.listAnnotations();
    expect(copied[2].targetId).toBe(copied[1].id);

    const again: string[] = [];
    const r2 = await copyStore(from, to, { onProgress: (l) => again.push(l) });
    expect(r2).toEqual({ sources: 7, applied: 0, skipped: 7, entities: 0, links: 0, events: 0, annotations: 0 });
    expect(again.slice(0, 7).every((l) => l.endsWith('already in the embedded store, skipped'))).toBe(true);
    expect(again.at(-1)).toBe('annotations: the embedded store already has these 3, skipped');
    expect(await portView(to)).toEqual(a);
  });

  it('copies one case only (and leaves annotations, which are not case-scoped)', async () => {
    const r = await copyStore(from, to, { case: 'beta' });
    expect(r).toMatchObject({ sources: 1, applied: 1, skipped: 0, events: 30, annotations: 0 });
    expect((await to.listCases()).map((c) => c.name)).toEqual(['beta']);
    expect(await dumpAll(to)).toEqual(await dumpAll(from, 'beta'));
    expect(await to.listAnnotations()).toEqual([]);
  });

  it('does not touch a target that has its own annotation log', async () => {
    await to.appendAnnotation({ kind: 'note', entityId: 'per_x', text: 'theirs', by: 'zoe', at: '2025-01-01T00:00:00.000Z' });
    const lines: string[] = [];
    const r = await copyStore(from, to, { onProgress: (l) => lines.push(l) });
    expect(r.annotations).toBe(0);
    expect(lines.at(-1)).toBe('annotations: the embedded store has its own log (1); 3 annotations NOT copied');
    expect((await to.listAnnotations()).map((a) => a.text)).toEqual(['theirs']);
  });
});
