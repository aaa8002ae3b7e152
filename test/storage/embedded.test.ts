// Runs the GraphStore contract against the embedded store in a temp dir, three ways.
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { EmbeddedGraphStore, type EmbeddedOptions } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { graphStoreContract } from './contract.ts';

/** One contract run on stores opened with `options` in a temp dir; `check` looks at the first store before it closes. */
function embeddedRun(name: string, prefix: string, options: Omit<EmbeddedOptions, 'file'>, check?: (store: EmbeddedGraphStore, dir: string) => void): void {
  graphStoreContract(name, async () => {
    const dir = mkdtempSync(join(tmpdir(), `casegraph-${prefix}-`));
    const open = (file: string) => new EmbeddedGraphStore({ ...options, file: join(dir, file) });
    const store = open('a.sqlite');
    let n = 0;
    return {
      store,
      fresh: async () => open(`fresh-${n++}.sqlite`),
      cleanup: async () => {
        check?.(store, dir);
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  });
}

// neighbourhoods and subgraphs through the in-memory link index (the default; a small store builds it at once)
embeddedRun('embedded (SQLite)', 'store', {});

// The same contract with bulk loading from the first record: every write into a small store drops the
// secondary indexes inside its transaction and rebuilds them before commit (or rolls the drop back).
embeddedRun('embedded (SQLite), bulk-load path', 'store-bulk', { bulkLoadAfter: 1 }, (_store, dir) => {
  // whatever the contract did, every index of the schema is still there
  const db = new Database(join(dir, 'a.sqlite'), { readonly: true });
  const names = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL`).pluck().all() as string[]).sort();
  db.close();
  expect(names).toEqual(expect.arrayContaining(['entities_type', 'events_at', 'events_link', 'links_dst', 'links_src', 'prov_source']));
});

// The same contract with every neighbourhood and subgraph read through SQL, as a store too large for the
// link index reads them.
embeddedRun('embedded (SQLite), SQL reads without the link index', 'store-sql', { linkIndex: false }, (store) => {
  expect(store.linkIndexStats()).toBeNull();
});
