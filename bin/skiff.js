#!/usr/bin/env node
// Development entry: runs the TypeScript sources as they are through the tsx loader (tests, `npm run skiff`).
// The installed command (package.json "bin") is the compiled dist/cli/main.js, which needs no loader.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
