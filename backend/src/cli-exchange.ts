// `casegraph export` and `casegraph open`, called from cli.ts:
//   casegraph export --format snapshot|graphml|gexf|cyjs|csv|ftm [--case NAME] [--ids ID,ID…] [--no-redact [--reason TEXT]] -o FILE [--json]
//   casegraph open FILE [--case NAME] [--json]
// A progress line goes to stderr; the result to stdout (text, or JSON with --json). Exports are recorded
// in the annotation log like API exports (who = $USER).
import { audited, cliActor } from './auth/audited.ts';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from './errors.ts';
import { EXPORT_FORMATS, type ExportFormat } from './exchange/formats.ts';
import { DEFAULT_CASE, type Runtime } from './main.ts';
import { ExportService } from './services/export.service.ts';

export interface CliIo {
  out(s: string): void;
  err(s: string): void;
}

const stdio: CliIo = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

export interface ExportArgs {
  format?: string;
  case?: string;
  /** comma-separated entity ids (a view) */
  ids?: string;
  /** --no-redact: write victims' names and numbers (recorded as an unredaction) */
  noRedact?: boolean;
  reason?: string;
  /** -o / --output */
  output?: string;
  json?: boolean;
  quiet?: boolean;
}

export const EXCHANGE_USAGE = `  casegraph export --format ${EXPORT_FORMATS.join('|')} [--case NAME] [--ids ID,…] [--no-redact [--reason TEXT]] -o FILE [--json]
                                       export a case, a view or the whole store; victims are redacted unless --no-redact
                                       (recorded, with --reason); every export is recorded with its SHA-256
  casegraph open FILE [--case NAME] [--json]
                                       open a snapshot (or a Casegraph GraphML / Cytoscape JSON / FtM export): its facts
                                       with their original sources; opening twice changes nothing
`;

function service(rt: Runtime): ExportService {
  return new ExportService({ store: rt.store, defaultCase: DEFAULT_CASE, region: rt.config.region, generator: 'Casegraph CLI' });
}

const who = () => process.env.USER ?? 'cli';

export async function runExport(rt: Runtime, args: ExportArgs, io: CliIo = stdio): Promise<number> {
  const format = args.format as ExportFormat;
  if (!format || !EXPORT_FORMATS.includes(format)) throw new AppError('bad_request', `--format must be one of ${EXPORT_FORMATS.join(', ')}`);
  if (!args.output) throw new AppError('bad_request', 'give the file to write with -o FILE');
  const ids = args.ids ? [...new Set(args.ids.split(',').map((s) => s.trim()).filter(Boolean))] : undefined;
  const started = Date.now();
  if (!args.quiet) io.err(`export ${format}: collecting ${ids ? `${ids.length} entities` : args.case ? `case ${args.case}` : 'the whole store'}…\n`);
  const prepared = await service(rt).prepare({ format, case: args.case, ids, redactVictims: !args.noRedact, reason: args.reason }, who());
  if (!args.quiet) io.err(`export ${format}: writing ${prepared.counts.entities.toLocaleString('en')} entities, ${prepared.counts.links.toLocaleString('en')} links, ${prepared.counts.events.toLocaleString('en')} events from ${prepared.counts.sources} source(s)…\n`);
  const out = createWriteStream(args.output, { flags: 'w', mode: 0o600 });
  const rec = await audited((e) => rt.auth.audit(e), { actor: cliActor(), action: 'export', case: args.case, target: args.output, details: { format, ids: ids?.length, redacted: !args.noRedact, reason: args.reason } }, async () => {
    try {
      return await prepared.write(out);
    } catch (err) {
      await rm(args.output!, { force: true });
      throw err;
    }
  }, (r) => ({ details: { sha256: r.sha256, bytes: r.bytes, entities: r.counts.entities, links: r.counts.links } }));
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const human = `${args.output}: ${format}, ${rec.counts.entities} entities, ${rec.counts.links} links, ${rec.counts.events} events, ${rec.counts.sources} source(s); ` +
    `${rec.bytes.toLocaleString('en')} bytes, sha256 ${rec.sha256}; ${rec.redacted ? `${rec.victims} victim(s) redacted` : 'NOT REDACTED (recorded)'}; ${seconds} s`;
  io.out(args.json ? `${JSON.stringify({ ...rec, output: args.output }, null, 2)}\n` : `${human}\n`);
  return 0;
}

export async function runOpen(rt: Runtime, path: string, args: { case?: string; json?: boolean; quiet?: boolean } = {}, io: CliIo = stdio): Promise<number> {
  if (!path) throw new AppError('bad_request', 'usage: casegraph open FILE [--case NAME] [--json]');
  const started = Date.now();
  if (!args.quiet) io.err(`open ${basename(path)}: checking…\n`);
  const r = await audited((e) => rt.auth.audit(e), { actor: cliActor(), action: 'snapshot.open', case: args.case, details: { file: basename(path) } },
    () => service(rt).openPath(path, basename(path), { case: args.case, by: who() }),
    (o) => ({ target: o.sha256, case: o.result.sources[0]?.case, details: { format: o.format, status: o.result.status, sources: o.result.sources.length } }));
  const t = r.result;
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const lines = [
    `${r.file} (${r.format}${r.provenance === 'original' ? ', original sources kept' : ', the file is the source'}): ${t.status === 'applied' ? 'opened' : 'already in the store; nothing changed'}`,
    ...t.sources.map((s) => `  ${s.status === 'applied' ? '+' : '='} ${s.name} (case ${s.case}, sha256 ${s.sha256.slice(0, 12)}…)${s.status === 'applied' ? `: entities ${s.entities.created} created, ${s.entities.merged} merged; links ${s.links.created}/${s.links.merged}; events ${s.events.created}/${s.events.merged}` : ': already there'}`),
    ...(t.merges ? [`  ${t.merges} merge(s) restored`] : []),
    ...(r.entityIds ? [`  view: ${r.entityIds.length} entities`] : []),
    ...t.warnings.slice(0, 20).map((w) => `  warning: ${w}`),
    `  ${seconds} s`,
  ];
  io.out(args.json ? `${JSON.stringify(r, null, 2)}\n` : `${lines.join('\n')}\n`);
  return 0;
}
