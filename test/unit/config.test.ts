// Configuration fails fast with the variable's name.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../backend/src/config.ts';

describe('config', () => {
  it('has loopback defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', dataDir: './data', store: 'embedded', region: 'PE', seed: true });
  });

  it('reads overrides', () => {
    const c = loadConfig({ PORT: '9000', HOST: '0.0.0.0', CASEGRAPH_DATA: '/tmp/x', STORE: 'neo4j', NEO4J_URI: 'neo4j+s://abc.databases.neo4j.io', CASEGRAPH_SEED: '0' });
    expect(c).toMatchObject({ port: 9000, host: '0.0.0.0', dataDir: '/tmp/x', store: 'neo4j', seed: false });
    expect(c.neo4j.uri).toBe('neo4j+s://abc.databases.neo4j.io');
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ STORE: 'postgres' }, 'STORE'],
    [{ NEO4J_URI: 'http://localhost:7474' }, 'NEO4J_URI'],
    [{ CASEGRAPH_REGION: 'peru' }, 'CASEGRAPH_REGION'],
    [{ CASEGRAPH_SECRET: 'short' }, 'CASEGRAPH_SECRET'],
  ])('refuses %o naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(new RegExp(name));
  });
});
