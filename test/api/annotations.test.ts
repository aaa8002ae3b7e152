// Notes and merges through the API on a real store: recorded with who and when, applied on read, undoable.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from './harness.ts';

const SEED = join(import.meta.dirname, '../../seed/lima/lima-raid.report.yaml');

describe('notes and merges', () => {
  let h: Awaited<ReturnType<typeof makeApp>>;
  const id = async (q: string) => (await request(h.app).get('/api/search').query({ q })).body.hits[0].id as string;
  beforeAll(async () => {
    h = await makeApp();
    await request(h.app).post('/api/imports?name=lima.report.yaml').set('Content-Type', 'application/octet-stream').send(readFileSync(SEED));
  });
  afterAll(() => h.close());

  it('adds a note with who and when', async () => {
    const group = await id('Red Dragon');
    const ana = await h.as('ana.analyst', 'analyst', ['lima-2023']);
    // who is recorded is the signed-in user: a header naming someone else changes nothing
    const r = await request(ana).post(`/api/entities/${group}/notes`).set('X-Casegraph-User', 'someone.else').send({ text: 'Check <b>alias</b> spelling' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ kind: 'note', entityId: group, by: 'ana.analyst', text: 'Check <b>alias</b> spelling' });
    expect(Date.parse(r.body.at)).toBeGreaterThan(Date.now() - 60_000);
    const detail = (await request(h.app).get(`/api/entities/${group}`)).body;
    expect(detail.notes.map((n: { text: string }) => n.text)).toEqual(['Check <b>alias</b> spelling']);
    expect(detail.notes[0].by).toBe('ana.analyst');
    const lukasz = await h.as('łukasz.kowalczyk', 'analyst', ['lima-2023']);
    const second = await request(lukasz).post(`/api/entities/${group}/notes`).send({ text: 'second' });
    expect(second.body.by).toBe('łukasz.kowalczyk');
    // and the audit trail has both, with the entity
    const audit = h.auth.store.queryAudit({ action: 'note' });
    expect(audit.map((e) => [e.actor, e.target, e.outcome])).toEqual([['łukasz.kowalczyk', group, 'ok'], ['ana.analyst', group, 'ok']]);
    // a viewer may read the notes but not write one
    const viewer = await h.as('vera.viewer', 'viewer', ['lima-2023']);
    expect((await request(viewer).get(`/api/entities/${group}`)).body.notes).toHaveLength(2);
    expect((await request(viewer).post(`/api/entities/${group}/notes`).send({ text: 'x' })).status).toBe(403);
    expect((await request(h.app).post(`/api/entities/${group}/notes`).send({ text: '   ' })).status).toBe(400);
    expect((await request(h.app).post(`/api/entities/${group}/notes`).set('Content-Type', 'text/plain').send('hi')).status).toBe(415);
    expect((await request(h.app).post('/api/entities/per_nope/notes').send({ text: 'x' })).status).toBe(404);
  });

  it('merges two entities into one on read, and unmerges', async () => {
    const [keep, gone] = [await id('Escaped woman 1'), await id('Escaped woman 2')];
    const beforeKeep = (await request(h.app).get(`/api/entities/${keep}`)).body;
    const ben = await h.as('ben', 'analyst', ['lima-2023']);
    const m = await request(ben).post('/api/merges').send({ keep, merge: gone, reason: 'same person per interview' });
    expect(m.status).toBe(201);
    expect(m.body).toMatchObject({ kind: 'merge', entityId: keep, targetId: gone, by: 'ben' });
    // the merged entity resolves to the kept one, with both sets of sources
    const viaGone = (await request(h.app).get(`/api/entities/${gone}`)).body;
    expect(viaGone.id).toBe(keep);
    expect(viaGone.merged).toEqual([expect.objectContaining({ id: gone, by: 'ben', annotationId: m.body.id })]);
    expect(viaGone.sources.length).toBeGreaterThan(beforeKeep.sources.length);
    // search shows one entity for both names
    const hits = (await request(h.app).get('/api/search').query({ q: 'Escaped woman' })).body.hits;
    expect(hits.map((x: { id: string }) => x.id)).toEqual([keep]);
    // the neighbourhood of the escape event shows one woman, not two
    const escape = await id('Two women escape');
    const n = (await request(h.app).get(`/api/entities/${escape}/neighbours`)).body;
    const ids = n.entities.map((e: { id: string }) => e.id);
    expect(ids).toContain(keep);
    expect(ids).not.toContain(gone);
    expect(n.links.every((l: { from: string; to: string }) => l.from !== gone && l.to !== gone)).toBe(true);
    // refusals
    expect((await request(h.app).post('/api/merges').send({ keep, merge: gone })).status).toBe(409);
    expect((await request(h.app).post('/api/merges').send({ keep, merge: await id('Red Dragon') })).status).toBe(400);
    // unmerge restores both
    const u = await request(ben).post(`/api/merges/${m.body.id}/undo`);
    expect(u.status).toBe(201);
    expect(u.body).toMatchObject({ kind: 'unmerge', targetId: m.body.id, by: 'ben' });
    expect((await request(h.app).get(`/api/entities/${gone}`)).body.id).toBe(gone);
    expect((await request(h.app).get('/api/search').query({ q: 'Escaped woman' })).body.hits).toHaveLength(2);
    expect((await request(h.app).post(`/api/merges/${m.body.id}/undo`)).status).toBe(404);
    // the log keeps all of it
    const log = (await request(h.app).get('/api/annotations').query({ entityId: keep })).body.annotations;
    expect(log.map((a: { kind: string }) => a.kind)).toEqual(['merge', 'unmerge']);
    expect(h.auth.store.queryAudit({ actor: 'ben' }).map((e) => `${e.action}:${e.outcome}`)).toEqual(['unmerge:ok', 'merge:ok', 'auth.login:ok']);
  });

  it('finds paths through merged entities', async () => {
    const [a, b] = [await id('Taiwanese suspect 1'), await id('Taiwanese suspect 2')];
    const m = await request(h.app).post('/api/merges').send({ keep: a, merge: b });
    const r = await request(h.app).get('/api/paths').query({ from: b, to: await id('Red Dragon'), k: 2 });
    expect(r.body.paths[0].entities[0]).toBe(a);
    await request(h.app).post(`/api/merges/${m.body.id}/undo`);
  });
});
