import { UsageError } from '../errors';
import { durationFlag } from './duration';
import { parseBytes } from './sink-config';

/** The spool's settings (docs/collectors.md, "Spool"), validated. */
export interface SpoolConfig {
  dir: string;
  settleMs: number;
  maxBytes: number;
}

export const DEFAULT_SPOOL_MAX_BYTES = 1024 * 1024;

/** --spool-dir and its flags; undefined without --spool-dir. Throws UsageError naming the flag. */
export function buildSpoolConfig(str: (name: string) => string | undefined): SpoolConfig | undefined {
  const dir = str('spool-dir');
  if (dir === undefined) return undefined;
  if (dir.trim() === '') throw new UsageError('--spool-dir must not be empty');
  const settleMs = durationFlag('spool-settle', str('spool-settle') ?? '30s');
  return { dir, settleMs, maxBytes: spoolMaxBytes(str('spool-max-bytes')) };
}

/** --spool-max-bytes (the agent's and `spool check`'s), default 1 MiB. Throws UsageError. */
export function spoolMaxBytes(text: string | undefined): number {
  const maxBytes = text === undefined ? DEFAULT_SPOOL_MAX_BYTES : parseBytes(text);
  if (maxBytes === undefined || maxBytes < 1)
    throw new UsageError(`--spool-max-bytes "${text ?? ''}" must be a size (examples: 65536, 512KiB, 1MiB)`);
  return maxBytes;
}
