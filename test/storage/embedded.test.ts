// Runs the GraphStore contract against the embedded store in a temp dir.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { graphStoreContract } from './contract.ts';

// neighbourhoods and subgraphs through the in-memory link index (the default; a small store builds it at once)
graphStoreContract('embedded (SQLite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'casegraph-store-'));
  const store = new EmbeddedGraphStore({ file: join(dir, 'a.sqlite') });
  let n = 0;
  return {
    store,
    fresh: async () => new EmbeddedGraphStore({ file: join(dir, `fresh-${n++}.sqlite`) }),
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// The same contract with bulk loading from the first record: every write into a small store drops the
// secondary indexes inside its transaction and rebuilds them before commit (or rolls the drop back).
graphStoreContract('embedded (SQLite), bulk-load path', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'casegraph-store-bulk-'));
  const open = (name: string) => new EmbeddedGraphStore({ file: join(dir, name), bulkLoadAfter: 1 });
  const store = open('a.sqlite');
  let n = 0;
  return {
    store,
    fresh: async () => open(`fresh-${n++}.sqlite`),
    cleanup: async () => {
      // whatever the contract did, every index of the schema is still there
      const db = new Database(join(dir, 'a.sqlite'), { readonly: true });
      const names = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`).pluck().all() as string[]).sort();
      db.close();
      expect(names).toEqual(expect.arrayContaining(['entities_type', 'events_at', 'events_link', 'links_dst', 'links_src', 'prov_source']));
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// The same contract with every neighbourhood and subgraph read through SQL, as a store too large for the
// link index reads them.
graphStoreContract('embedded (SQLite), SQL reads without the link index', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'casegraph-store-sql-'));
  const open = (name: string) => new EmbeddedGraphStore({ file: join(dir, name), linkIndex: false });
  const store = open('a.sqlite');
  let n = 0;
  return {
    store,
    fresh: async () => open(`fresh-${n++}.sqlite`),
    cleanup: async () => {
      expect(store.linkIndexStats()).toBeNull();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
