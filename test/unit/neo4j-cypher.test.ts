// Every Cypher statement of the Neo4j adapter (templates expanded for every ontology type) and the three
// investigator queries of docs/neo4j.md go through Neo4j's own parser and semantic analysis, offline.
import { lintCypherQuery, testData, type DbSchema } from '@neo4j-cypher/language-support';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENTITY_TYPES, LINK_TYPES } from '../../backend/src/model/index.ts';
import {
  LABELS, PROPERTY_KEYS, Q, RELATIONSHIP_TYPES, SCHEMA, T, allStatements, entityLabel, linkIdIndex, relType,
} from '../../backend/src/storage/neo4j/cypher.ts';

/** The parameters the statements may use: a typo in a statement ($sorceId) is an error. */
const PARAMETERS = [
  'seconds', 'version', 'next', 'id', 'ids', 'props', 'set', 'rows', 'sourceId', 'query', 'types', 'limit',
  'frontier', 'from', 'linkTypes', 'entityTypes', 'case', 'minDevices', 'entityId', 'kind',
  'to', 'dateKey', 'cases',
];

function schema(extraKeys: string[] = [], defaultLanguage: 'CYPHER 5' | 'CYPHER 25' = 'CYPHER 5'): DbSchema {
  return {
    labels: [...LABELS],
    relationshipTypes: [...RELATIONSHIP_TYPES],
    propertyKeys: [...PROPERTY_KEYS, ...extraKeys],
    parameters: Object.fromEntries(PARAMETERS.map((p) => [p, null])),
    // the procedure and function signatures of a real server, shipped with the package (YIELD columns are checked)
    procedures: testData.mockSchema.procedures,
    functions: testData.mockSchema.functions,
    defaultLanguage,
  };
}

interface Finding { severity: number; message: string }
function lint(query: string, s: DbSchema): { errors: Finding[]; warnings: Finding[] } {
  const all = lintCypherQuery(query, s).diagnostics.map((d) => ({ severity: d.severity ?? 0, message: typeof d.message === 'string' ? d.message : d.message.value }));
  return { errors: all.filter((d) => d.severity === 1), warnings: all.filter((d) => d.severity !== 1) };
}

const STATEMENTS = allStatements();

describe('Neo4j adapter Cypher, linted by Neo4j\'s semantic analysis (Cypher 5)', () => {
  it.each(STATEMENTS)('$name', ({ query }) => {
    const { errors, warnings } = lint(query, schema());
    expect(errors).toEqual([]);
    // no warnings either: unknown labels, types or property keys (typos) and deprecated syntax all fail
    expect(warnings).toEqual([]);
  });

  // Neo4j 2025.x databases may default to Cypher 25: the same statements must parse there too (per-type
  // templates differ only in the enum value spliced in, so one representative of each is enough here)
  const representatives = STATEMENTS.filter((s) => !/^T\.\w+\((?!Person\)|MEMBER_OF\))/.test(s.name) && !/^SCHEMA\[\d+\]$/.test(s.name) || s.query.includes('link_id_MEMBER_OF') || /FULLTEXT|CONSTRAINT entity_id/.test(s.query));
  it.each(representatives)('$name is also valid Cypher 25', ({ query }) => {
    expect(lint(query, schema([], 'CYPHER 25')).errors).toEqual([]);
  });

  it('expands every template for every ontology label and relationship type', () => {
    const names = new Set(STATEMENTS.map((s) => s.name));
    for (const t of ENTITY_TYPES) expect(names).toContain(`T.createEntities(${t})`);
    for (const t of LINK_TYPES) {
      for (const tpl of ['linksById', 'createLinks', 'updateLinks', 'visibleLinks']) expect(names).toContain(`T.${tpl}(${t})`);
      expect(SCHEMA).toContain(linkIdIndex(t));
    }
    // every Q statement and template function is in the list the lint runs over
    for (const k of Object.keys(Q)) expect(names).toContain(`Q.${k}`);
    for (const k of Object.keys(T)) expect([...names].some((n) => n.startsWith(`T.${k}(`))).toBe(true);
  });

  it('the linter does catch mistakes (so a clean run means something)', () => {
    expect(lint('MATCH (n:Entity {id: $id}) RETURN m', schema()).errors.length).toBeGreaterThan(0);
    expect(lint('MATCH (n:Entity) RETURN n.id ORDER BY x', schema()).errors.length).toBeGreaterThan(0);
    expect(lint('RETURN $notAParameter', schema()).errors.length).toBeGreaterThan(0);
    expect(lint("CALL db.index.fulltext.queryNodes('x', $query) YIELD nodes RETURN nodes", schema()).errors.length).toBeGreaterThan(0);
    expect(lint('MATCH (n:Entity) RETURN n.lable', schema()).warnings.length).toBeGreaterThan(0);
    expect(lint('MATCH (n:Persn) RETURN n', schema()).warnings.length).toBeGreaterThan(0);
  });

  it('creates its schema idempotently: a uniqueness constraint on Entity.id and a full-text index', () => {
    expect(SCHEMA).toContain('CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE');
    expect(SCHEMA.some((s) => /^CREATE FULLTEXT INDEX entity_search IF NOT EXISTS FOR \(n:Entity\)/.test(s))).toBe(true);
    for (const s of SCHEMA) expect(s).toMatch(/^CREATE (CONSTRAINT|INDEX|FULLTEXT INDEX) \w+ IF NOT EXISTS /);
  });
});

describe('labels and relationship types come only from the ontology enum', () => {
  const hostile = ['Person`) DETACH DELETE n //', 'Person:Admin', 'person', '', 'CALLED]->() DETACH DELETE r //', 'Entity', 'ASSERTS', 42, null];

  it.each(hostile.map((v) => ({ v })))('refuses $v before a statement exists', ({ v }) => {
    expect(() => entityLabel(v)).toThrow(expect.objectContaining({ code: 'import_failed' }));
    expect(() => relType(v)).toThrow(expect.objectContaining({ code: 'import_failed' }));
    expect(() => T.createEntities(v as never)).toThrow(/not in the ontology/);
    expect(() => T.createLinks(v as never)).toThrow(/not in the ontology/);
    expect(() => T.linksById(v as never)).toThrow(/not in the ontology/);
    expect(() => T.updateLinks(v as never)).toThrow(/not in the ontology/);
    expect(() => linkIdIndex(v as never)).toThrow(/not in the ontology/);
  });

  it('ontology names are plain identifiers, so the only text spliced into Cypher needs no quoting', () => {
    for (const t of [...ENTITY_TYPES, ...LINK_TYPES]) expect(t).toMatch(/^[A-Za-z][A-Za-z_]*$/);
  });

  it('no statement carries a quoted label or a value literal other than fixed markers', () => {
    for (const { query } of STATEMENTS) {
      expect(query).not.toContain('`' + 'Person'); // labels are never backtick-quoted (nothing needs quoting)
      // string literals are only our own fixed words (index name, meta keys, how a number was seen, analyzer config)
      const literals = query.match(/'[^']*'/g) ?? [];
      for (const l of literals) expect(l).toMatch(/^'(entity_search|schema|sequence|contact|owner|call|message|CALLED|Phone|Account|Email|unicode_whitespace|Person|Group|Organization|Device|BankCard|BankAccount|Address|Place|Event|Document|Asset|Vehicle)'$/);
    }
  });
});

describe('docs/neo4j.md investigator queries', () => {
  const md = readFileSync(join(import.meta.dirname, '../../docs/neo4j.md'), 'utf8');
  const queries = [...md.matchAll(/```cypher\n([\s\S]*?)```/g)].map((m) => m[1].trim());

  it('has the three queries: phones two hops from Red Dragon, shortest path, devices sharing a contact', () => {
    expect(queries).toHaveLength(3);
    expect(queries[0]).toContain("'Red Dragon'");
    expect(queries[1]).toContain('shortestPath');
    expect(queries[2]).toMatch(/\(d1:Device\)-\[\w*:HAS_CONTACT\]->\(p:Phone\)<-\[\w*:HAS_CONTACT\]-\(d2:Device\)/);
    // the shortest path may follow every link type and nothing else
    expect(queries[1]).toContain(`[:${LINK_TYPES.join('|')}*`);
  });

  it.each([0, 1, 2])('query %i passes semantic analysis', (i) => {
    const { errors, warnings } = lint(queries[i], schema(['p_name']));
    expect(errors).toEqual([]);
    expect(warnings.filter((w) => /not present in the database/.test(w.message))).toEqual([]);
  });
});
