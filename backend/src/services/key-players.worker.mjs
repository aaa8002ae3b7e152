// Worker thread for key-players jobs: computes centrality off the main thread, so the server keeps answering
// (progress polls included) while a large case is analysed. Plain JS because a worker starts without the
// parent's TypeScript loader: it registers tsx itself, as bin/casegraph.mjs does, then loads the pure module.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { keyPlayers } = await import('../analysis/centrality.ts');
let last = 0;
const result = keyPlayers(workerData.graph, {
  ...workerData.opts,
  onProgress: (done, total) => {
    // a message per source node would flood the parent on big graphs: at most ~10 a second, and the last
    const now = Date.now();
    if (now - last >= 100 || done === total) {
      last = now;
      parentPort.postMessage({ progress: { done, total } });
    }
  },
});
parentPort.postMessage({ result });
