// Driver behaviour without a Neo4j server: the real neo4j-driver against a port where nothing listens (or
// where something listens and never answers), the error mapping on constructed Neo4jErrors, and the CLI's
// fail-fast start-up with STORE=neo4j.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Neo4jError } from 'neo4j-driver';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../backend/src/config.ts';
import { failureReason, neo4jFailure } from '../../backend/src/storage/neo4j/errors.ts';
import { openNeo4jStore } from '../../backend/src/storage/neo4j/neo4j.graph-store.ts';
import { openStore } from '../../backend/src/storage/open-store.ts';

const ROOT = join(import.meta.dirname, '../..');
const TARGET = { uri: 'bolt://db.example:7687', user: 'casey', database: 'cases' };

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return port;
}

describe('driver errors become clear messages', () => {
  const err = (code: string, message = 'server said no') => new Neo4jError(message, code, '50N42', 'desc');

  it('wrong credentials', () => {
    const e = neo4jFailure(err('Neo.ClientError.Security.Unauthorized', 'The client is unauthorized due to authentication failure.'), TARGET);
    expect(e).toMatchObject({ code: 'store_unavailable', status: 503, message: 'Neo4j refused the credentials for user casey at bolt://db.example:7687' });
    expect(e.message).not.toMatch(/secret|password/i);
  });

  it('unreachable server, with the underlying cause', () => {
    const e = neo4jFailure(err('ServiceUnavailable', 'Failed to connect to server. Please ensure … Caused by: connect ECONNREFUSED 10.0.0.9:7687'), TARGET);
    expect(e.message).toBe('Neo4j unreachable at bolt://db.example:7687: connect ECONNREFUSED 10.0.0.9:7687');
    const routing = new Neo4jError('Could not perform discovery. No routing servers available.', 'ServiceUnavailable', '08000', 'd', undefined,
      new Neo4jError('Failed to connect to server. Caused by: getaddrinfo ENOTFOUND db.example', 'ServiceUnavailable', '08000', 'd'));
    expect(failureReason(routing)).toBe('getaddrinfo ENOTFOUND db.example');
  });

  it.each([
    ['Neo.ClientError.Database.DatabaseNotFound', 'Neo4j at bolt://db.example:7687 has no database "cases" (NEO4J_DATABASE)'],
    ['Neo.ClientError.Security.AuthenticationRateLimit', 'Neo4j locked out user casey at bolt://db.example:7687 after too many failed logins; wait and try again'],
    ['Neo.ClientError.Security.CredentialsExpired', expect.stringContaining('wants a new password for user casey')],
    ['Neo.DatabaseError.General.UnknownError', 'Neo4j at bolt://db.example:7687 failed (Neo.DatabaseError.General.UnknownError): server said no'],
  ])('%s', (code, message) => {
    expect(neo4jFailure(err(code), TARGET)).toMatchObject({ code: 'store_unavailable', message });
  });
});

describe('the real driver with no server', () => {
  const servers: Server[] = [];
  const sockets: Socket[] = [];
  afterAll(async () => {
    sockets.forEach((s) => s.destroy());
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  });

  it.each(['bolt', 'neo4j', 'neo4j+s'])('%s:// with nothing listening fails start-up fast with "Neo4j unreachable at …"', async (scheme) => {
    const port = await freePort();
    const uri = `${scheme}://127.0.0.1:${port}`;
    const t0 = Date.now();
    const err = await openNeo4jStore({ uri, user: 'neo4j', password: 'x', database: 'neo4j' }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(err).toMatchObject({ code: 'store_unavailable', message: `Neo4j unreachable at ${uri}: connect ECONNREFUSED 127.0.0.1:${port}` });
  });

  it('a port that accepts connections but never answers fails within the connection timeout', async () => {
    const silent = createServer((s) => sockets.push(s));
    servers.push(silent);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const uri = `bolt://127.0.0.1:${(silent.address() as { port: number }).port}`;
    const t0 = Date.now();
    const err = await openNeo4jStore({ uri, user: 'neo4j', password: 'x', database: 'neo4j' }, { connectionTimeout: 1000 }).catch((e: unknown) => e);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err).toMatchObject({ code: 'store_unavailable', message: `Neo4j unreachable at ${uri}: no Bolt answer within 3000 ms (is this a Neo4j Bolt port?)` });
  });

  it('STORE=neo4j goes through openStore; routing and TLS URIs are valid configuration', async () => {
    for (const uri of ['bolt://h:7687', 'neo4j://h:7687', 'neo4j+s://abcd.databases.neo4j.io', 'bolt+s://h', 'neo4j+ssc://h']) {
      expect(loadConfig({ STORE: 'neo4j', NEO4J_URI: uri }).neo4j.uri).toBe(uri);
    }
    const port = await freePort();
    const config = loadConfig({ STORE: 'neo4j', NEO4J_URI: `neo4j://127.0.0.1:${port}`, CASEGRAPH_DATA: tmpdir() });
    await expect(openStore(config)).rejects.toMatchObject({ code: 'store_unavailable', message: expect.stringMatching(/^Neo4j unreachable at neo4j:\/\/127\.0\.0\.1:\d+: connect ECONNREFUSED/) });
  });
});

describe('casegraph CLI with STORE=neo4j and no server', () => {
  function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string; ms: number }> {
    const t0 = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['backend/src/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr, ms: Date.now() - t0 }));
    });
  }

  it('`casegraph stats` exits non-zero, says Neo4j is unreachable, and fails fast after the CLI\'s own start-up', async () => {
    const port = await freePort();
    const data = mkdtempSync(join(tmpdir(), 'casegraph-neo4j-cli-'));
    try {
      // the CLI's own start-up (tsx compiling the app) varies with machine load: measure it in the same conditions
      const baseline = await cli(['help'], {});
      const run = await cli(['stats'], { STORE: 'neo4j', NEO4J_URI: `bolt://127.0.0.1:${port}`, NEO4J_PASSWORD: 'x', CASEGRAPH_DATA: data, CASEGRAPH_SEED: '0' });
      console.info(`[neo4j] casegraph stats with no server: exit ${run.code} after ${run.ms} ms (casegraph help: ${baseline.ms} ms)`);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain(`casegraph: Neo4j unreachable at bolt://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
      // the fail-fast itself is measured in-process above (< 3 s; ~20 ms on an idle machine). Here, under whatever
      // load the test run puts on the machine, failing must add far less than the driver's 30 s retry window.
      expect(run.ms - baseline.ms).toBeLessThan(20_000);
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  }, 90_000);
});
