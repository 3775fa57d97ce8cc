// Where a node's Skiff components keep their logs: <data-dir>/agent/logs/components/<container>.log, written by
// their supervisor (server/component-log.ts) in the CRI log format and served by the kubelet for their mirror
// pods (logs-endpoint.ts). One layout, shared by the writer and the reader.
import { join } from 'node:path';

export function componentLogDir(dataDir: string): string {
  return join(dataDir, 'agent', 'logs', 'components');
}

/**
 * The files of one component's log: the running instance's, the one before it (`--previous`), and the older part
 * of the running instance once it passed the size cap (not served, as upstream serves only the newest file).
 * The name is a container name (a DNS label), never a path.
 */
export function componentLogPaths(dir: string, container: string): { current: string; previous: string; rotated: string } {
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(container)) throw new Error(`invalid component log name ${JSON.stringify(container)}`);
  return { current: join(dir, `${container}.log`), previous: join(dir, `${container}.previous.log`), rotated: join(dir, `${container}.log.1`) };
}
