// Running `nft`: a transaction is the text of an `nft -f -` file, applied atomically by the kernel (all or
// nothing). There is no maintained npm binding for libnftables; shelling out is what every non-Go proxy does.
import { runCommand } from './exec.ts';

export { runCommand } from './exec.ts';

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
