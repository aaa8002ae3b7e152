// One measured import in its own process, so peak RSS belongs to that import alone.
//   tsx test/bench/import-child.ts pipeline <file> <dir> [cdr]   full pipeline into a fresh embedded store
//   tsx test/bench/import-child.ts floor <file> <dir>            bare better-sqlite3 insert loop, same rows and indexes
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MappingService } from '../../backend/src/services/mapping.service.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { SYNTHETIC_CDR_MAPPING } from '../../seed/generators/network.ts';
import { makeSourceId } from '../../backend/src/model/index.ts';
import { findImporter } from '../../backend/src/importers/registry.ts';
import { hashFile } from '../../backend/src/services/import.service.ts';
import { leanHeap } from '../../backend/src/lean-heap.ts';

// the pipeline runs as `casegraph import` and `serve` run it
leanHeap();
const [mode, arg, dir, kind] = process.argv.slice(2);
const t0 = performance.now();
let records = 0;
if (mode === 'pipeline') {
  const store = new EmbeddedGraphStore({ file: join(dir, `pipeline-${process.pid}.sqlite`) });
  const imports = new ImportService({ store, secret: 'b'.repeat(32), region: 'PE', defaultCase: 'bench', maxUploadBytes: 2 ** 40, mappings: new MappingService(join(dir, 'm')) });
  const r = await imports.importFile(arg, { mapping: kind === 'cdr' ? SYNTHETIC_CDR_MAPPING : undefined, case: 'bench' });
  records = r.events.created + r.events.merged;
  await store.close();
} else {
  // The floor: the very event rows the pipeline writes, byte for byte (same ids, links, parties, times,
  // original text, props JSON, source id and locators: the CDR importer itself makes them, before the
  // clock starts), inserted bare with one prepared statement into a table with the same columns and
  // indexes as the store's events table, in one transaction.
  const path = arg;
  const sha256 = await hashFile(path);
  const imp = findImporter(Buffer.alloc(0), basename(path), 'cdr');
  const parsed = await imp.parse({ name: basename(path), path, sha256, size: statSync(path).size },
    { case: 'bench', defaultCase: 'bench', importedBy: 'bench', defaultRegion: 'PE', secret: 'b'.repeat(32), mapping: SYNTHETIC_CDR_MAPPING });
  const sourceId = makeSourceId(sha256, 'bench');
  const rows: unknown[][] = [];
  for await (const chunk of parsed.chunks) {
    for (const e of chunk.events) rows.push([e.id, e.kind, e.linkId, e.from, e.to, e.at, e.durationS, e.deleted ? 1 : 0, e.original, JSON.stringify(e.props), sourceId, e.locator]);
  }
  const db = new Database(join(dir, `floor-${process.pid}.sqlite`));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.exec(`CREATE TABLE events (id TEXT PRIMARY KEY, kind TEXT NOT NULL, link_id TEXT NOT NULL, src TEXT NOT NULL, dst TEXT NOT NULL, at TEXT NOT NULL,
             duration REAL, deleted INTEGER NOT NULL, original TEXT NOT NULL, props TEXT NOT NULL, source TEXT NOT NULL, locator TEXT NOT NULL) WITHOUT ROWID;
           CREATE INDEX events_link ON events(link_id, at); CREATE INDEX events_at ON events(at);`);
  const ins = db.prepare('INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)');
  const start = performance.now();
  db.transaction(() => {
    for (const r of rows) ins.run(...r);
  })();
  records = rows.length;
  db.close();
  process.stdout.write(JSON.stringify({ records, seconds: (performance.now() - start) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}
process.stdout.write(JSON.stringify({ records, seconds: (performance.now() - t0) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
