// CSV for spreadsheets and Gephi's spreadsheet import, in one zip (fflate, streamed): nodes.csv
// (Id, Label, entity_type, a column per prop, provenance), edges.csv (Id, Source, Target, Type=Directed,
// Label, link_type, Weight, aggregates, a column per prop, provenance), events.csv (each call/message),
// sources.csv (every source with its file sha256) and README.txt. Every cell is formula-neutralised and
// RFC 4180-quoted (csv-safe.ts). CSV is export-only: types are not kept, Casegraph does not read it back.
import { ZipDeflate, Zip } from 'fflate';
import { propColumns } from '../columns.ts';
import { csvRow } from '../csv-safe.ts';
import { readableProvenance } from '../gexf/gexf.writer.ts';
import type { GraphWriteOptions } from '../graphml/graphml.writer.ts';
import { encodeValue } from '../props-codec.ts';
import { aggregate, eventsByLink, scopeCounts, type Scope } from '../scope.ts';
import type { Sink } from '../sink.ts';

const enc = new TextEncoder();

export async function writeCsvZip(scope: Scope, sink: Sink, o: GraphWriteOptions): Promise<void> {
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else sink.writeBytes(chunk);
  });
  const mtime = new Date(o.meta.createdAt);
  const file = async (name: string, rows: () => Iterable<string>) => {
    const f = new ZipDeflate(name, { level: 6 });
    f.mtime = mtime;
    zip.add(f);
    let buf = '';
    for (const r of rows()) {
      buf += r;
      if (buf.length >= 256 * 1024) {
        f.push(enc.encode(buf));
        buf = '';
        if (failure) throw failure;
        await sink.ready();
      }
    }
    f.push(enc.encode(buf), true);
    await sink.ready();
  };
  const cols = propColumns(scope, false);
  const byLink = eventsByLink(scope);
  const prov = (p: Parameters<typeof readableProvenance>[1]) => JSON.stringify(readableProvenance(scope, p));
  const value = (v: unknown, kind: Parameters<typeof encodeValue>[1]) => (v === undefined ? '' : kind === 'json' && typeof v === 'string' ? v : encodeValue(v, kind));

  await file('nodes.csv', function* () {
    yield csvRow(['Id', 'Label', 'entity_type', ...cols.node.map((c) => c.column), 'provenance']);
    for (const e of scope.entities.values()) yield csvRow([e.id, e.label, e.type, ...cols.node.map((c) => value(e.props[c.prop], c.kind)), prov(e.prov)]);
  });
  await file('edges.csv', function* () {
    yield csvRow(['Id', 'Source', 'Target', 'Type', 'Label', 'link_type', 'Weight', 'count', 'duration_s', 'first_at', 'last_at', ...cols.edge.map((c) => c.column), 'provenance']);
    for (const l of scope.links.values()) {
      const a = aggregate(byLink.get(l.id));
      yield csvRow([l.id, l.from, l.to, 'Directed', l.type, l.type, a?.count ?? 1, a?.count, a?.durationS, a?.firstAt, a?.lastAt, ...cols.edge.map((c) => value(l.props[c.prop], c.kind)), prov(l.prov)]);
    }
  });
  await file('events.csv', function* () {
    yield csvRow(['Id', 'link_id', 'link_type', 'Source', 'Target', 'kind', 'at_utc', 'duration_s', 'deleted', 'as_written', 'props', 'provenance']);
    for (const ev of scope.events.values()) {
      yield csvRow([ev.id, ev.linkId, scope.links.get(ev.linkId)?.type, ev.from, ev.to, ev.kind, ev.at, ev.durationS, ev.deleted, ev.original, Object.keys(ev.props).length ? JSON.stringify(ev.props) : '', prov(ev.prov)]);
    }
  });
  await file('sources.csv', function* () {
    yield csvRow(['index', 'name', 'kind', 'case', 'sha256', 'imported_at', 'imported_by', 'title']);
    for (const [i, s] of scope.sources.entries()) yield csvRow([i, s.name, s.kind, s.case, s.sha256, s.importedAt, s.importedBy, s.title]);
  });
  const c = scopeCounts(scope);
  await file('README.txt', function* () {
    yield [
      `Casegraph CSV export (${o.meta.generator}), ${o.meta.createdAt}, by ${o.meta.createdBy}`,
      `Scope: ${o.meta.scope.kind}${o.meta.scope.case ? ` ${o.meta.scope.case}` : ''}; ${c.entities} entities, ${c.links} links, ${c.events} events from ${c.sources} sources.`,
      o.meta.redacted ? `Victims redacted: ${o.meta.victimsRedacted} (names, identifiers and the numbers/accounts they use are pseudonymised).` : 'NOT REDACTED: this export names victims. Handle accordingly.',
      'Files are UTF-8 without a byte-order mark (in Excel: Data > From Text/CSV, UTF-8). nodes.csv / edges.csv open in Gephi (Data Laboratory > Import Spreadsheet).',
      "Cells that a spreadsheet would run as a formula (starting with = + - @) are prefixed with ' (so +51… numbers show as '+51…).",
      'provenance: JSON list of {source, kind, sha256 of the source file, case, importedAt, locators} per row; sources.csv lists every source.',
      '',
    ].join('\r\n');
  });
  zip.end();
  if (failure) throw failure;
}
