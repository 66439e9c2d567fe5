/** The sampler asked for cannot run here; the CLI maps this to exit code 2. */
export class UnsupportedSamplerError extends Error {
  override readonly name = 'UnsupportedSamplerError';
}
