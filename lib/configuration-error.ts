/** A setting the pipeline cannot be built with; the message names it and the fix (the app prints it as one line). */
export class ConfigurationError extends Error {
  override readonly name: string = 'ConfigurationError';
}
