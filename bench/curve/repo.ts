import * as path from 'path';

/**
 * The checkout this bench belongs to. The curve's modules run compiled from
 * dist/bench/curve (npm run bench) or from source, bench/curve (ts-jest).
 */
export const REPO_ROOT = ((): string => {
  const up2 = path.resolve(__dirname, '..', '..');
  return path.basename(up2) === 'dist' ? path.dirname(up2) : up2;
})();
