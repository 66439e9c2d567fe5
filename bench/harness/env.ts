/**
 * The current environment minus every HOSTPULSE_* variable, plus `extra`: a
 * developer's exported settings (HOSTPULSE_INTERVAL=...) must not change what
 * an agent started by a test or the benchmark does; only `extra` may set them.
 */
export function agentEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HOSTPULSE_')) env[k] = v;
  return { ...env, ...extra };
}
