/**
 * The Python the project's checks run: `$PYTHON` when set, else the repository's `.venv` (where `.ci/run` and the
 * README install requirements-dev.txt), else `python3` from the PATH.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function pythonCommand(): string {
  const fromEnv = process.env.PYTHON?.trim();
  if (fromEnv) {
    return fromEnv;
  }
  const venv = join(__dirname, '..', '.venv', 'bin', 'python');
  return existsSync(venv) ? venv : 'python3';
}

/** What to tell someone whose Python lacks a tool. */
export const INSTALL_HINT =
  'python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt (or set PYTHON to a Python that has it)';
