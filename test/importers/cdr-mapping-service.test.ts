// Saved CDR mappings: validated JSON files under a mappings directory, strict names, atomic writes.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCdr } from '../../backend/src/importers/cdr/cdr.importer.ts';
import type { CdrMappingInput } from '../../backend/src/importers/cdr/cdr.mapping.ts';
import { hashFile } from '../../backend/src/services/import.service.ts';
import { MappingService } from '../../backend/src/services/mapping.service.ts';

const LIMA: CdrMappingInput = {
  delimiter: ';', columns: { aNumber: 'A_PARTY', bNumber: 'B_PARTY', date: 'FECHA', time: 'HORA', duration: 'DURACION', callType: 'TIPO', imei: 'IMEI' },
  dateFormat: 'DD/MM/YYYY', decimalComma: true, timeZone: 'America/Lima', region: 'pe',
};

describe('MappingService', () => {
  let root: string;
  let dir: string;
  let svc: MappingService;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'casegraph-mappings-'));
    dir = join(root, 'data', 'mappings');
    svc = new MappingService(dir);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('saves, lists, gets and deletes; defaults are filled in and the file is plain JSON', async () => {
    expect(await svc.list()).toEqual({ mappings: [], skipped: [] });
    const saved = await svc.save('Lima operator 2023', LIMA);
    expect(saved).toMatchObject({ name: 'Lima operator 2023', encoding: 'utf-8', header: true, timeFormat: 'HH:mm:ss', durationFormat: 'seconds', region: 'PE' });
    expect(readdirSync(dir)).toEqual(['lima+operator+2023.json']);
    expect(JSON.parse(readFileSync(join(dir, 'lima+operator+2023.json'), 'utf8'))).toEqual(saved);
    expect(statSync(join(dir, 'lima+operator+2023.json')).mode & 0o777).toBe(0o600);
    await svc.save('b-side.v2', { ...LIMA, timeZone: 'Asia/Kuala_Lumpur' });
    expect((await svc.list()).mappings.map((m) => m.name)).toEqual(['b-side.v2', 'Lima operator 2023']);
    expect(await svc.get('LIMA OPERATOR 2023')).toEqual(saved); // names are case-insensitive
    await svc.delete('lima operator 2023');
    await expect(svc.get('Lima operator 2023')).rejects.toMatchObject({ code: 'not_found' });
    await expect(svc.delete('Lima operator 2023')).rejects.toMatchObject({ code: 'not_found' });
    expect((await svc.list()).mappings).toHaveLength(1);
  });

  it('replaces a mapping atomically and leaves no temp files', async () => {
    await svc.save('lima', LIMA);
    await svc.save('Lima', { ...LIMA, timeZone: 'UTC' });
    expect(readdirSync(dir)).toEqual(['lima.json']);
    expect(await svc.get('lima')).toMatchObject({ name: 'Lima', timeZone: 'UTC' });
    // a temp file left by a crash mid-write is never listed
    writeFileSync(join(dir, '.0f3a.tmp'), '{"half":');
    expect((await svc.list()).mappings.map((m) => m.name)).toEqual(['Lima']);
  });

  it.each([
    '', '../secret', '..', '.hidden', 'a/b', 'a\\b', 'name ', ' name', 'name.', 'con:1', 'x'.repeat(65), 'tab\tname', 'ünï', 'a\u0000b',
  ])('refuses the name %j', async (name) => {
    await expect(svc.save(name, LIMA)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(svc.get(name)).rejects.toMatchObject({ code: 'bad_request' });
    await expect(svc.delete(name)).rejects.toMatchObject({ code: 'bad_request' });
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    expect(readdirSync(root)).toEqual([]);
  });

  it.each([
    ['an unknown time zone', { ...LIMA, timeZone: 'Lima/Peru' }],
    ['no time zone', { ...LIMA, timeZone: undefined }],
    ['no B column', { ...LIMA, columns: { aNumber: 'A', date: 'D' } }],
    ['an unknown encoding', { ...LIMA, encoding: 'utf-32' }],
    ['an unknown field', { ...LIMA, sql: 'DROP TABLE x' }],
  ])('refuses a mapping with %s and writes nothing', async (_what, bad) => {
    await expect(svc.save('bad', bad as CdrMappingInput)).rejects.toMatchObject({ code: 'bad_request' });
    expect(existsSync(join(dir, 'bad.json'))).toBe(false);
  });

  it('skips files that are not valid mappings, and says so', async () => {
    await svc.save('good', LIMA);
    writeFileSync(join(dir, 'broken.json'), '{ not json');
    writeFileSync(join(dir, 'wrong.json'), JSON.stringify({ name: 'wrong', columns: {} }));
    writeFileSync(join(dir, 'notes.txt'), 'ignored');
    const { mappings, skipped } = await svc.list();
    expect(mappings.map((m) => m.name)).toEqual(['good']);
    expect(skipped).toEqual(['broken.json', 'wrong.json']);
    await expect(svc.get('broken')).rejects.toMatchObject({ code: 'internal' });
  });

  it('gives back a mapping that imports the file it was made for', async () => {
    await svc.save('lima-operator', LIMA);
    const path = join(import.meta.dirname, '../fixtures/cdr/synthetic-semicolon-lima.csv');
    const input = { name: 'synthetic-semicolon-lima.csv', path, sha256: await hashFile(path), size: statSync(path).size };
    const parsed = await parseCdr(input, { defaultCase: 'test', importedBy: 'test', defaultRegion: 'MY', secret: 'x'.repeat(32) }, await svc.get('lima-operator'));
    let events = 0;
    for await (const c of parsed.chunks) events += c.events.length;
    expect(events).toBe(4);
  });
});
