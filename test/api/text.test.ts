// Report text → entities through the API on a real temp-dir store: extract with matches to the seeded
// case, apply one reviewed selection as one source with sentence locators, and refuse bad input unchanged.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../backend/src/app.ts';
import { silentLogger } from '../../backend/src/logger.ts';
import { ImportService } from '../../backend/src/services/import.service.ts';
import { EmbeddedGraphStore } from '../../backend/src/storage/embedded/embedded.graph-store.ts';
import type { Candidate, Extraction } from '../../backend/src/text/text.schema.ts';
import { makeAuth, signedIn, signedInAs } from './harness.ts';

const ROOT = join(import.meta.dirname, '../..');
const SEED_REPORT = join(ROOT, 'seed/lima/lima-raid.report.yaml');
const ARTICLE = join(ROOT, '../shared/seeds/000_0390b7eacd381be1.txt');

/** The api harness's app plus the install secret the text routes need. */
async function makeTextApp() {
  const dir = mkdtempSync(join(tmpdir(), 'casegraph-text-'));
  const store = new EmbeddedGraphStore({ file: join(dir, 'store.sqlite') });
  const secret = 't'.repeat(32);
  const imports = new ImportService({ store, secret, region: 'PE', defaultCase: 'lima-2023', maxUploadBytes: 50 * 1024 * 1024, tmpDir: join(dir, 'spool') });
  const auth = await makeAuth(dir);
  const raw = createApp({ store, imports, auth, log: silentLogger, defaultCase: 'lima-2023', region: 'PE', secret });
  const app = await signedIn(raw, auth);
  return {
    app, raw, store, imports, auth,
    close: async () => {
      auth.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A one-page PDF with one text object, written by hand (xref offsets computed). */
function tinyPdf(text: string): Buffer {
  const content = `BT /F1 12 Tf 72 720 Td (${text}) Tj ET`;
  const objs = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objs.forEach((o, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objs.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objs.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

describe('report text → entities', () => {
  let h: Awaited<ReturnType<typeof makeTextApp>>;
  let ex: Extraction;
  const extract = (body: Buffer | string, query: Record<string, string>) =>
    request(h.app).post('/api/text/extract').query(query).set('Content-Type', 'application/octet-stream').send(Buffer.from(body));
  const find = (label: string, e: Extraction = ex) => e.candidates.find((c) => c.label === label) as Candidate;

  beforeAll(async () => {
    h = await makeTextApp();
    const seeded = await request(h.app).post('/api/imports?name=lima-raid.report.yaml').set('Content-Type', 'application/octet-stream').send(readFileSync(SEED_REPORT));
    expect(seeded.status).toBe(201);
    const r = await extract(readFileSync(ARTICLE), { name: 'guardian-article.txt', case: 'lima-2023', reportDate: '2023-10-10' });
    expect(r.status).toBe(200);
    ex = r.body;
  }, 90_000); // the first extraction loads the gazetteer and compromise
  afterAll(() => h.close());

  it('extracts the seed article with matches to the seeded Lima case', () => {
    expect(ex.document).toMatchObject({ name: 'guardian-article.txt', kind: 'text', case: 'lima-2023', region: 'PE', reportDate: '2023-10-10', alreadyApplied: false });
    expect(ex.document.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(ex.document.chars).toBe(ex.text.length);
    // Lima and Amsterdam get the report importer's place keys, so they are the seeded entities by id
    for (const label of ['Lima', 'Amsterdam']) {
      const c = find(label);
      expect(c.type).toBe('Place');
      expect(c.matches.find((m) => m.by === 'id')).toMatchObject({ label, sources: [expect.objectContaining({ name: 'lima-raid.report.yaml', kind: 'report', case: 'lima-2023' })] });
    }
    // the seed keys Red Dragon by case and ref: found by its label instead
    const red = find('Red Dragon');
    expect(red.type).toBe('Organization');
    expect(red.matches).toEqual([expect.objectContaining({ by: 'label', label: 'Red Dragon', type: 'Organization' })]);
    // every span is the text it claims, and lies in the sentence it names
    for (const c of ex.candidates) {
      c.spans.forEach((s, i) => {
        const sentence = ex.sentences[c.sentences[i]];
        expect(s.start).toBeGreaterThanOrEqual(sentence.start);
        expect(s.end).toBeLessThanOrEqual(sentence.end);
      });
      expect(ex.text.slice(c.spans[0].start, c.spans[0].end)).toBe(c.text);
    }
    expect(ex.links).toContainEqual(expect.objectContaining({ type: 'LOCATED_IN', from: find('Amsterdam').id, to: find('Netherlands').id }));
  });

  it('applies a reviewed selection as one text source with a Document, MENTIONED_IN links and char-span locators', async () => {
    const before = await h.store.counts();
    const red = find('Red Dragon');
    const lima = find('Lima');
    const cash = ex.candidates.find((c) => c.kind === 'money' && c.value === '10000 USD')!;
    const seededRed = red.matches[0].id;
    const rosa = await signedInAs(h.raw, h.auth, 'rosa.reviewer', 'analyst', ['lima-2023']);
    const r = await request(rosa).post('/api/text/apply').send({
      extractionId: ex.extractionId, title: 'Guardian article on the Lima raid',
      entities: [
        { ref: red.id, type: red.type, label: red.label, props: red.props, spans: red.spans, mergeWith: seededRed },
        { ref: lima.id, type: lima.type, label: lima.label, props: lima.props, spans: lima.spans },
        { ref: cash.id, type: 'Asset', label: 'Cash seized in the raid', props: cash.props, spans: cash.spans },
      ],
      links: [{ from: red.id, to: lima.id, type: 'LOCATED_IN' }],
    });
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('applied');
    // each accepted ref → the entity it was written as: the merge target, the seeded Lima (same id), a new Asset
    expect(r.body.entityIds[red.id]).toBe(seededRed);
    expect(r.body.entityIds[lima.id]).toBe(lima.matches[0].id);
    expect((await h.store.getEntity(r.body.entityIds[cash.id]))?.type).toBe('Asset');

    const sources = await h.store.listSources('lima-2023');
    const text = sources.filter((s) => s.kind === 'text');
    expect(text).toHaveLength(1);
    expect(text[0]).toMatchObject({ name: 'guardian-article.txt', sha256: ex.document.sha256, title: 'Guardian article on the Lima raid', importedBy: 'rosa.reviewer' });
    const docId = text[0].documentId!;
    const doc = await h.store.getEntity(docId);
    expect(doc).toMatchObject({ type: 'Document', props: expect.objectContaining({ sha256: ex.document.sha256, kind: 'text' }) });

    // merged onto the seeded Red Dragon: no second organisation, the seeded label kept, the text's sentence as provenance
    const after = await h.store.counts();
    expect(after.byType.Organization).toBe(before.byType.Organization);
    expect(after.byType.Asset).toBe(before.byType.Asset + 1);
    expect(after.byType.Document).toBe(before.byType.Document + 1);
    const redNow = (await h.store.getEntity(seededRed))!;
    expect(redNow.label).toBe('Red Dragon');
    const prov = redNow.sources.filter((s) => s.sourceKind === 'text');
    expect(prov.length).toBe(red.spans.length > 0 ? new Set(red.sentences).size : 0);
    for (const p of prov) {
      const m = /^chars (\d+)–(\d+) \(sentence (\d+)\)$/.exec(p.locator)!;
      expect(m, p.locator).not.toBeNull();
      const sentence = ex.sentences[Number(m[3]) - 1];
      expect([sentence.start, sentence.end]).toEqual([Number(m[1]), Number(m[2])]);
      expect(ex.text.slice(sentence.start, sentence.end)).toContain('Red Dragon');
    }

    const sub = await h.store.subgraph([docId, seededRed, lima.matches[0].id]);
    const mentioned = sub.links.filter((l) => l.type === 'MENTIONED_IN' && l.to === docId).map((l) => l.from);
    expect(mentioned).toEqual(expect.arrayContaining([seededRed, lima.matches[0].id]));
    expect(sub.links).toContainEqual(expect.objectContaining({ type: 'LOCATED_IN', from: seededRed, to: lima.matches[0].id }));

    // the same document again: nothing changes
    const again = await request(h.app).post('/api/text/apply').send({
      extractionId: ex.extractionId, entities: [{ ref: lima.id, type: 'Place', label: 'Lima', props: lima.props, spans: lima.spans }],
    });
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('already_imported');
    expect(again.body.entityIds).toEqual({});
    expect(await h.store.counts()).toEqual(after);
    const re = await extract(readFileSync(ARTICLE), { name: 'guardian-article.txt', case: 'lima-2023' });
    expect(re.body.document.alreadyApplied).toBe(true);
  });

  it('refuses bad input with stable codes and writes nothing', async () => {
    const fresh: Extraction = (await extract('Inspector Rosa Quispe of the Peruvian National Police met Chen Wei-ling in Lima, Peru on 7 October 2023.', { name: 'note.txt', case: 'other-case' })).body;
    const lima = find('Lima', fresh);
    const person = fresh.candidates.find((c) => c.kind === 'person')!;
    const before = await h.store.counts();
    const apply = (body: unknown) => request(h.app).post('/api/text/apply').send(body as object);
    const ent = (over: object = {}) => ({ ref: lima.id, type: 'Place', label: 'Lima', props: lima.props, spans: lima.spans, ...over });

    const outside = await apply({ extractionId: fresh.extractionId, entities: [ent({ spans: [{ start: 0, end: fresh.text.length + 5 }] })] });
    expect([outside.status, outside.body.code]).toEqual([400, 'bad_request']);
    const reversed = await apply({ extractionId: fresh.extractionId, entities: [ent({ spans: [{ start: 9, end: 3 }] })] });
    expect([reversed.status, reversed.body.code]).toEqual([400, 'bad_request']);
    const notAllowed = await apply({
      extractionId: fresh.extractionId,
      entities: [ent(), { ref: person.id, type: 'Person', label: person.label, props: {}, spans: person.spans }],
      links: [{ from: lima.id, to: person.id, type: 'MEMBER_OF' }],
    });
    expect([notAllowed.status, notAllowed.body.code]).toEqual([400, 'bad_request']);
    const unknownRef = await apply({ extractionId: fresh.extractionId, entities: [ent()], links: [{ from: lima.id, to: 'c999', type: 'LOCATED_IN' }] });
    expect([unknownRef.status, unknownRef.body.code]).toEqual([400, 'bad_request']);
    const wrongType = await apply({ extractionId: fresh.extractionId, entities: [ent({ mergeWith: find('Red Dragon').matches[0].id })] });
    expect([wrongType.status, wrongType.body.code]).toEqual([400, 'bad_request']);
    const noEntities = await apply({ extractionId: fresh.extractionId, entities: [] });
    expect([noEntities.status, noEntities.body.code]).toEqual([400, 'bad_request']);
    const unknown = await apply({ extractionId: '00000000-0000-0000-0000-000000000000', entities: [ent()] });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'not_found']);
    expect(unknown.body.message).toMatch(/extract the document again/);

    const empty = await extract(Buffer.alloc(0), { name: 'empty.txt' });
    expect([empty.status, empty.body.code]).toEqual([400, 'bad_request']);
    const big = await extract(Buffer.alloc(5 * 1024 * 1024 + 1, 'a'), { name: 'big.txt' });
    expect([big.status, big.body.code]).toEqual([413, 'payload_too_large']);
    const binary = await extract(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0]), { name: 'a.out' });
    expect([binary.status, binary.body.code]).toEqual([415, 'unsupported_format']);
    const broken = await extract('%PDF-1.4\nthis is not really a pdf\n%%EOF', { name: 'broken.pdf' });
    expect([broken.status, broken.body.code]).toEqual([422, 'import_failed']);
    const badDate = await extract('text', { name: 'a.txt', reportDate: '2023-13-45' });
    expect([badDate.status, badDate.body.code]).toEqual([400, 'bad_request']);
    const badRegion = await extract('text', { name: 'a.txt', region: 'Peru' });
    expect([badRegion.status, badRegion.body.code]).toEqual([400, 'bad_request']);

    expect(await h.store.counts()).toEqual(before);
    expect((await h.store.listSources('other-case')).length).toBe(0);
  });

  it('reads the text of a PDF', async () => {
    const r = await extract(tinyPdf('Call +51 987 654 321 in Lima, Peru.'), { name: 'statement.pdf', case: 'pdf-case' });
    expect(r.status).toBe(200);
    expect(r.body.document.kind).toBe('pdf');
    expect(r.body.text).toContain('Call +51 987 654 321 in Lima, Peru.');
    const phone = r.body.candidates.find((c: Candidate) => c.kind === 'phone');
    expect(phone).toMatchObject({ value: '+51987654321', text: '+51 987 654 321' });
    expect(r.body.candidates.map((c: Candidate) => c.label)).toEqual(expect.arrayContaining(['Lima', 'Peru']));
  });

  it('reads HTML as text: scripts dropped, markup never interpreted', async () => {
    const html = '<!doctype html><html><head><title>t</title><script>alert(1)</script></head><body><p>Seized in Lima &amp; Callao: US$5,000.</p><p><img src=x onerror="alert(2)">Phone +51 987 654 321</p></body></html>';
    const r = await extract(html, { name: 'page.html', case: 'html-case' });
    expect(r.status).toBe(200);
    expect(r.body.document.kind).toBe('html');
    // paragraphs are separated by a blank line; the image and its onerror attribute leave nothing behind
    expect(r.body.text).toBe('Seized in Lima & Callao: US$5,000.\n\nPhone +51 987 654 321');
    expect(r.body.candidates.map((c: Candidate) => c.value)).toEqual(expect.arrayContaining(['5000 USD', '+51987654321', 'place/lima|pe']));
  });
});
