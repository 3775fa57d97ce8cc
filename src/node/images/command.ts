// `skiff image import FILE…`: loads image archives (OCI layout or docker save tars) into the node's CRI image
// store (containerd namespace k8s.io), printing a progress line per file. `skiff image build-busybox FILE` writes
// the busybox-based test image as an OCI archive (no registry needed).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { containerdLayout } from '../cri/containerd-config.ts';
import { buildTestImageArchive, busyboxImage } from './busybox.ts';
import { importWithProgress } from './import.ts';

export const imageHelp = `Usage: skiff image import [flags] FILE...
       skiff image build-busybox [--name REF] FILE

import: loads OCI or docker image archives into the node's container runtime (containerd, namespace k8s.io).
  --container-runtime-endpoint URL   the runtime's socket (default: the containerd under --data-dir)
  --data-dir DIR                     the node's data dir (default /var/lib/skiff)
build-busybox: writes a busybox-static based image (${busyboxImage}) as an OCI archive.
`;

export async function imageCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'container-runtime-endpoint': { type: 'string' },
      'data-dir': { type: 'string' },
      name: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!sub || sub === '--help' || sub === '-h' || values.help) {
    process.stdout.write(imageHelp);
    return sub ? 0 : 1;
  }
  if (sub === 'build-busybox') {
    if (positionals.length !== 1) throw new Error('build-busybox takes one output FILE');
    const name = values.name ?? busyboxImage;
    writeFileSync(positionals[0], buildTestImageArchive(name));
    console.log(`wrote ${name} to ${positionals[0]}`);
    return 0;
  }
  if (sub !== 'import') throw new Error(`unknown image command "${sub}"\n${imageHelp}`);
  if (!positionals.length) throw new Error('image import needs at least one FILE');
  const dataDir = values['data-dir'] ?? (process.getuid?.() === 0 ? '/var/lib/skiff' : join(process.env.HOME ?? '.', '.skiff'));
  const endpoint = values['container-runtime-endpoint'] ?? `unix://${containerdLayout(dataDir).socket}`;
  for (const file of positionals) await importWithProgress(endpoint, file, (line) => console.log(line));
  return 0;
}
