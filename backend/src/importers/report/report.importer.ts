// Case report importer: a YAML (or JSON) file written from a report, every fact with its locator.
// The report itself becomes a Document entity; each entity and link is MENTIONED_IN-free by design
// (provenance lives on the source record) so the overview is not a star around the document.
import { readFile } from 'node:fs/promises';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type { ZodError } from 'zod';
import { importError } from '../../errors.ts';
import { BatchBuilder, ModelError, normaliseCard, type Batch, type EntityType, type LinkType, type Props } from '../../model/index.ts';
import { whole, type ImportContext, type Importer, type ImportInput } from '../types.ts';
import { ReportFile } from './report.schema.ts';

export const MAX_REPORT_BYTES = 10 * 1024 * 1024;

export const reportImporter: Importer = {
  format: 'report',
  description: 'Casegraph case report (YAML or JSON, `casegraph: report/1`)',
  detect(head, name) {
    const text = head.toString('utf8', 0, Math.min(head.length, 4096));
    return /(^|\n)\s*casegraph:\s*["']?report\/1/.test(text) || /"casegraph"\s*:\s*"report\/1"/.test(text) || /\.report\.(ya?ml|json)$/i.test(name);
  },
  async parse(input, ctx) {
    if (input.size > MAX_REPORT_BYTES) throw importError(input.name, '', `report files are limited to ${MAX_REPORT_BYTES / 1024 / 1024} MiB`);
    const text = await readFile(input.path, 'utf8');
    return whole(parseReportText(text, input, ctx));
  },
};

export function parseReportText(text: string, input: Pick<ImportInput, 'name' | 'sha256'>, ctx: ImportContext): Batch {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const pos = lines.linePos(e.pos[0]);
    throw importError(input.name, `line ${pos.line}:${pos.col}`, e.message.split('\n')[0]);
  }
  let plain: unknown;
  try {
    plain = doc.toJS({ maxAliasCount: 50 });
  } catch (err) {
    // yaml refuses alias expansion bombs ("billion laughs") here
    throw importError(input.name, '', `refused: ${(err as Error).message}`);
  }
  const parsed = ReportFile.safeParse(plain);
  if (!parsed.success) throw zodToImportError(parsed.error, input.name, doc, lines);
  const report = parsed.data;
  const caseName = ctx.case ?? report.case;
  const at = (path: (string | number)[]) => positionOf(path, doc, lines);

  const b = new BatchBuilder({
    sha256: input.sha256, kind: 'report', name: input.name, case: caseName, title: report.document.title, importedBy: ctx.importedBy,
  });
  const docProps: Props = { kind: 'report', sha256: input.sha256 };
  for (const k of ['publisher', 'author', 'published', 'url', 'language', 'note'] as const) if (report.document[k]) docProps[k] = report.document[k]!;
  const documentId = b.entity('Document', { label: report.document.title, props: docProps, locator: 'document' });
  b.source.documentId = documentId;

  const refs = new Map<string, string>();
  report.entities.forEach((e, i) => {
    const where = `entities[${i}]`;
    if (refs.has(e.ref)) throw importError(input.name, `${where}.ref${at(['entities', i, 'ref'])}`, `ref "${e.ref}" is used twice`);
    const props: Props = { ...(e.props ?? {}) };
    if (e.role) props.role = e.role;
    if (e.date) props.date = e.date;
    if (e.lat !== undefined && e.lon !== undefined) Object.assign(props, { lat: e.lat, lon: e.lon });
    const locator = e.at;
    try {
      let id: string;
      const type = e.type as EntityType;
      if (type === 'Phone') {
        if (!e.number) throw new ModelError('a Phone needs `number`');
        id = b.phone(e.number, { region: report.region ?? ctx.defaultRegion, locator, label: e.label, props }).id;
      } else if (type === 'BankCard' && e.number) {
        const card = normaliseCard(e.number, ctx.secret);
        id = b.entity(type, { label: e.label, props: { ...props, masked: card.masked, cardHash: card.cardHash, last4: card.last4 }, aliases: e.aliases, locator });
      } else {
        if (e.number) throw new ModelError('`number` is only for Phone and BankCard');
        if (e.imei) props.imei = e.imei;
        id = b.entity(type, { key: e.key ?? `${caseName}/${e.ref}`, label: e.label, props, aliases: e.aliases, locator });
      }
      refs.set(e.ref, id);
    } catch (err) {
      if (err instanceof Error) throw importError(input.name, `${where}${at(['entities', i])}`, err.message);
      throw err;
    }
  });
  report.links.forEach((l, i) => {
    const where = `links[${i}]`;
    const from = refs.get(l.from);
    const to = refs.get(l.to);
    if (!from) throw importError(input.name, `${where}.from${at(['links', i, 'from'])}`, `unknown ref "${l.from}"`);
    if (!to) throw importError(input.name, `${where}.to${at(['links', i, 'to'])}`, `unknown ref "${l.to}"`);
    try {
      b.link(l.type as LinkType, from, to, l.at, l.props ?? {});
    } catch (err) {
      throw importError(input.name, `${where}${at(['links', i])}`, (err as Error).message);
    }
  });
  return b.build();
}

/** ` (line N)` for a path in the YAML document, or '' when the node cannot be found. */
function positionOf(path: (string | number)[], doc: Document, lines: LineCounter): string {
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  const offset = node && typeof node === 'object' && 'range' in node ? node.range?.[0] : undefined;
  if (offset === undefined) return '';
  return ` (line ${lines.linePos(offset).line})`;
}

function zodToImportError(error: ZodError, file: string, doc: Document, lines: LineCounter) {
  const issue = error.issues[0];
  const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
  const dotted = path.reduce<string>((acc, p) => (typeof p === 'number' ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
  let where = path;
  // for a missing key, point at the object that lacks it
  while (where.length > 0 && !doc.hasIn(where)) where = where.slice(0, -1);
  const line = where.length > 0 || isMap(doc.contents) ? positionOf(where, doc, lines) : '';
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem${error.issues.length > 2 ? 's' : ''})` : '';
  return importError(file, `${dotted || '(root)'}${line}`, `${issue.message}${more}`, {
    issues: error.issues.slice(0, 50).map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  });
}
