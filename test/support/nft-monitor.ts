// `nft monitor` in a node's network namespace, for tests that time kube-proxy: each ruleset change arrives as the
// kernel commits it, stamped on arrival, so "when did the rule change" needs no polling (an `nft list` takes ~100 ms
// on a busy machine). stop() ends the monitor by its PID.
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { NodeNamespace } from './nodes.ts';

function nft(ns: NodeNamespace, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(ns.wrap[0], [...ns.wrap.slice(1), 'nft', ...args], (err, _out, stderr) => (err ? reject(new Error(`nft ${args.join(' ')}: ${stderr || err.message}`)) : resolve()));
  });
}

export interface NftMonitor {
  /** Resolves with the arrival time of the first line from now on that `match` accepts. */
  next(match: (line: string) => boolean, signal: AbortSignal): Promise<number>;
  stop(): Promise<void>;
}

/**
 * `nft monitor` in a node's namespace: ruleset changes as the kernel commits them, each stamped on arrival (no
 * polling: an `nft list` takes ~100 ms on a busy machine). Resolves once it is subscribed, which a probe table
 * made and removed in that namespace shows.
 */
export async function nftMonitor(ns: NodeNamespace, probe: string): Promise<NftMonitor> {
  const child = spawn(ns.wrap[0], [...ns.wrap.slice(1), 'nft', 'monitor'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let waiter: { match: (line: string) => boolean; resolve: (at: number) => void } | undefined;
  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (waiter?.match(line)) {
      waiter.resolve(Date.now());
      waiter = undefined;
    }
  });
  const next = (match: (line: string) => boolean, signal: AbortSignal): Promise<number> => new Promise((resolve, reject) => {
    waiter = { match, resolve };
    signal.addEventListener('abort', () => reject(new Error(`nft monitor in ${ns.name}: no matching change`)), { once: true });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
  };
  const ac = new AbortController();
  const subscribed = next((line) => line.startsWith(`add table ip ${probe}`), ac.signal);
  const timer = setTimeout(() => ac.abort(), 10_000);
  try {
    // repeated until seen: the monitor may not have subscribed when the first probe is made
    for (let seen = false; !seen;) {
      await nft(ns, ['add', 'table', 'ip', probe]);
      await nft(ns, ['delete', 'table', 'ip', probe]);
      seen = await Promise.race([subscribed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 200))]);
    }
  } catch (err) {
    await stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return { next, stop };
}
