// Running `nft`: a transaction is the text of an `nft -f -` file, applied atomically by the kernel (all or
// nothing). There is no maintained npm binding for libnftables; shelling out is what every non-Go proxy does.
import { spawn } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command with optional stdin, collecting its output (never rejects on a non-zero exit). */
export function runCommand(cmd: string, args: string[], stdin?: string): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => {}); // an early exit closes stdin; the exit code tells the story
    child.stdin.end(stdin ?? '');
  });
}

/** Applies one nft transaction; throws with nft's message when the kernel refused it (nothing was applied). */
export async function nftApply(text: string): Promise<void> {
  const r = await runCommand('nft', ['-f', '-'], text);
  if (r.code !== 0) throw new Error(`nft -f failed (${r.code}): ${r.stderr.trim().split('\n').slice(0, 6).join('\n')}`);
}

/** Deletes the table if it exists (`--cleanup`); true when there was one. */
export async function nftDeleteTable(family: 'ip' | 'ip6', table: string): Promise<boolean> {
  const r = await runCommand('nft', ['list', 'table', family, table]);
  if (r.code !== 0) return false;
  await nftApply(`delete table ${family} ${table}\n`);
  return true;
}

/** Whether the nft binary and kernel support answer (for choosing a mode). */
export async function nftAvailable(): Promise<boolean> {
  try {
    return (await runCommand('nft', ['list', 'tables'])).code === 0;
  } catch {
    return false;
  }
}
