// Load generator for `npm run bench` (store section), run in its own process so the server under test
// keeps a core to itself: autocannon with N connections for D seconds against search and 2-hop expand,
// requests alternating between the two, each picking a random sample term or entity. Prints JSON.
import autocannon from 'autocannon';
import { readFileSync } from 'node:fs';
import { rng } from '../../seed/generators/prng.ts';

const [base, samplesFile, duration, connections] = process.argv.slice(2);
const { ids, terms, cookie } = JSON.parse(readFileSync(samplesFile, 'utf8')) as { ids: string[]; terms: string[]; cookie: string };
const r = rng(2023);
let n = 0;

const result = await autocannon({
  url: base,
  connections: Number(connections),
  duration: Number(duration),
  timeout: 10,
  headers: { cookie },
  requests: [
    {
      method: 'GET',
      setupRequest: (req) => {
        const path = n++ % 2 === 0
          ? `/api/search?q=${encodeURIComponent(terms[r.int(0, terms.length - 1)])}`
          : `/api/entities/${encodeURIComponent(ids[r.int(0, ids.length - 1)])}/neighbours?depth=2&limit=500&shape=compact`;
        return { ...req, path };
      },
    },
  ],
});
process.stdout.write(JSON.stringify({
  requests: result.requests.total,
  rps: result.requests.average,
  p50: result.latency.p50,
  p90: result.latency.p90,
  p99: result.latency.p99,
  max: result.latency.max,
  errors: result.errors,
  timeouts: result.timeouts,
  non2xx: result.non2xx,
  duration: result.duration,
}));
