import * as fs from 'fs';
import type * as Yaml from 'yaml';
import { UsageError } from '../errors';

/**
 * Reads a JSON or YAML config file (YAML is a superset of JSON) whose keys are
 * the long flag names (`pushgateway-url: ...`). Unknown keys are an error
 * naming the key and the file: a typo must not silently fall back to a default.
 * A key in `lists` may also be a list of scalars, passed on comma-joined as the flag takes it.
 */
export function loadConfigFile(
  file: string,
  allowed: readonly string[],
  lists: readonly string[] = [],
): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read config file ${file}: ${(err as Error).message}`);
  }
  // Loaded here, not at start-up: most agents run without a file, and the parser is the
  // largest module the agent would load (~290 KB of source, about 0.5 MB of RSS).
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy, see above
  const YAML = require('yaml') as typeof Yaml;
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new UsageError(`config file ${file} is not valid JSON or YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new UsageError(`config file ${file} must hold a mapping of option names to values`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if (!allowed.includes(key)) {
      throw new UsageError(`config file ${file}: unknown key "${key}" (known: ${allowed.join(', ')})`);
    }
    if (lists.includes(key) && Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) {
      out[key] = value.join(',');
      continue;
    }
    if (value !== null && typeof value === 'object') {
      throw new UsageError(`config file ${file}: key "${key}" must be a single value`);
    }
    out[key] = value;
  }
  return out;
}
