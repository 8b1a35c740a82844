/**
 * Where a function's code comes from: built from TypeScript source by esbuild in this repository (the project's own
 * app), or the bundle shipped prebuilt in the npm package, so an app that installs it needs no esbuild, Docker or
 * lockfile of ours (scripts/build.mjs writes the bundles).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The functions the package ships. */
export type FunctionName = 'decrypt' | 'verdict-gate';

const SOURCES: Record<FunctionName, string> = {
  decrypt: join('lambda', 'decrypt-function', 'handler.ts'),
  'verdict-gate': join('lambda', 'verdict-gate', 'handler.ts'),
};

/** The package's root: the nearest folder above this file holding a package.json (repository or installed package). */
export function packageRoot(from: string = __dirname): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`no package.json above ${from}`);
    }
    dir = parent;
  }
  return dir;
}

/** Either the TypeScript entry to bundle, or the folder holding the prebuilt `index.js`. */
export type FunctionSource = { readonly entry: string } | { readonly bundleDir: string };

/** The source when it is there (this repository), else the shipped bundle. */
export function functionSource(name: FunctionName): FunctionSource {
  const root = packageRoot();
  const entry = join(root, SOURCES[name]);
  if (existsSync(entry)) {
    return { entry };
  }
  const bundleDir = join(root, 'dist', 'functions', name);
  if (!existsSync(join(bundleDir, 'index.js'))) {
    throw new Error(
      `the ${name} function is neither in source (${entry}) nor bundled (${bundleDir}): reinstall the package`,
    );
  }
  return { bundleDir };
}
