// Runs the GraphStore contract against the embedded store in a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { graphStoreContract } from './contract.ts';

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
