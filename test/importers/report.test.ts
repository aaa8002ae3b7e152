// The case report importer: the Lima seed, and broken files that must name file and position.
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportImporter } from '../../backend/src/importers/report/report.importer.ts';
import type { ImportContext } from '../../backend/src/importers/types.ts';
import { hashFile } from '../../backend/src/services/import.service.ts';
import { useWorkspace } from './harness.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';

const FIX = join(import.meta.dirname, '../fixtures/report');
const SEED = join(import.meta.dirname, '../../seed/lima/lima-raid.report.yaml');
const ctx: ImportContext = { defaultCase: 'default', importedBy: 'test', defaultRegion: 'PE', secret: 'k'.repeat(32) };

async function parseFile(path: string) {
  const input = { name: basename(path), path, sha256: await hashFile(path), size: statSync(path).size };
  return reportImporter.parse(input, ctx);
}

describe('report importer', () => {
  let dir: string;
  let store: EmbeddedGraphStore;
  useWorkspace('report', (ws) => {
    dir = ws.dir;
    store = ws.store;
  });

  it('detects the format from content', () => {
    expect(reportImporter.detect(Buffer.from('# c\ncasegraph: report/1\n'), 'x.txt')).toBe(true);
    expect(reportImporter.detect(Buffer.from('{"casegraph":"report/1"}'), 'x.json')).toBe(true);
    expect(reportImporter.detect(Buffer.from('BEGIN:VCARD'), 'x.vcf')).toBe(false);
  });

  it('loads the Lima case with every fact sourced', async () => {
    const parsed = await parseFile(SEED);
    const r = await store.applyStream(parsed.source, parsed.chunks);
    expect(r.status).toBe('applied');
    const counts = await store.counts();
    expect(counts.byType).toMatchObject({ Organization: 5, Group: 1, Document: 1, Address: 1 });
    expect(counts.byType.Person).toBe(10); // 6 Taiwanese + 2 Peruvian suspects, 2 escaped women
    const [group] = await store.search({ q: 'Red Dragon', limit: 1 });
    const detail = (await store.getEntity(group.id))!;
    expect(detail.props).toMatchObject({ role: 'suspect' });
    expect(detail.sources[0]).toMatchObject({ sourceName: 'lima-raid.report.yaml', locator: '¶9', case: 'lima-2023', sourceKind: 'report' });
    expect(detail.sources[0].documentId).toMatch(/^doc_/);
    const members = await store.neighbours([group.id], { depth: 1, limit: 100, linkTypes: ['MEMBER_OF'] });
    expect(members.entities.filter((e) => e.type === 'Person')).toHaveLength(6);
    const victims = (await store.search({ q: '43 Malaysian', limit: 1 }))[0];
    expect((await store.getEntity(victims.id))!.props).toMatchObject({ count: 43, role: 'victim' });
    const raid = (await store.search({ q: 'raid La Molina', types: ['Event'], limit: 1 }))[0];
    expect((await store.getEntity(raid.id))!.props.date).toBe('2023-10-07');
    // every entity and link has at least one provenance row
    for await (const batch of store.dump()) {
      expect(batch.entities.every((e) => e.locators.length > 0)).toBe(true);
      expect(batch.links.every((l) => l.locators.length > 0)).toBe(true);
      expect(batch.entities.length).toBe(counts.entities);
      expect(batch.links.length).toBe(counts.links);
    }
  });

  it('normalises phones and never stores a full card number', async () => {
    const parsed = await parseFile(join(FIX, 'minimal.report.yaml'));
    await store.applyStream(parsed.source, parsed.chunks);
    const [phone] = await store.search({ q: '2161 1111', limit: 1 });
    expect((await store.getEntity(phone.id))!.props).toMatchObject({ number: '+60321611111', original: '03-2161 1111' });
    const [card] = await store.search({ q: 'Card found', limit: 1 });
    const c = (await store.getEntity(card.id))!;
    expect(c.props.masked).toBe('411111••••••1111');
    const raw = readFileSync(join(dir, 'store', 'graph.sqlite'));
    expect(raw.includes(Buffer.from('4111111111111111'))).toBe(false);
    expect(raw.includes(Buffer.from('4111 1111 1111 1111'))).toBe(false);
  });

  it.each([
    ['bad-type.report.yaml', /entities\[1\]\.type \(line 6\): unknown type "Phnoe"/],
    ['bad-ref.report.yaml', /links\[0\]\.to \(line 7\): unknown ref "nobody"/],
    ['bad-endpoint.report.yaml', /links\[0\] \(line 8\): link USES_PHONE cannot join Person to Place/],
    ['bad-card.report.yaml', /entities\[0\] \(line 5\): card number fails the Luhn check/],
    ['bad-yaml.report.yaml', /line \d+:\d+/],
    ['missing-label.report.yaml', /entities\[0\]\.label \(line 5\)/],
    ['dup-ref.report.yaml', /entities\[1\]\.ref \(line 6\): ref "a" is used twice/],
    ['alias-bomb.report.yaml', /alias/i],
  ])('refuses %s naming file and position', async (file, message) => {
    const err = await parseFile(join(FIX, file)).then(() => null, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'import_failed' });
    expect((err as Error).message.startsWith(file)).toBe(true);
    expect((err as Error).message).toMatch(message);
    expect(await store.counts()).toMatchObject({ entities: 0, sources: 0 });
  });
});
