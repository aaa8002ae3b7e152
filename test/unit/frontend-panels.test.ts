// Pure parts of the explorer's panels: which types the expand filter offers for an entity type, how a
// filter is described in notices, and which user names can be sent to the server.
import { describe, expect, it } from 'vitest';
import { describeFilter, relevantTypes } from '../../frontend/src/panels/expand-filter.ts';
import { userNameProblem } from '../../frontend/src/panels/user.ts';
import { ENTITY_TYPES, LINK_SPECS, LINK_TYPES } from '../../backend/src/model/ontology.ts';
import { SHORTCUTS } from '../../frontend/src/panels/help.ts';

describe('expand filter', () => {
  it('offers only link types that can touch the entity type, and the types at their other end', () => {
    const phone = relevantTypes('Phone');
    expect(phone.links).toEqual(expect.arrayContaining(['CALLED', 'MESSAGED', 'USES_PHONE', 'HAS_CONTACT']));
    expect(phone.links).not.toContain('MEMBER_OF');
    expect(phone.links).not.toContain('LEADS');
    for (const l of phone.links) {
      const spec = LINK_SPECS[l as (typeof LINK_TYPES)[number]];
      expect((spec.from as readonly string[]).includes('Phone') || (spec.to as readonly string[]).includes('Phone')).toBe(true);
    }
    // in ontology order
    expect(phone.entities).toEqual(ENTITY_TYPES.filter((t) => phone.entities.includes(t)));
    expect(relevantTypes('Place').links).toContain('LOCATED_IN');
  });

  it('describes a filter briefly, and nothing when nothing is filtered', () => {
    expect(describeFilter({})).toBe('');
    expect(describeFilter({ entityTypes: ['Phone', 'Person'], linkTypes: ['CALLED'] })).toBe('Phone, Person · CALLED');
  });
});

describe('user name', () => {
  it.each([
    ['local', null],
    ['Inspectora Muñoz', null],
    ['a.b_c@d-e 2', null],
    ['', 'Type a name.'],
    ['x'.repeat(121), 'At most 120 characters.'],
    ['<b>', 'Letters, digits, spaces and . _ @ - only.'],
    ['Łukasz', 'Use Latin letters (accents are fine): the name travels in an HTTP header.'],
  ])('%s → %s', (name, problem) => {
    expect(userNameProblem(name)).toBe(problem);
  });
});

describe('shortcuts', () => {
  it('lists each key combination once', () => {
    const keys = SHORTCUTS.flatMap((g) => g.items.map((s) => s.keys.join('+')));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
