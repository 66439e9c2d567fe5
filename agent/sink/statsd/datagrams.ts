import type { FamilySnapshot } from '../../metrics/exposition';
import type { GraphitePaths } from '../graphite/paths';

/**
 * statsd gauge lines (`path:value|g`), packed newline-separated into
 * datagrams of at most `maxBytes` (paths are sanitised ASCII, so characters
 * are bytes). A negative value is sent as `:0|g` then `:-n|g`: statsd reads
 * a leading sign as a change of the gauge. A line longer than `maxBytes` on
 * its own is not sent and is counted in `tooLong`.
 */
export function gaugeDatagrams(
  families: readonly FamilySnapshot[],
  paths: GraphitePaths,
  maxBytes: number,
): { datagrams: string[]; lines: number[]; tooLong: number } {
  const datagrams: string[] = [];
  const lines: number[] = [];
  let current = '';
  let count = 0;
  let tooLong = 0;
  const add = (line: string): void => {
    if (line.length > maxBytes) {
      tooLong++;
      return;
    }
    if (current !== '' && current.length + 1 + line.length > maxBytes) {
      datagrams.push(current);
      lines.push(count);
      current = '';
      count = 0;
    }
    current = current === '' ? line : current + '\n' + line;
    count++;
  };
  paths.forEach(families, (path, value) => {
    add(value < 0 ? `${path}:0|g\n${path}:${value}|g` : `${path}:${value}|g`);
  });
  if (current !== '') {
    datagrams.push(current);
    lines.push(count);
  }
  return { datagrams, lines, tooLong };
}
