// Opens the configured store. The only place that chooses an adapter.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { AppError } from '../errors.ts';
import { EmbeddedGraphStore } from './embedded/embedded.graph-store.ts';
import type { GraphStore } from './port.ts';

export async function openStore(config: Config): Promise<GraphStore> {
  if (config.store === 'neo4j') {
    throw new AppError('store_unavailable', 'STORE=neo4j: the Neo4j adapter is not in this build yet; use STORE=embedded');
  }
  return new EmbeddedGraphStore({ file: join(config.dataDir, 'casegraph.sqlite') });
}
