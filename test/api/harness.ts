// Builds the real app on a real embedded store in a temp dir (no mocks of our own code).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../backend/src/app.ts';
import { silentLogger, type Logger } from '../../backend/src/logger.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { MappingService } from '../../backend/src/services/mapping.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';

export async function makeApp(opts: { maxUploadBytes?: number; log?: Logger } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'casegraph-api-'));
  const store = new EmbeddedGraphStore({ file: join(dir, 'store.sqlite') });
  const mappings = new MappingService(join(dir, 'mappings'));
  const imports = new ImportService({
    store, secret: 's'.repeat(32), region: 'PE', defaultCase: 'lima-2023', maxUploadBytes: opts.maxUploadBytes ?? 50 * 1024 * 1024, tmpDir: join(dir, 'spool'), mappings,
  });
  const app = createApp({ store, imports, mappings, secret: 's'.repeat(32), log: opts.log ?? silentLogger });
  return {
    app, store, imports, dir,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
