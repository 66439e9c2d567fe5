/** The sampler asked for cannot run here; the CLI maps this to exit code 2. */
export class UnsupportedSamplerError extends Error {
  override readonly name = 'UnsupportedSamplerError';
}

/**
 * A sample stopped because its AbortSignal fired (the agent is stopping): not
 * a failure. Named 'AbortError' like Node's and the DOM's abort errors, so a
 * caller can tell it apart by `name` as well as by class.
 */
export class SampleAbortedError extends Error {
  override readonly name = 'AbortError';
}
