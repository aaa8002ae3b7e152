// The `casegraph` command: serve, import, stats — so scripted users need no browser.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import type { CdrMappingInput } from './importers/cdr/cdr.mapping.ts';
import { ConfigError, ENV_DOCS, loadConfig, type Config } from './config.ts';
import { EXCHANGE_USAGE, runExport, runOpen } from './cli-exchange.ts';
import { copyStore } from './services/copy.service.ts';
import { openStore } from './storage/open-store.ts';
import { AppError } from './errors.ts';
import { closeRuntime, openAuth, openRuntime, serve } from './main.ts';
import { leanHeap } from './lean-heap.ts';
import { runUser, terminalUserIo, USER_USAGE } from './cli-users.ts';
import { audited, cliActor } from './auth/audited.ts';

const USAGE = `casegraph — investigative link-graph explorer

Usage:
  casegraph serve                      start the API and explorer (loads the Lima case on first start)
  casegraph import <file> [--case NAME] [--format FMT] [--mapping NAME | --mapping-file FILE]
                   [--device-imei IMEI] [--device-number MSISDN] [--json]
                                       import a file with a progress line on stderr; exits 1 when refused
  casegraph mappings [--json]          list saved CDR column mappings
  casegraph copy --from embedded --to neo4j [--case NAME] [--json]
                                       copy every source (entities, links, events, provenance) and the
                                       annotation log between stores; idempotent, a line per source
  casegraph stats [--json]             counts of entities, links, events, sources, cases
${USER_USAGE}
${EXCHANGE_USAGE}
  casegraph help                       this text

Environment:
${Object.entries(ENV_DOCS).map(([k, v]) => `  ${k.padEnd(24)}${v}`).join('\n')}
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      case: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean', default: false },
      mapping: { type: 'string' }, 'mapping-file': { type: 'string' }, 'device-imei': { type: 'string' }, 'device-number': { type: 'string' }, quiet: { type: 'boolean', short: 'q', default: false },
      from: { type: 'string' }, to: { type: 'string' },
      output: { type: 'string', short: 'o' }, 'no-redact': { type: 'boolean', default: false }, reason: { type: 'string' }, ids: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false }, dev: { type: 'boolean', default: false },
      role: { type: 'string' }, cases: { type: 'string' }, 'password-stdin': { type: 'boolean', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command || command === 'help') {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const out = (human: string, data: unknown) => process.stdout.write(values.json ? `${JSON.stringify(data, null, 2)}\n` : `${human}\n`);

  switch (command) {
    case 'serve': {
      const rt = await openRuntime();
      const server = await serve(rt);
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : rt.config.port;
      const host = rt.config.host.includes(':') ? `[${rt.config.host}]` : rt.config.host;
      process.stdout.write(`Casegraph listening on http://${host}:${port} (store: ${rt.store.kind}, data: ${rt.config.dataDir})\n`);
      const stop = () => {
        server.close();
        void closeRuntime(rt).then(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return -1; // keep running
    }
    case 'import': {
      if (rest.length !== 1) throw new AppError('bad_request', 'usage: casegraph import <file> [--case NAME] [--format FMT] [--json]');
      const rt = await openRuntime();
      try {
        let mapping: CdrMappingInput | string | undefined = values.mapping;
        if (values['mapping-file']) {
          try {
            mapping = JSON.parse(readFileSync(values['mapping-file'], 'utf8')) as CdrMappingInput;
          } catch (err) {
            throw new AppError('bad_request', `--mapping-file ${values['mapping-file']}: ${(err as Error).message}`);
          }
        }
        const progress = values.quiet ? undefined : progressLine(basename(rest[0]));
        const r = await audited((e) => rt.auth.audit(e), { actor: cliActor(), action: 'import', case: values.case, details: { file: basename(rest[0]) } },
          () => rt.imports.importFile(rest[0], {
            case: values.case, format: values.format, mapping, importedBy: process.env.USER ?? 'cli', onProgress: progress?.update,
            ...(values['device-imei'] || values['device-number'] ? { device: { imei: values['device-imei'], msisdn: values['device-number'] } } : {}),
          }).finally(() => progress?.done()),
          (o) => ({ case: o.case, target: o.sha256, details: { format: o.format, status: o.status, entities: o.entities, links: o.links, events: o.events } }));
        const human = r.status === 'already_imported'
          ? `${r.file}: already imported into case ${r.case} (sha256 ${r.sha256.slice(0, 12)}…); nothing changed`
          : `${r.file} (${r.format}) → case ${r.case}: entities ${r.entities.created} created, ${r.entities.merged} merged; ` +
            `links ${r.links.created} created, ${r.links.merged} merged; events ${r.events.created} created, ${r.events.merged} merged` +
            (r.warnings.length ? `\n${r.warnings.length} warning(s):\n  ${r.warnings.slice(0, 20).join('\n  ')}` : '');
        out(human, r);
      } finally {
        await closeRuntime(rt);
      }
      return 0;
    }
    case 'copy': {
      const config = loadConfig();
      const kinds = ['embedded', 'neo4j'] as const;
      const from = values.from ?? 'embedded';
      const to = values.to ?? 'neo4j';
      if (!kinds.includes(from as never) || !kinds.includes(to as never) || from === to) {
        throw new AppError('bad_request', 'usage: casegraph copy --from embedded|neo4j --to neo4j|embedded (two different stores)');
      }
      const src = await openStore({ ...config, store: from as Config['store'] });
      try {
        const dst = await openStore({ ...config, store: to as Config['store'] });
        try {
          const r = await copyStore(src, dst, { case: values.case, onProgress: (l) => process.stderr.write(`${l}\n`) });
          out(`copied ${r.applied} source(s), skipped ${r.skipped} already there; ${r.entities} entities, ${r.links} links, ${r.events} events, ${r.annotations} annotations`, r);
        } finally {
          await dst.close();
        }
      } finally {
        await src.close();
      }
      return 0;
    }
    case 'export': {
      const rt = await openRuntime();
      try {
        return await runExport(rt, {
          format: values.format, case: values.case, ids: values.ids, noRedact: values['no-redact'], reason: values.reason,
          output: values.output, json: values.json, quiet: values.quiet,
        });
      } finally {
        await closeRuntime(rt);
      }
    }
    case 'open': {
      if (rest.length !== 1) throw new AppError('bad_request', 'usage: casegraph open FILE [--case NAME] [--json]');
      const rt = await openRuntime();
      try {
        return await runOpen(rt, rest[0], { case: values.case, json: values.json, quiet: values.quiet });
      } finally {
        await closeRuntime(rt);
      }
    }
    case 'mappings': {
      const rt = await openRuntime();
      try {
        const { mappings, skipped } = await rt.mappings.list();
        out(mappings.map((m) => `${m.name}: ${m.delimiter === '\t' ? 'tab' : m.delimiter}-separated, ${m.encoding}, dates ${m.dateFormat}, zone ${m.timeZone}`).join('\n') || 'no saved mappings', { mappings, skipped });
      } finally {
        await closeRuntime(rt);
      }
      return 0;
    }
    case 'user': {
      // only the access database: managing users does not need the graph store (or a running Neo4j)
      const auth = openAuth(loadConfig());
      try {
        return await runUser(auth, rest[0], rest[1], { role: values.role, cases: values.cases, passwordStdin: values['password-stdin'], json: values.json }, terminalUserIo);
      } finally {
        auth.close();
      }
    }
    case 'stats': {
      const rt = await openRuntime();
      try {
        const [counts, cases] = [await rt.store.counts(), await rt.store.listCases()];
        const types = Object.entries(counts.byType).map(([t, n]) => `  ${t.padEnd(14)}${n}`).join('\n');
        const caseLines = cases.map((c) => `  ${c.name}: ${c.entities} entities from ${c.sources} source(s)`).join('\n');
        out(`store: ${rt.store.kind}\nentities ${counts.entities} · links ${counts.links} · events ${counts.events} · sources ${counts.sources}\nby type:\n${types}\ncases:\n${caseLines}`, { store: rt.store.kind, ...counts, cases });
      } finally {
        await closeRuntime(rt);
      }
      return 0;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

/** A single progress line on stderr (rewritten in place on a terminal, one line per 5 s otherwise). */
function progressLine(file: string): { update: (p: { records: number; bytes?: number; total?: number }) => void; done: () => void } {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let lastPrint = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (!tty && now - lastPrint < 5000) return;
      lastPrint = now;
      const pct = p.bytes && p.total ? ` ${Math.min(100, Math.floor((p.bytes / p.total) * 100))}%` : '';
      const rate = Math.round(p.records / Math.max(0.001, (now - started) / 1000));
      const line = `${file}:${pct} ${p.records.toLocaleString('en')} records (${rate.toLocaleString('en')}/s)`;
      process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      shown = true;
    },
    done() {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}

leanHeap();
main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    const json = process.argv.includes('--json');
    if (err instanceof AppError || err instanceof ConfigError) {
      const body = err instanceof AppError ? { code: err.code, message: err.message, details: err.details } : { code: 'config', message: err.message };
      process.stderr.write(json ? `${JSON.stringify(body)}\n` : `casegraph: ${err.message}\n`);
    } else {
      process.stderr.write(`casegraph: ${err instanceof Error ? err.message : String(err)}\n`);
    }
    process.exitCode = 1;
  },
);
