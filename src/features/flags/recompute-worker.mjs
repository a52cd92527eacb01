// A recompute worker thread (recompute-workers.ts): TypeScript through tsx, as bin/kinsight.mjs does.
import { register } from 'tsx/esm/api';

register();
await import('./recompute-worker.ts');
