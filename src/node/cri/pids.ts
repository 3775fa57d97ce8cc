// Looking at a process by PID through signal 0 and /proc, for code that adopts, waits for or stops processes it
import { readFileSync } from 'node:fs';
// did not necessarily start (containerd, its shims): whether it runs, its command line, and waiting for it to go.
// Nothing here sends a signal that affects the process.

/** Whether a process with this PID exists (signal 0: permission to signal it is not needed to know). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The process's argv from /proc; empty when it is gone (or unreadable). */
export function processCmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Polls every 50 ms until the process is gone or ms have passed; whether it is gone. */
export async function waitProcessGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (processAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return !processAlive(pid);
}
