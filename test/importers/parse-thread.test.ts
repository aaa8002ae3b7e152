// Large files are parsed on a worker thread (importers/parse-thread.ts) while the main thread writes. These
// tests force that path (parseOnThreadFrom: 0) on small files and hold it to the in-process path: the same
// records land, errors read the same and write nothing, and an import that stops early ends its worker.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../backend/src/errors.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import { SYNTHETIC_CDR_MAPPING, writeSyntheticCdr } from '../../seed/generators/network.ts';
import { writeSyntheticUfdr } from '../../seed/generators/ufdr.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('parsing on a worker thread', () => {
  let dir: string;
  const stores: EmbeddedGraphStore[] = [];
  const service = (name: string, parseOnThreadFrom: number) => {
    const store = new EmbeddedGraphStore({ file: join(dir, `${name}.sqlite`) });
    stores.push(store);
    return { store, imports: new ImportService({ store, secret: 's'.repeat(32), region: 'PE', defaultCase: 'thread', maxUploadBytes: 2 ** 30, parseOnThreadFrom }) };
  };
  const everything = async (store: EmbeddedGraphStore) => {
    const out = [];
    for await (const b of store.dump('thread')) out.push({ ...b, source: { ...b.source, importedAt: undefined } });
    return out;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'casegraph-thread-'));
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a CDR lands record for record as it does parsed in-process, with progress reported from the worker', async () => {
    const csv = join(dir, 'synthetic-network.csv');
    await writeSyntheticCdr(csv, { rows: 6_000, seed: 3 });
    const here = service('here', Infinity);
    const there = service('there', 0);
    const bytes: number[] = [];
    const a = await here.imports.importFile(csv, { mapping: SYNTHETIC_CDR_MAPPING });
    const b = await there.imports.importFile(csv, { mapping: SYNTHETIC_CDR_MAPPING, onProgress: (p) => p.bytes !== undefined && bytes.push(p.bytes) });
    expect(b.status).toBe('applied');
    expect(b.events.created).toBeGreaterThan(5_000);
    expect({ ...b, warnings: b.warnings }).toEqual(a);
    expect(await everything(there.store)).toEqual(await everything(here.store));
    expect(bytes.at(-1)).toBe(readFileSync(csv).length);
  });

  it('a UFDR archive (zip, XML) lands the same through the worker', async () => {
    const ufdr = join(dir, 'phone.ufdr');
    await writeSyntheticUfdr(ufdr, { seed: 6, calls: 300, contacts: 40, messages: 60 });
    const here = service('here', Infinity);
    const there = service('there', 0);
    const a = await here.imports.importFile(ufdr);
    const b = await there.imports.importFile(ufdr);
    expect(b).toEqual(a);
    expect(await everything(there.store)).toEqual(await everything(here.store));
  });

  it('a bad row refuses the file with the same message (file and line), and nothing is written', async () => {
    const bad = join(dir, 'synthetic-bad-date-line4.csv');
    copyFileSync(join(ROOT, 'test/fixtures/cdr/synthetic-bad-date-line4.csv'), bad);
    const mapping = { delimiter: ';' as const, header: true, dateFormat: 'DD/MM/YYYY', timeFormat: 'HH:mm:ss', timeZone: 'America/Lima', columns: { aNumber: 'CALLING_NO', bNumber: 'CALLED_NO', date: 'DATE', time: 'TIME', duration: 'DURATION' } };
    const here = service('here', Infinity);
    const there = service('there', 0);
    const inProcess = await here.imports.importFile(bad, { mapping }).catch((e: unknown) => e);
    const onThread = await there.imports.importFile(bad, { mapping }).catch((e: unknown) => e);
    expect(inProcess).toBeInstanceOf(AppError);
    expect(onThread).toBeInstanceOf(AppError);
    expect((onThread as AppError).code).toBe('import_failed');
    expect((onThread as AppError).message).toBe((inProcess as AppError).message);
    expect((onThread as AppError).message).toMatch(/^synthetic-bad-date-line4\.csv line 4: /);
    expect((await there.store.counts()).events).toBe(0);
    expect(await there.store.listSources()).toEqual([]);
  });

  it('a second import of the same file says "already imported" and ends its worker (no thread left behind)', async () => {
    const csv = join(dir, 'again.csv');
    await writeSyntheticCdr(csv, { rows: 500, seed: 4 });
    const there = service('there', 0);
    expect((await there.imports.importFile(csv, { mapping: SYNTHETIC_CDR_MAPPING, case: 'thread' })).status).toBe('applied');
    // without ?case= the case is known only after parsing begins: the worker is started, then closed unread
    const second = await there.imports.importFile(csv, { mapping: SYNTHETIC_CDR_MAPPING });
    expect(second.status).toBe('already_imported');
    // a worker still alive would keep this count of active handles up
    const workers = () => (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo().filter((r) => r === 'MessagePort' || r === 'Worker').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(workers()).toBe(0);
  });

  it('a file the parser cannot read is refused as it would be in-process', async () => {
    const junk = join(dir, 'junk.ufdr');
    writeFileSync(junk, Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(2000, 7)]));
    const there = service('there', 0);
    const err = await there.imports.importFile(junk).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toMatch(/^junk\.ufdr/);
    expect((await there.store.counts()).entities).toBe(0);
  });
});
