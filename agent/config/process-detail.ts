import { UsageError } from '../errors';
import { DETAIL_KINDS, type DetailKind } from '../../platforms/types';

/**
 * `--process-detail pss,io,fds` (any subset, comma-separated; a YAML list in
 * --config) -> the kinds, in DETAIL_KINDS order. Empty or absent: none.
 * Throws UsageError naming an unknown kind.
 */
export function parseProcessDetail(value: unknown): DetailKind[] {
  if (value === undefined || value === null) return [];
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const items = (Array.isArray(value) ? value.map(String) : text.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const item of items) {
    if (!(DETAIL_KINDS as readonly string[]).includes(item)) {
      throw new UsageError(
        `--process-detail: unknown kind "${item}" (choose any of ${DETAIL_KINDS.join(', ')}, comma-separated)`,
      );
    }
  }
  return DETAIL_KINDS.filter((k) => items.includes(k));
}
