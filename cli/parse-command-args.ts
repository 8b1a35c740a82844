/**
 * `node:util` parseArgs for the CLI's commands, with a plain message for a misspelt flag that names the closest one.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { escapeControls } from './terminal-text';
import { UsageError } from './usage-error';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Parses `args` strictly against `options`.
 * @throws UsageError for an unknown flag (with the closest known one), a missing value, or a stray argument
 */
export function parseCommandArgs<T extends Options>(args: readonly string[], options: T, allowPositionals: boolean) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals, strict: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /'([^']*)'/.exec((error as Error).message)?.[1] ?? '';
      const known = Object.entries(options).flatMap(([name, option]) => [
        `--${name}`,
        ...(option.short === undefined ? [] : [`-${option.short}`]),
      ]);
      const closest = closestFlag(given, known);
      throw new UsageError(
        `unknown option ${escapeControls(given)}${closest === undefined ? '' : `; did you mean ${closest}?`}`,
      );
    }
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      const message = (error as Error).message;
      const flag = escapeControls(/'(-[^ ']*)/.exec(message)?.[1] ?? 'an option');
      throw new UsageError(message.includes('missing') ? `${flag} needs a value` : `${flag} takes no value`);
    }
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(
        `unexpected argument ${escapeControls(/'([^']*)'/.exec((error as Error).message)?.[1] ?? '')}`,
      );
    }
    throw error;
  }
}

/** The known flag nearest to `given` by edit distance, when it is near enough to be a slip (at most a third off). */
export function closestFlag(given: string, known: readonly string[]): string | undefined {
  const flag = given.split('=')[0] ?? given;
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(flag, name);
    if (best === undefined || distance < best.distance) {
      best = { name, distance };
    }
  }
  // A prefix (--kms-key for --kms-key-arn) is a slip too.
  const prefixed = known.find((name) => flag.length >= 4 && name.startsWith(flag));
  if (prefixed !== undefined) {
    return prefixed;
  }
  return best !== undefined && best.distance <= Math.max(2, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
