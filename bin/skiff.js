#!/usr/bin/env node
// Entry shim: registers the TypeScript loader (tsx) so the sources run as they are, then hands over to the CLI.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
