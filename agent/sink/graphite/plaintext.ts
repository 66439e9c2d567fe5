import type { FamilySnapshot } from '../../metrics/exposition';
import type { GraphitePaths } from './paths';

/** Carbon's plaintext protocol: one `path value timestamp` line per value, the timestamp in Unix seconds. */
export function renderPlaintext(
  families: readonly FamilySnapshot[],
  paths: GraphitePaths,
  seconds: number,
): { text: string; samples: number } {
  const suffix = ` ${seconds}\n`;
  let text = '';
  let samples = 0;
  paths.forEach(families, (path, value) => {
    text += path + ' ' + value + suffix;
    samples++;
  });
  return { text, samples };
}
