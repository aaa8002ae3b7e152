// The model: ontology consistency, ids from identity keys, normalisers.
import { describe, expect, it } from 'vitest';
import {
  BatchBuilder, checkOntology, digitSuffixes, ENTITY_SPECS, ENTITY_TYPES, LINK_SPECS, LINK_TYPES, linkAllowed, luhnValid, makeId,
  normaliseCard, normaliseName, normalisePhone, sha256Hex,
} from '../../backend/src/model/index.ts';

describe('ontology', () => {
  it('is consistent and covers the required types', () => {
    expect(checkOntology()).toEqual([]);
    for (const t of ['Person', 'Organization', 'Phone', 'Device', 'BankCard', 'BankAccount', 'Address', 'Place', 'Event', 'Document']) {
      expect(ENTITY_TYPES).toContain(t);
    }
    for (const l of ['MEMBER_OF', 'LEADS', 'USES_PHONE', 'HELD_AT', 'LOCATED_IN', 'TRAVELLED_VIA', 'CALLED', 'MESSAGED', 'HAS_CONTACT', 'SEIZED_AT', 'PARTICIPATED_IN', 'TARGETED', 'MENTIONED_IN']) {
      expect(LINK_TYPES).toContain(l);
    }
  });

  it('reports a link naming an unknown entity type, and bad names', () => {
    const broken = { ...LINK_SPECS, CALLED: { ...LINK_SPECS.CALLED, to: ['Phnoe' as 'Phone'] }, bad_name: LINK_SPECS.OWNS };
    const problems = checkOntology(ENTITY_SPECS, broken);
    expect(problems).toContain('link type CALLED names unknown entity type Phnoe');
    expect(problems).toContain('link type bad_name is not UPPER_SNAKE_CASE');
  });

  it('checks endpoints', () => {
    expect(linkAllowed('USES_PHONE', 'Person', 'Phone')).toBe(true);
    expect(linkAllowed('USES_PHONE', 'Phone', 'Person')).toBe(false);
    expect(linkAllowed('CALLED', 'Person', 'Phone')).toBe(false);
  });
});

describe('ids', () => {
  it('derive from type and identity key', () => {
    expect(makeId('Phone', 'number=+60321611111')).toBe(makeId('Phone', 'number=+60321611111'));
    expect(makeId('Phone', 'x')).not.toBe(makeId('Person', 'x'));
    expect(makeId('Phone', 'x')).toMatch(/^tel_[0-9a-f]{24}$/);
  });

  it('the builder gives the same id to the same subscriber written three ways', () => {
    const b = new BatchBuilder({ sha256: sha256Hex('t'), kind: 't', name: 't', case: 'c' });
    const a = b.phone('+60 3-2161 1111', { region: 'MY', locator: '1' }).id;
    const c = b.phone('0060321611111', { region: 'PE', locator: '2' }).id;
    const d = b.phone('03-2161 1111', { region: 'MY', locator: '3' }).id;
    expect(new Set([a, c, d]).size).toBe(1);
    const batch = b.build();
    expect(batch.entities).toHaveLength(1);
    expect(batch.entities[0].locators).toEqual(['1', '2', '3']);
    expect(batch.entities[0].props.original).toBe('+60 3-2161 1111');
  });

  it('the builder refuses links the ontology forbids', () => {
    const b = new BatchBuilder({ sha256: sha256Hex('t'), kind: 't', name: 't', case: 'c' });
    const p = b.entity('Person', { key: 'p', label: 'P', locator: '1' });
    const ph = b.phone('+51 1 555 0000', { locator: '1' }).id;
    expect(() => b.link('USES_PHONE', ph, p, '1')).toThrow(/cannot join Phone to Person/);
    expect(() => b.link('MEMBER_OF', p, 'org_missing', '1')).toThrow(/not defined in this source/);
  });
});

describe('normalisers', () => {
  it.each([
    ['+60 3-2161 1111', 'MY', '+60321611111', 'e164'],
    ['0060321611111', 'PE', '+60321611111', 'e164'],
    ['03-2161 1111', 'MY', '+60321611111', 'e164'],
    ['+60\u00a03\u20092161\u202f1111', undefined, '+60321611111', 'e164'],
    ['60123456789@s.whatsapp.net', 'PE', '+60123456789', 'e164'],
    ['tel:+51-1-555-0000', undefined, '+5115550000', 'e164'],
    ['987 654 321', 'PE', '+51987654321', 'e164'],
    ['15888', 'MY', 'short:MY:15888', 'short'],
    ['MAYBANK', 'MY', 'alpha:MAYBANK', 'alpha'],
  ])('normalises %s (region %s) to %s', (input, region, key, kind) => {
    const n = normalisePhone(input, region);
    expect(n.key).toBe(key);
    expect(n.kind).toBe(kind);
    expect(n.original).toBe(input);
  });

  it('keeps withheld numbers apart by scope', () => {
    const a = normalisePhone('Private', 'PE', 'file1:row1');
    const b = normalisePhone('Private', 'PE', 'file1:row2');
    expect(a.kind).toBe('withheld');
    expect(a.key).not.toBe(b.key);
    expect(normalisePhone('', 'PE', 's').kind).toBe('withheld');
  });

  it('short codes, alphanumeric senders and numbers never share a key', () => {
    const keys = ['15888', 'BANK15888', '+6015888', 'unknown'].map((x) => normalisePhone(x, 'MY', 's').key);
    expect(new Set(keys).size).toBe(4);
  });

  it('validates cards with Luhn and keeps only masked digits and a keyed hash', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    const c = normaliseCard('4111 1111 1111 1111', 'secret-one-0123456789');
    expect(c.masked).toBe('411111••••••1111');
    expect(JSON.stringify(c)).not.toContain('4111111111111111');
    expect(c.cardHash).toMatch(/^[0-9a-f]{64}$/);
    expect(normaliseCard('4111111111111111', 'secret-two-0123456789').cardHash).not.toBe(c.cardHash);
    expect(() => normaliseCard('4111 1111 1111 1112', 's')).toThrow(/Luhn/);
  });

  it('folds names', () => {
    expect(normaliseName('  José  PÉREZ ')).toBe('jose perez');
    expect(normaliseName('Chén\u3000Dàlóng')).toBe('chen dalong');
  });

  it('indexes digit suffixes for partial-number search', () => {
    expect(digitSuffixes('+60321611111')).toContain('21611111');
    expect(digitSuffixes('+60321611111')).not.toContain('111');
  });
});
