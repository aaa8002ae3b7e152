// One measured import in its own process, so peak RSS belongs to that import alone.
//   tsx test/bench/import-child.ts pipeline <file> <dir> [cdr]   full pipeline into a fresh embedded store
//   tsx test/bench/import-child.ts floor <rows> <dir>            bare better-sqlite3 insert loop, same rows and indexes
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { MappingService } from '../../backend/src/services/mapping.service.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { SYNTHETIC_CDR_MAPPING, syntheticRows } from '../../seed/generators/network.ts';
import { BatchBuilder } from '../../backend/src/model/index.ts';
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
  // The floor: the very event rows the pipeline writes (same ids, links, parties, times, columns), built
  // before the clock starts, inserted bare with a prepared statement into a table with the same columns
  // and indexes as the store's events table, in one transaction.
  const b = new BatchBuilder({ sha256: '0'.repeat(64), kind: 'floor', name: 'floor', case: 'bench' });
  let i = 0;
  for (const r of syntheticRows({ rows: Number(arg), seed: 1 })) {
    if (r.kind === 'data') continue;
    const from = b.phone(r.fromText, { region: 'MY', locator: `line ${i + 2}` }).id;
    const to = b.phone(r.toText, { region: 'MY', locator: `line ${i + 2}` }).id;
    b.event(r.kind === 'sms' ? 'MESSAGED' : 'CALLED', from, to, { kind: r.kind, at: r.at, durationS: r.durationS, original: r.at.toISOString(), locator: `line ${++i + 1}` });
  }
  const rows = b.flush().events;
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
    for (const e of rows) ins.run(e.id, e.kind, e.linkId, e.from, e.to, e.at, e.durationS, 0, e.original, '{}', 'src', e.locator);
  })();
  records = rows.length;
  db.close();
  process.stdout.write(JSON.stringify({ records, seconds: (performance.now() - start) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}
process.stdout.write(JSON.stringify({ records, seconds: (performance.now() - t0) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
