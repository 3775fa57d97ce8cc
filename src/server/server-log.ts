// The logs of the two mirror pods that are the skiff server process itself (mirror-components.ts), in the files
// the kubelet serves for them (component-log-paths.ts), in the same format and with the same rotation as the hosted
// components' (component-log.ts):
//  - kube-apiserver: everything the server process prints (what `skiff server` says on the terminal and what the
//    API server logs), copied as it is printed (process-output.ts); the hosted components' lines are in their own
//    logs, not repeated here.
//  - sqlite: the embedded store is code inside that process and prints nothing of its own, so its log says so in
//    one line at start, naming the database file and pointing at kube-apiserver's log for the process's messages.
// Each server start begins new files (the last run's become `--previous`), as a restarted container's do.
import { join } from 'node:path';
import { ComponentLog, componentLogDir } from './component-log.ts';
import { teeProcessOutput } from './process-output.ts';

export interface ServerLogOptions {
  dataDir: string;
  /** The embedded SQLite database file, when the server runs one (no log for an external etcd: it has no pod). */
  sqliteFile?: string;
}

/** Starts both logs; the returned function stops copying and resolves once what was written is on disk. */
export function startServerLogs(o: ServerLogOptions): () => Promise<void> {
  const dir = componentLogDir(o.dataDir);
  const apiserver = new ComponentLog({ dir, container: 'kube-apiserver' });
  apiserver.newInstance();
  const untee = teeProcessOutput((stream, chunk) => apiserver.write(stream, chunk));
  const logs = [apiserver];
  if (o.sqliteFile) {
    const sqlite = new ComponentLog({ dir, container: 'sqlite' });
    sqlite.newInstance();
    sqlite.write('stdout', Buffer.from(`skiff: embedded SQLite store ${o.sqliteFile}, run inside the kube-apiserver process (skiff server); `
      + `it prints nothing of its own: the process's messages are in the log of kube-apiserver\n`));
    logs.push(sqlite);
  }
  return async () => {
    untee();
    await Promise.all(logs.map((l) => l.close()));
  };
}

/** The database file of the embedded store for a --datastore-endpoint (empty or sqlite://FILE), else undefined. */
export function embeddedSqliteFile(dataDir: string, endpoint: string): string | undefined {
  if (!endpoint) return join(dataDir, 'server', 'db', 'state.db');
  return endpoint.startsWith('sqlite://') ? endpoint.slice('sqlite://'.length) : undefined;
}
