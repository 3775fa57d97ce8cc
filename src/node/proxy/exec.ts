// Running the system tools kube-proxy drives (nft, iptables-restore, iptables-save): output collected, exit code
// returned, stdin written in one piece.
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
