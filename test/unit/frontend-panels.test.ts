// Pure parts of the explorer's panels: which types the expand filter offers for an entity type, how a
// filter is described in notices, what each role is offered, the sign-in and password messages, and the
// admin view's filters and summaries.
import { describe, expect, it } from 'vitest';
import { describeFilter, relevantTypes } from '../../frontend/src/panels/expand-filter.ts';
import { describeCases, passwordChangeProblem, refusedTitle, roleCan } from '../../frontend/src/panels/user.ts';
import { formatWait, signInErrorText } from '../../frontend/src/panels/sign-in.ts';
import { auditFilterFrom, dayAfter, parseCaseList, summariseDetails } from '../../frontend/src/panels/admin.ts';
import { ApiError, type Role } from '../../frontend/src/api.ts';
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

describe('roles in the explorer', () => {
  it('offers writes and exports to analysts and admins, the admin view to admins only, nothing but reading to viewers', () => {
    expect(['admin', 'analyst', 'viewer'].map((r) => [roleCan(r as Role, 'write'), roleCan(r as Role, 'export'), roleCan(r as Role, 'admin')])).toEqual([
      [true, true, true],
      [true, true, false],
      [false, false, false],
    ]);
    expect(refusedTitle('viewer', 'import')).toBe('Your role (viewer) cannot import');
  });

  it('describes the granted cases', () => {
    expect(describeCases('all')).toBe('All cases');
    expect(describeCases([])).toBe('No case granted yet');
    expect(describeCases(['lima-2023', 'quito'])).toBe('Cases: lima-2023, quito');
  });

  it.each([
    ['', 'a-long-new-password', 'a-long-new-password', 'Type your current password.'],
    ['old password 1', 'short', 'short', 'The new password needs at least 12 characters.'],
    ['old password 1', 'a-long-new-password', 'a-long-new-passwort', 'The two new passwords differ.'],
    ['old password 1', 'old password 1', 'old password 1', 'The new password is the same as the current one.'],
    ['old password 1', 'a-long-new-password', 'a-long-new-password', null],
  ])('password change %#', (current, next, repeat, problem) => {
    expect(passwordChangeProblem(current, next, repeat)).toBe(problem);
  });
});

describe('sign-in messages', () => {
  it('says a wrong password, and how long to wait after too many attempts', () => {
    expect(signInErrorText(new ApiError('unauthorized', 401, 'wrong user name or password'))).toBe('Wrong user name or password.');
    expect(signInErrorText(new ApiError('too_many_requests', 429, 'too many', { retryAfterSeconds: 75 }))).toBe('Too many failed sign-ins: wait 1 min 15 s and try again.');
    expect(signInErrorText(new ApiError('too_many_requests', 429, 'too many'))).toBe('Too many failed sign-ins: wait a few minutes and try again.');
    expect(signInErrorText(new ApiError('network', 0, 'Cannot reach the Casegraph server (down)'))).toBe('Cannot reach the Casegraph server (down)');
  });

  it.each([
    [0.2, '1 s'],
    [30, '30 s'],
    [60, '1 min'],
    [75, '1 min 15 s'],
    [900, '15 min'],
    [901, '16 min'],
  ])('waits %s s → %s', (seconds, text) => {
    expect(formatWait(seconds)).toBe(text);
  });
});

describe('admin view', () => {
  it('turns the filter fields into the API filter: blanks dropped, the "to" day included', () => {
    expect(auditFilterFrom({ actor: ' ', action: 'auth.login', outcome: '', case: '', from: '', to: '' })).toEqual({ action: 'auth.login' });
    expect(auditFilterFrom({ actor: 'ana', outcome: 'refused', case: 'lima-2023', from: '2024-02-28', to: '2024-02-29' })).toEqual({
      actor: 'ana',
      outcome: 'refused',
      case: 'lima-2023',
      from: '2024-02-28',
      to: '2024-03-01',
    });
    expect(auditFilterFrom({ outcome: 'maybe' })).toEqual({});
    expect(dayAfter('2023-12-31')).toBe('2024-01-01');
  });

  it('summarises details on one line, cut when long', () => {
    expect(summariseDetails(undefined)).toBe('');
    expect(summariseDetails({ role: 'analyst', cases: ['lima-2023', 'quito'], firstStart: true })).toBe('role: analyst · cases: lima-2023, quito · firstStart: true');
    expect(summariseDetails({ filter: { action: 'auth' } })).toBe('filter: {"action":"auth"}');
    const long = summariseDetails({ reason: 'x'.repeat(500) }, 40);
    expect(long).toHaveLength(40);
    expect(long.endsWith('…')).toBe(true);
  });

  it('reads a typed case list', () => {
    expect(parseCaseList(' lima-2023, quito ,,lima-2023\nbogotá ')).toEqual(['lima-2023', 'quito', 'bogotá']);
    expect(parseCaseList('')).toEqual([]);
  });
});

describe('shortcuts', () => {
  it('lists each key combination once', () => {
    const keys = SHORTCUTS.flatMap((g) => g.items.map((s) => s.keys.join('+')));
    expect(new Set(keys).size).toBe(keys.length);
  });
});
