// One server per data directory. `lockDataDir` creates <data-dir>/server/skiff.lock atomically (link(2) of a
// complete file) holding the owner's PID, so a second `skiff server` on the same directory is refused at once,
// naming that PID, instead of failing seconds later on SQLite's busy timeout. A lock whose owner is gone (PID
// dead, or reused by a process that started at another time) is stale and taken over. release() removes the file
// only while it is ours, and runs by itself when the process exits without a clean stop.
import { linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Where the data dir is unless --data-dir says otherwise (here, not in data-dir.ts, so that the CLI can find and
 *  lock it without loading the PKI code). */
export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/skiff' : join(homedir(), '.skiff');
}

export interface DataDirLock {
  readonly path: string;
  release(): void;
}

export class DataDirLockedError extends Error {
  constructor(readonly dataDir: string, readonly path: string, readonly pid: number) {
    super(`another Skiff server (PID ${pid}) is using the data dir ${dataDir} (lock ${path}); stop it, or give this one another --data-dir`);
    this.name = 'DataDirLockedError';
  }
}

interface Owner {
  pid: number;
  /** The owner's start time in clock ticks since boot (Linux /proc/<pid>/stat field 22), to tell a reused PID. */
  started?: string;
}

/** Start time of a process, where the system tells it (Linux); undefined elsewhere or when it is gone. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after its closing parenthesis
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(owner: Owner): boolean {
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; // ESRCH: no such process
  }
  const started = processStart(owner.pid);
  return owner.started === undefined || started === undefined || started === owner.started;
}

function parse(text: string): Owner | undefined {
  const [pidLine, startLine] = text.split('\n');
  const pid = Number(pidLine);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const started = /^started (\d+)$/.exec(startLine ?? '')?.[1];
  return { pid, started };
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Locks held by this process, so two servers in one process (tests) are told apart from a stale lock of ours. */
const heldHere = new Set<string>();

/** Writes the lock beside its place, then links it in: the lock appears complete or not at all. */
function tryCreate(path: string, content: string): boolean {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o644 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * Moves a stale lock aside. The rename is atomic; if what was moved is not the stale lock judged (another starting
 * server replaced it meanwhile), it is linked back, which fails harmlessly if a third one got there first.
 */
function removeStale(path: string, staleText: string): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // already gone
  }
  if (read(aside) !== staleText) {
    try {
      linkSync(aside, path);
    } catch {
      /* someone holds it now; the next attempt reports them */
    }
  }
  unlinkSync(aside);
}

export function lockDataDir(dataDir: string): DataDirLock {
  const dir = join(dataDir, 'server');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'skiff.lock');
  const started = processStart(process.pid);
  const content = `${process.pid}\n${started ? `started ${started}\n` : ''}`;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, content)) {
      heldHere.add(path);
      const release = (): void => {
        process.off('exit', release);
        heldHere.delete(path);
        if (read(path) === content) unlinkSync(path);
      };
      // a process ending without stopping its server (an uncaught error, process.exit) still frees the data dir
      process.on('exit', release);
      return { path, release };
    }
    const text = read(path);
    if (text === undefined) continue; // released between our create and read: try again
    const owner = parse(text);
    const ours = owner?.pid === process.pid && (owner.started === undefined || owner.started === started);
    if (owner && (ours ? heldHere.has(path) : alive(owner))) throw new DataDirLockedError(dataDir, path, owner.pid);
    removeStale(path, text);
  }
  throw new Error(`could not lock the data dir ${dataDir}: ${path} keeps changing`);
}
