// Runs the GraphStore contract against a real Neo4j when NEO4J_URI is set (docs/neo4j.md: `docker compose up
// neo4j`), plus a copy round trip embedded → Neo4j → embedded. Every test starts from an empty database, so
// the suite wipes it — only when NEO4J_TEST_WIPE names that database. Skipped, saying why, without NEO4J_URI.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { copyStore } from '../../backend/src/services/copy.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { TEST_WIPE } from '../../backend/src/storage/neo4j/cypher.ts';
import { openNeo4jStore, type Neo4jConfig } from '../../backend/src/storage/neo4j/neo4j.graph-store.ts';
import type { GraphStore } from '../../backend/src/storage/port.ts';
import { portView, seedCopyFixture } from '../factories.ts';
import { graphStoreContract } from './contract.ts';

const env = process.env;
const uri = env.NEO4J_URI;
const cfg: Neo4jConfig = { uri: uri ?? '', user: env.NEO4J_USER || 'neo4j', password: env.NEO4J_PASSWORD ?? '', database: env.NEO4J_DATABASE || 'neo4j' };
/** a second database for the dump round trip (Enterprise/Aura); without it the round trip goes to a temp embedded store */
const freshDb = env.NEO4J_FRESH_DATABASE || undefined;
const consent = (env.NEO4J_TEST_WIPE ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const wipeAllowed = [cfg.database, ...(freshDb ? [freshDb] : [])].every((db) => db !== 'system' && consent.includes(db));

const SKIPPED = 'Neo4j contract suite skipped: NEO4J_URI is not set (docs/neo4j.md: run it against `docker compose up neo4j`)';
if (!uri) console.info(`[neo4j] ${SKIPPED}`);

/** Empties one database (all nodes and relationships; constraints and indexes stay). */
async function wipe(database: string): Promise<void> {
  if (!consent.includes(database) || database === 'system') throw new Error(`refusing to wipe ${database}: NEO4J_TEST_WIPE does not name it`);
  const driver = neo4j.driver(cfg.uri, neo4j.auth.basic(cfg.user, cfg.password));
  try {
    const session = driver.session({ database });
    try {
      await session.run(TEST_WIPE);
    } finally {
      await session.close();
    }
  } finally {
    await driver.close();
  }
}

describe.skipIf(!uri)(uri ? `Neo4j at ${uri} (database ${cfg.database})` : SKIPPED, () => {
  if (!wipeAllowed) {
    it(`needs NEO4J_TEST_WIPE=${[cfg.database, freshDb].filter(Boolean).join(',')} to wipe the database between tests`, () => {
      throw new Error(`NEO4J_URI is set, but the contract suite empties the database before every test. Set NEO4J_TEST_WIPE=${[cfg.database, freshDb].filter(Boolean).join(',')} `
        + 'to allow it (use a throw-away server: docs/neo4j.md).');
    });
    return;
  }

  graphStoreContract(`neo4j (${uri})`, async () => {
    await wipe(cfg.database);
    const store = await openNeo4jStore(cfg);
    const dirs: string[] = [];
    return {
      store,
      fresh: async () => {
        let s: GraphStore;
        if (freshDb) {
          await wipe(freshDb);
          s = await openNeo4jStore({ ...cfg, database: freshDb });
        } else {
          // Community Edition has one database: round-trip into an embedded store (same port, same answers)
          const dir = mkdtempSync(join(tmpdir(), 'casegraph-neo4j-fresh-'));
          dirs.push(dir);
          s = new EmbeddedGraphStore({ file: join(dir, 'fresh.sqlite') });
        }
        return s;
      },
      cleanup: async () => {
        await store.close();
        dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
      },
    };
  });

  describe('copyStore embedded → Neo4j → embedded', () => {
    let dir: string;
    let stores: GraphStore[];
    beforeEach(async () => {
      await wipe(cfg.database);
      dir = mkdtempSync(join(tmpdir(), 'casegraph-neo4j-copy-'));
      stores = [];
    });
    afterEach(async () => {
      for (const s of stores) await s.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('recreates the same graph, dump and views in Neo4j and back; copying again changes nothing', async () => {
      const a = new EmbeddedGraphStore({ file: join(dir, 'a.sqlite') });
      const n = await openNeo4jStore(cfg);
      const b = new EmbeddedGraphStore({ file: join(dir, 'b.sqlite') });
      stores.push(a, n, b);
      await seedCopyFixture(a);
      const lines: string[] = [];
      const there = await copyStore(a, n, { onProgress: (l) => lines.push(l) });
      expect(there).toMatchObject({ sources: 7, applied: 7, skipped: 0, annotations: 3 });
      expect(lines).toHaveLength(8);
      const back = await copyStore(n, b);
      expect(back).toEqual(there);
      const [va, vn, vb] = [await portView(a), await portView(n), await portView(b)];
      expect(vn).toEqual(va);
      expect(vb).toEqual(va);
      expect(await copyStore(a, n)).toMatchObject({ applied: 0, skipped: 7, annotations: 0 });
      expect(await portView(n)).toEqual(va);
    });
  });
});

// --- the copy test's data (the contract suite's shapes) and what a user can see of a store ---
