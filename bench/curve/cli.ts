import * as path from 'path';
import { stopAll } from '../harness/children';
import { writeCurveFiles } from './files';
import { REPO_ROOT } from './repo';
import { runCurve, type CurveOptions } from './run';
import { renderSummary } from './table';

/** Where `--curve` writes unless --out-dir says otherwise: the committed curve. */
export const DEFAULT_OUT_DIR = path.join(REPO_ROOT, 'docs', 'bench');
/** The pages whose curve sections a run into DEFAULT_OUT_DIR rewrites. */
export const PAGES = { readme: path.join(REPO_ROOT, 'README.md'), page: path.join(REPO_ROOT, 'docs', 'benchmark.md') };

/**
 * `npm run bench -- --curve`: measures, writes cost-curve.{json,md,svg} into `outDir`
 * (and the README's and the docs page's sections when that is the committed curve), prints the summary.
 */
export async function curveMain(o: CurveOptions & { outDir: string; json: boolean }): Promise<void> {
  const onSignal = (sig: NodeJS.Signals): void => {
    o.progress(`${sig}: stopping every process the benchmark started`);
    void stopAll().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const { record, leftover } = await runCurve(o);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  const committed = path.resolve(o.outDir) === DEFAULT_OUT_DIR;
  const written = await writeCurveFiles(record, o.outDir, committed ? PAGES : undefined);
  o.progress(`wrote ${written.map((f) => path.relative(process.cwd(), f) || f).join(', ')}`);
  process.stdout.write(o.json ? JSON.stringify(record, null, 2) + '\n' : renderSummary(record) + '\n');
  if (leftover.length > 0) {
    o.progress(`${leftover.length} filler processes outlived the cleanup (pids ${leftover.slice(0, 20).join(' ')})`);
    process.exitCode = 1;
  }
}
