// Victim-aware redaction: with the default (redactVictims) no victim name, alias, number, handle or
// account number appears anywhere in the bytes of any format — including inside other records' notes —
// while the structure stays (same counts, links still connect, pseudonyms stable within the export).
// With redaction off they do appear, and the unredaction is recorded before the export.
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, type ExportFormat } from '../../backend/src/exchange/formats.ts';
import { findMasked, redactScope, Scrubber } from '../../backend/src/exchange/redact.ts';
import { collectScope } from '../../backend/src/exchange/scope.ts';
import { ExportService } from '../../backend/src/services/export.service.ts';
import { exportToFile, GROUP_LABEL, makeFixture, openStore, VICTIM_ALIAS, VICTIM_HANDLE, VICTIM_IBAN, VICTIM_NAME, VICTIM_NUMBER, type Fixture } from './helpers.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SECRETS = [VICTIM_NAME, VICTIM_ALIAS, VICTIM_NUMBER, VICTIM_NUMBER.slice(1), VICTIM_HANDLE, VICTIM_IBAN, VICTIM_IBAN.toLowerCase(), GROUP_LABEL, 'escaped and alerted the police'];

/** All text of an export: zip entries decompressed, XML entities left as written (secrets have none). */
function textOf(path: string, format: ExportFormat): string {
  const bytes = readFileSync(path);
  if (format !== 'csv') return bytes.toString('utf8');
  return Object.entries(unzipSync(bytes)).map(([name, b]) => `${name}\n${Buffer.from(b).toString('utf8')}`).join('\n');
}

describe('victim redaction', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await makeFixture();
  });
  afterAll(() => fx.close());

  it('finds victims by role and masks what they use or own, transitively', async () => {
    const scope = await collectScope(fx.store, {});
    const { victims, owner } = findMasked(scope);
    expect(new Set(victims)).toEqual(new Set([fx.ids.victim, fx.ids.group]));
    for (const id of [fx.ids.vphone, fx.ids.vacct, fx.ids.vbank]) expect(owner.get(id)).toBe(fx.ids.victim);
    // the boss's phone, which called the victim, and the house where victims were held are not the victim's
    for (const id of [fx.ids.bphone, fx.ids.house, fx.ids.boss]) expect(owner.has(id)).toBe(false);
  });

  it.each(EXPORT_FORMATS)('%s: redacted by default — no victim name or identifier in the bytes, structure kept', async (format) => {
    const { path, record } = await exportToFile(fx.store, fx.dir, { format }, `red.${format}`);
    expect(record).toMatchObject({ redacted: true, victims: 2, complete: true });
    const text = textOf(path, format);
    for (const s of SECRETS) expect(text.includes(s), `${format} leaks "${s}"`).toBe(false);
    expect(text).toContain('Victim 1 (redacted)');
    expect(text).toContain('Phone of Victim 1 (redacted)');
    expect(text).toContain('phoned [redacted] daily');
    // original victim ids are guessable hashes of names: they must not appear either
    for (const id of [fx.ids.victim, fx.ids.vphone, fx.ids.vacct, fx.ids.vbank, fx.ids.group]) expect(text.includes(id), `${format} keeps id ${id}`).toBe(false);
    expect(record.counts).toEqual({ entities: 17, links: 20, events: 4, sources: 3 });
  });

  it.each(EXPORT_FORMATS)('%s: redactVictims=false writes them and records the unredaction first', async (format) => {
    const before = (await fx.store.listAnnotations({ kind: 'unredaction' })).length;
    const { path, record } = await exportToFile(fx.store, fx.dir, { format, case: 'op-lima', redactVictims: false, reason: 'court order 12/2024' }, `clear.${format}`);
    expect(record.redacted).toBe(false);
    const text = textOf(path, format);
    expect(text).toContain(VICTIM_NAME);
    expect(text).toContain(VICTIM_NUMBER.slice(3));
    const log = await fx.store.listAnnotations({ kind: 'unredaction' });
    expect(log).toHaveLength(before + 1);
    const last = log.at(-1)!;
    expect(last).toMatchObject({ kind: 'unredaction', entityId: 'op-lima', by: 'tester' });
    expect(JSON.parse(last.text!)).toMatchObject({ format, scope: 'case', case: 'op-lima', victims: 2, reason: 'court order 12/2024' });
  });

  it('pseudonyms are stable within an export, differ between exports, and links still connect', async () => {
    // redaction works in place on a scope collected for one export: collect one per export
    const r1 = redactScope(await collectScope(fx.store, {}), { salt: 'one' });
    const r2 = redactScope(await collectScope(fx.store, {}), { salt: 'two' });
    const p1 = r1.idMap.get(fx.ids.victim)!;
    expect(p1).toMatch(/^red_[0-9a-f]{24}$/);
    expect(r2.idMap.get(fx.ids.victim)).not.toBe(p1);
    const ends = new Set([...r1.scope.links.values()].flatMap((l) => [l.from, l.to]));
    for (const id of ends) expect(r1.scope.entities.has(id), id).toBe(true);
    expect([...r1.scope.links.values()].filter((l) => l.from === p1).map((l) => l.type).sort()).toEqual(['HELD_AT', 'OWNS', 'USES_PHONE']);
    for (const ev of r1.scope.events.values()) expect(r1.scope.links.get(ev.linkId)).toBeDefined();
    const v = r1.scope.entities.get(p1)!;
    expect(v).toMatchObject({ label: 'Victim 1 (redacted)', props: { role: 'victim', redacted: true }, search: [] });
    expect(r1.scope.entities.get(r1.idMap.get(fx.ids.group)!)!.props).toEqual({ role: 'victim', count: 43, redacted: true });
  });

  it('a redacted snapshot rewrites the view state: ids to pseudonyms, names scrubbed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'casegraph-red-'));
    try {
      const view = { positions: { [fx.ids.victim]: { x: 1, y: 2 }, [fx.ids.boss]: { x: 3, y: 4 } }, selection: [fx.ids.victim], notes: [`call ${VICTIM_NAME} back`] };
      const { path } = await exportToFile(fx.store, dir, { format: 'snapshot', ids: [fx.ids.victim, fx.ids.boss, fx.ids.vphone, fx.ids.bphone], view }, 's.casegraph.json');
      const text = readFileSync(path, 'utf8');
      for (const s of SECRETS) expect(text.includes(s)).toBe(false);
      expect(text.includes(fx.ids.victim)).toBe(false);
      const b = await openStore(dir, 'b.sqlite');
      try {
        const r = await new ExportService({ store: b }).openPath(path, 's.casegraph.json', { by: 't' });
        const pv = (r.view as { selection: string[] }).selection[0];
        expect(pv).toMatch(/^red_/);
        expect(Object.keys((r.view as { positions: object }).positions)).toContain(pv);
        expect((r.view as { notes: string[] }).notes).toEqual(['call [redacted] back']);
        expect(r.entityIds).toContain(pv);
        expect((await b.getEntity(pv))?.label).toBe('Victim 1 (redacted)');
      } finally {
        await b.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a redacted copy opens as its own case, even in the store it came from, and never mixes with the originals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'casegraph-red-'));
    try {
      const ids = [fx.ids.victim, fx.ids.vphone, fx.ids.boss];
      const one = await exportToFile(fx.store, dir, { format: 'snapshot', ids, view: { selection: [fx.ids.victim] } }, 'one.casegraph.json');
      const two = await exportToFile(fx.store, dir, { format: 'snapshot', ids, view: {} }, 'two.casegraph.json');
      const svc = new ExportService({ store: fx.store });
      const r1 = await svc.openPath(one.path, 'one.casegraph.json', { by: 't' });
      expect(r1.result.status).toBe('applied');
      expect(r1.result.sources.every((x) => /^op-lima \[redacted [0-9a-f]{8}\]$/.test(x.case))).toBe(true);
      const pv = (r1.view as { selection: string[] }).selection[0];
      expect((await fx.store.getEntity(pv))?.label).toBe('Victim 1 (redacted)');
      expect((await fx.store.getEntity(fx.ids.victim))?.label).toBe(VICTIM_NAME);
      expect((await svc.openPath(one.path, 'one.casegraph.json', { by: 't' })).result.status).toBe('already_imported');
      const r2 = await svc.openPath(two.path, 'two.casegraph.json', { by: 't' });
      expect(r2.result.status).toBe('applied');
      expect(r2.result.sources[0].case).not.toBe(r1.result.sources[0].case);
      // the originals' sources are untouched
      expect((await fx.store.listSources('op-lima')).map((x) => x.name)).toEqual(['lima-raid.report.yaml', 'synthetic-handset-01.xml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the scrubber masks case-insensitively and leaves other text alone', () => {
    const s = new Scrubber(['Siti Rahmah', '60123456789']);
    expect(s.scrub('SITI RAHMAH called +60123456789 twice')).toBe('[redacted] called +[redacted] twice');
    expect(s.scrub('nothing here')).toBe('nothing here');
  });
});
