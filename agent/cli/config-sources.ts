import yargs, { type Argv } from 'yargs';
import { loadConfigFile } from '../config/config-file';
import { AGENT_LIST_OPTIONS, AGENT_OPTIONS, AGENT_OPTION_NAMES } from '../config/options';
import { UsageError } from '../errors';

/**
 * Where option values come from besides flags: HOSTPULSE_* environment
 * variables and the --config file. yargs' precedence: flag > env > file.
 */
export function withConfigSources<T>(y: Argv<T>): Argv<T> {
  return (
    y
      // HOSTPULSE_PROMETHEUS_URL is the fleet commands' variable; exported in the same shell it must
      // not make run/once fail as an unknown argument (any other unknown HOSTPULSE_* still does).
      .option('prometheus-url', { type: 'string', hidden: true })
      .env('HOSTPULSE')
      .config(
        'config',
        'JSON or YAML file of options (keys are the long flag names); flags win over HOSTPULSE_* env, env over the file',
        (file: string) => loadConfigFile(file, AGENT_OPTION_NAMES, AGENT_LIST_OPTIONS),
      )
  );
}

/** yargs reports its own validation problems as `msg`; errors thrown by handlers come as `err`. */
export function toCliError(msg: string | undefined, err: Error | undefined): Error {
  // A config-file parse error reaches here wrapped in yargs' own YError: it is still a usage error.
  if (err && err.name === 'YError') return new UsageError(err.message);
  return err ?? new UsageError(nameEnvSource(msg ?? 'invalid arguments'));
}

/** "Unknown argument: intervall" says nothing when the typo is in an env file: name the variable. */
function nameEnvSource(msg: string): string {
  const m = /^Unknown arguments?: (.+)$/.exec(msg);
  if (!m) return msg;
  const fromEnv = m[1]
    .split(', ')
    .map(
      (name) =>
        'HOSTPULSE_' +
        name
          .replace(/([a-z])([A-Z])/g, '$1_$2')
          .replace(/-/g, '_')
          .toUpperCase(),
    )
    .filter((v) => process.env[v] !== undefined);
  return fromEnv.length ? `${msg} (from the environment: ${fromEnv.join(', ')})` : msg;
}

/** Parse the agent options of `rawArgs` again, re-reading the config file (SIGHUP). */
export async function reparseAgentArgs(rawArgs: string[]): Promise<Record<string, unknown>> {
  return withConfigSources(yargs(rawArgs))
    .options(AGENT_OPTIONS)
    .fail((msg, err) => {
      throw toCliError(msg, err);
    })
    .parseAsync();
}
