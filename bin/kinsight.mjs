#!/usr/bin/env node
// Runs Kinsight's TypeScript directly with tsx: there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
