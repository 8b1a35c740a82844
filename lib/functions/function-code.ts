/**
 * A Lambda function of this project, from source or from its shipped bundle (`function-source.ts`), bundled the same
 * way in both cases (`function-bundle.json` is shared with scripts/build.mjs, which writes the shipped bundles).
 */
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Construct } from 'constructs';
import functionBundle from './function-bundle.json';
import { type FunctionName, functionSource, packageRoot } from './function-source';

/** Everything but the code: runtime, memory, role, environment, … */
export type FunctionSettings = Omit<lambda.FunctionProps, 'code' | 'handler'>;

/**
 * Builds the function with esbuild from its TypeScript entry when that is present (this repository; no Docker), or
 * deploys the prebuilt bundle the package ships.
 */
export function bundledOrBuilt(
  scope: Construct,
  id: string,
  name: FunctionName,
  settings: FunctionSettings,
): lambda.Function {
  const source = functionSource(name);
  if ('bundleDir' in source) {
    return new lambda.Function(scope, id, {
      ...settings,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(source.bundleDir),
    });
  }
  const root = packageRoot();
  return new NodejsFunction(scope, id, {
    ...settings,
    entry: source.entry,
    handler: 'handler',
    projectRoot: root,
    depsLockFilePath: join(root, 'package-lock.json'),
    bundling: {
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      target: 'node22',
      format: OutputFormat.CJS,
      // The SDK the tests ran against is bundled, not the runtime's; function-bundle.json says what is left out.
      mainFields: [...functionBundle.mainFields],
      externalModules: [...functionBundle.external],
      forceDockerBundling: false,
    },
  });
}
