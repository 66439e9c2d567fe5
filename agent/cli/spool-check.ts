import * as fs from 'fs';
import * as path from 'path';
import type { Argv, CommandModule } from 'yargs';
import { InvalidFileError } from '../errors';
import { spoolMaxBytes } from '../config/spool-config';
import { checkExpositionBytes } from '../spool/check-exposition';
import { jobOf, SPOOL_SUFFIX } from '../spool/file-name';

/**
 * `hostpulse spool check FILE`: the agent's judgement of one file (name, size,
 * exposition rules), for a batch job's own CI. Exit 0 and one line, or exit 2
 * with `FILE: line N: reason`.
 */
const checkCommand: CommandModule<object, { file: string; 'spool-max-bytes': string }> = {
  command: 'check <file>',
  describe:
    'Check one spool file as the agent would (exposition rules, size, name); exit 0, or 2 with the line and reason',
  builder: (y) =>
    y
      .positional('file', {
        type: 'string',
        demandOption: true,
        describe: 'the file (a name not ending in .prom is checked for its content only)',
      })
      .option('spool-max-bytes', { type: 'string', default: '1MiB', describe: "as the agent's --spool-max-bytes" }),
  handler: (argv) => {
    const max = spoolMaxBytes(argv['spool-max-bytes']);
    const name = path.basename(argv.file);
    let job: string | undefined;
    if (name.endsWith(SPOOL_SUFFIX)) {
      const j = jobOf(name);
      if ('error' in j) throw new InvalidFileError(`${argv.file}: ${j.error}`);
      job = j.job;
    }
    let st: fs.Stats;
    try {
      st = fs.statSync(argv.file);
    } catch (err) {
      throw new InvalidFileError(`${argv.file}: ${(err as Error).message}`);
    }
    if (st.size > max) throw new InvalidFileError(`${argv.file}: ${st.size} bytes, more than --spool-max-bytes ${max}`);
    const check = checkExpositionBytes(fs.readFileSync(argv.file));
    if (!check.ok) throw new InvalidFileError(`${argv.file}: line ${check.line}: ${check.reason}`);
    process.stdout.write(
      `${argv.file}: ok, ${check.samples.length} samples${job === undefined ? '' : `, delivered as job ${job}`}\n`,
    );
  },
};

export const spoolCommand: CommandModule = {
  command: 'spool <command>',
  describe: 'Batch-job files for --spool-dir: `spool check FILE`',
  builder: (y: Argv) =>
    y.command(checkCommand as unknown as CommandModule).demandCommand(1, 'name a spool command: check'),
  handler: () => undefined,
};
