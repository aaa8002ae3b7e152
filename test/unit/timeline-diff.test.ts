// The timeline and Compare periods panels without a browser: UTC bucket arithmetic and window snapping,
// the window text, the canvas cut to a window and back on headless cytoscape (including an edge that undo
// brings back), which entities a diff sentence names, and the diff marks.
import cytoscape from 'cytoscape';
import { describe, expect, it } from 'vitest';
import { addBuckets, applyActivity, autoBucket, bucketEnd, bucketStart, countsIn, OUT_OF_WINDOW, restoreAggregates, snapWindow, windowLabel } from '../../frontend/src/panels/timeline.ts';
import { aroundEvent, clearDiffMarks, markDiff, namedIn, windowOfDays } from '../../frontend/src/panels/diff.ts';
import { toElements } from '../../frontend/src/graph/elements.ts';
import type { DiffResult, LinkActivity, Timeline } from '../../frontend/src/api.ts';
import type { GraphView } from '../../backend/src/model/schemas.ts';

const T = (iso: string) => Date.parse(iso);

describe('timeline time arithmetic (UTC)', () => {
  it('finds bucket starts and ends for days, ISO weeks and months', () => {
    expect(new Date(bucketStart(T('2023-09-07T23:59:59Z'), 'day')).toISOString()).toBe('2023-09-07T00:00:00.000Z');
    // 7 Sep 2023 is a Thursday: its week starts on Monday 4 Sep; a Sunday belongs to the week before
    expect(new Date(bucketStart(T('2023-09-07T12:00:00Z'), 'week')).toISOString()).toBe('2023-09-04T00:00:00.000Z');
    expect(new Date(bucketStart(T('2023-09-10T12:00:00Z'), 'week')).toISOString()).toBe('2023-09-04T00:00:00.000Z');
    expect(new Date(bucketStart(T('2023-02-28T12:00:00Z'), 'month')).toISOString()).toBe('2023-02-01T00:00:00.000Z');
    expect(new Date(bucketEnd(T('2023-02-01T00:00:00Z'), 'month')).toISOString()).toBe('2023-03-01T00:00:00.000Z');
    expect(new Date(addBuckets(T('2023-11-01T00:00:00Z'), 3, 'month')).toISOString()).toBe('2024-02-01T00:00:00.000Z');
  });

  it('picks days for weeks of data, weeks for months, months for years', () => {
    expect(autoBucket('2023-09-01T00:00:00Z', '2023-10-30T00:00:00Z')).toBe('day');
    expect(autoBucket('2023-01-15T00:00:00Z', '2023-10-30T00:00:00Z')).toBe('week');
    expect(autoBucket('2019-01-15T00:00:00Z', '2023-10-30T00:00:00Z')).toBe('month');
    expect(autoBucket(undefined, undefined)).toBe('day');
  });

  it('snaps a dragged range outwards to whole buckets, a click to its bucket', () => {
    const w = snapWindow(T('2023-09-07T10:00:00Z'), T('2023-09-09T03:00:00Z'), 'day');
    expect([new Date(w.from).toISOString(), new Date(w.to).toISOString()]).toEqual(['2023-09-07T00:00:00.000Z', '2023-09-10T00:00:00.000Z']);
    const back = snapWindow(T('2023-09-09T03:00:00Z'), T('2023-09-07T10:00:00Z'), 'day');
    expect(back).toEqual(w);
    const click = snapWindow(T('2023-09-13T10:00:00Z'), T('2023-09-13T10:00:00Z'), 'week');
    expect([new Date(click.from).toISOString(), new Date(click.to).toISOString()]).toEqual(['2023-09-11T00:00:00.000Z', '2023-09-18T00:00:00.000Z']);
  });

  it('says the window as the days it covers and counts the bars inside it', () => {
    expect(windowLabel(T('2023-09-07T00:00:00Z'), T('2023-09-15T00:00:00Z'))).toBe('7 Sep 2023 – 14 Sep 2023');
    expect(windowLabel(T('2023-09-07T00:00:00Z'), T('2023-09-08T00:00:00Z'))).toBe('7 Sep 2023');
    const tl: Timeline = {
      bucket: 'day',
      total: 9,
      dated: [],
      buckets: [
        { start: '2023-09-06T00:00:00.000Z', calls: 4, messages: 0, other: 0, dated: 0 },
        { start: '2023-09-07T00:00:00.000Z', calls: 2, messages: 1, other: 0, dated: 0 },
        { start: '2023-09-08T00:00:00.000Z', calls: 1, messages: 0, other: 1, dated: 0 },
      ],
    };
    expect(countsIn(tl, T('2023-09-07T00:00:00Z'), T('2023-09-09T00:00:00Z'))).toEqual({ calls: 3, messages: 1, other: 1 });
  });
});

const VIEW: GraphView = {
  capped: false,
  entities: [
    { id: 'tel_a', type: 'Phone', label: '+51987000101', props: {} },
    { id: 'tel_b', type: 'Phone', label: '+886912000001', props: {} },
    { id: 'tel_c', type: 'Phone', label: '+886912000002', props: {} },
    { id: 'per_x', type: 'Person', label: 'Someone', props: {} },
  ],
  links: [
    { id: 'lnk_ab', type: 'CALLED', from: 'tel_a', to: 'tel_b', props: {}, count: 40, durationS: 4000, firstAt: '2023-09-01T00:00:00.000Z', lastAt: '2023-10-01T00:00:00.000Z' },
    { id: 'lnk_ac', type: 'MESSAGED', from: 'tel_a', to: 'tel_c', props: {}, count: 7, durationS: 0, firstAt: '2023-09-02T00:00:00.000Z', lastAt: '2023-09-03T00:00:00.000Z' },
    { id: 'lnk_xa', type: 'USES_PHONE', from: 'per_x', to: 'tel_a', props: {} },
  ],
};

function canvas() {
  const cy = cytoscape({ headless: true, styleEnabled: false });
  cy.add(toElements(VIEW));
  return cy;
}

describe('the canvas cut to a time window', () => {
  const activity: LinkActivity[] = [{ id: 'lnk_ab', type: 'CALLED', from: 'tel_a', to: 'tel_b', count: 3, durationS: 200, firstAt: '2023-09-07T01:00:00.000Z', lastAt: '2023-09-08T01:00:00.000Z' }];

  it('shows the window’s counts, fades links without events in it and leaves structural links alone', () => {
    const cy = canvas();
    const before = cy.getElementById('lnk_ab').data('width') as number;
    expect(applyActivity(cy, activity)).toEqual({ inWindow: 1, outOfWindow: 1 });
    const ab = cy.getElementById('lnk_ab');
    expect(ab.data()).toMatchObject({ count: 3, durationS: 200, firstAt: '2023-09-07T01:00:00.000Z', label: 'CALLED ×3' });
    expect(ab.data('width')).toBeLessThan(before);
    expect(ab.hasClass(OUT_OF_WINDOW)).toBe(false);
    const ac = cy.getElementById('lnk_ac');
    expect(ac.hasClass(OUT_OF_WINDOW)).toBe(true);
    expect(ac.data('count')).toBe(0);
    expect(cy.getElementById('lnk_xa').hasClass(OUT_OF_WINDOW)).toBe(false);
    expect(cy.getElementById('lnk_xa').data('full')).toBeUndefined();
  });

  it('puts the full aggregates back, also on an edge removed and re-added meanwhile (undo)', () => {
    const cy = canvas();
    const original = { ...cy.getElementById('lnk_ab').data() };
    applyActivity(cy, activity);
    // a window applied twice keeps the first full aggregates, not the first window's
    applyActivity(cy, [{ ...activity[0], count: 1 }]);
    const removed = cy.getElementById('lnk_ab').remove();
    const def = { group: 'edges' as const, data: { ...removed.data() } };
    cy.add(def);
    expect(restoreAggregates(cy)).toBe(2);
    const ab = cy.getElementById('lnk_ab');
    expect(ab.data()).toMatchObject({ count: original.count, durationS: original.durationS, width: original.width, label: original.label, firstAt: original.firstAt });
    expect(ab.data('full')).toBeUndefined();
    expect(cy.elements(`.${OUT_OF_WINDOW}`).length).toBe(0);
    expect(cy.getElementById('lnk_ac').data('count')).toBe(7);
  });
});

describe('Compare periods helpers', () => {
  it('turns inclusive dates into a half-open UTC window and refuses reversed ones', () => {
    expect(windowOfDays('2023-09-07', '2023-10-06')).toEqual({ from: '2023-09-07T00:00:00.000Z', to: '2023-10-07T00:00:00.000Z' });
    expect(windowOfDays('2023-10-06', '2023-09-07')).toBeNull();
    expect(windowOfDays('', '2023-09-07')).toBeNull();
  });

  it('takes the 30 days either side of an event day, the day itself in neither', () => {
    expect(aroundEvent('2023-10-07T00:00:00.000Z')).toEqual({ a: ['2023-09-07', '2023-10-06'], b: ['2023-10-08', '2023-11-06'] });
  });

  it('finds the entities a sentence names, whole numbers only, in order', () => {
    const names = [
      { id: 'old', label: '+51987000101' },
      { id: 'new', label: '+51987000202' },
      { id: 'prefix', label: '+5198700010' },
      { id: 'person', label: 'Li' },
    ];
    expect(namedIn('+51987000202 took over 3 of 4 contacts of +51987000101', names)).toEqual(['new', 'old']);
    expect(namedIn('Lima ↔ +5198700010 stopped', names)).toEqual(['prefix']);
    expect(namedIn('nothing here', names)).toEqual([]);
  });

  it('marks appeared, gone and successor entities and links, and clears them all', () => {
    const cy = canvas();
    const result: DiffResult = {
      entities: [
        { id: 'tel_b', type: 'Phone', label: '+886912000001', status: 'disappeared', a: { count: 9, durationS: 0 }, b: { count: 0, durationS: 0 } },
        { id: 'tel_c', type: 'Phone', label: '+886912000002', status: 'appeared', a: { count: 0, durationS: 0 }, b: { count: 9, durationS: 0 } },
        { id: 'tel_far', type: 'Phone', label: '+886900000000', status: 'rose', a: { count: 1, durationS: 0 }, b: { count: 9, durationS: 0 } },
      ],
      links: [{ id: 'lnk_ab', type: 'CALLED', from: 'tel_a', to: 'tel_b', status: 'fell', a: { count: 20, durationS: 0 }, b: { count: 2, durationS: 0 } }],
      takeovers: [{ gone: 'tel_b', successor: 'tel_c', shared: ['tel_a'], overlap: 1 }],
      lines: [],
    };
    const missing = markDiff(cy, result, (id) => (id === 'tel_b' ? '+886912000001' : id));
    expect(missing).toEqual(['tel_far']);
    expect(cy.getElementById('tel_b').hasClass('diff-disappeared')).toBe(true);
    expect(cy.getElementById('tel_c').classes()).toEqual(expect.arrayContaining(['diff-appeared', 'diff-successor']));
    expect(cy.getElementById('tel_c').data('diffBadge')).toBe('+886912000002\n↻ takes over from +886912000001');
    expect(cy.getElementById('lnk_ab').hasClass('diff-fell')).toBe(true);
    clearDiffMarks(cy);
    expect(cy.elements('.diff-appeared, .diff-disappeared, .diff-rose, .diff-fell, .diff-successor').length).toBe(0);
    expect(cy.getElementById('tel_c').data('diffBadge')).toBeUndefined();
  });
});
