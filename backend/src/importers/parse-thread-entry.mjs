// Worker entry for parse-thread.ts: registers the TypeScript loader first, so the worker runs the same
// sources under `casegraph`, `npm start` and the test runner alike.
import { register } from 'tsx/esm/api';

register();
await import('./parse-thread.ts');
