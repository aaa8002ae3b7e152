// Opens the configured store. The only place that chooses an adapter.
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { EmbeddedGraphStore } from './embedded/embedded.graph-store.ts';
import type { GraphStore } from './port.ts';

export async function openStore(config: Config): Promise<GraphStore> {
  if (config.store === 'neo4j') {
    // loaded on demand: the embedded default never pays for the Neo4j driver
    const { openNeo4jStore } = await import('./neo4j/neo4j.graph-store.ts');
    return openNeo4jStore(config.neo4j);
  }
  return new EmbeddedGraphStore({ file: join(config.dataDir, 'casegraph.sqlite') });
}
