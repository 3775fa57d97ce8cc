// Part of `npm run build`: copies what the compiled code loads at run time besides JavaScript — the CRI .proto
// subsets that @grpc/proto-loader reads next to src/node/cri/client.ts — from src/ into the output dir (default
// dist/), keeping their paths. Plain JavaScript, so it runs where only Node is installed.
import { cpSync } from 'node:fs';
import { resolve } from 'node:path';

const out = resolve(process.argv[2] ?? 'dist');
const assets = /\.proto$/;
cpSync('src', out, {
  recursive: true,
  // directories are walked; of the files only the run-time assets are copied
  filter: (path) => !/\.[^/]+$/.test(path) || assets.test(path),
});
