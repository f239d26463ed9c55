/**
 * The one Lambda function construct: every segwatch function is a SegwatchFunction, so runtime,
 * architecture, bundling, logging and permissions-to-log are decided once, here.
 * Modelled on aws-powertools/powertools-lambda-typescript examples/app (FunctionWithLogGroup).
 */
import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { PIPELINE } from '../shared/table';
import { BUNDLING, LAZY_PACKAGES, lazyBundleCommand, lazyPackagesOf } from './bundling';

/** The repository root: entries, package-lock.json and tsconfig.json are resolved from it. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** Memory for every function unless overridden (shared/table.ts PIPELINE has no memory setting). */
export const DEFAULT_MEMORY_MB = 512;

/** How long each function's logs are kept. */
export const LOG_RETENTION = RetentionDays.ONE_YEAR;

/** Powertools service names are `segwatch-<function>`, as the handlers' own Loggers name themselves. */
export const SERVICE_PREFIX = 'segwatch';

export const RUNTIME = Runtime.NODEJS_22_X;
export const ARCHITECTURE = Architecture.ARM_64;

/**
 * The NodejsFunction bundling options made from BUNDLING (infra/bundling.ts), for the function whose
 * handler is `entry` (its lazy packages: lazyPackagesOf).
 */
export function nodejsBundling(entry?: string): BundlingOptions {
  if (BUNDLING.format !== 'cjs') throw new Error('infra/function.ts maps only the cjs format');
  const lazy = entry === undefined ? [...LAZY_PACKAGES] : lazyPackagesOf(entry);
  return {
    target: BUNDLING.target,
    format: OutputFormat.CJS,
    minify: BUNDLING.minify,
    sourceMap: BUNDLING.sourceMap,
    sourcesContent: BUNDLING.sourcesContent,
    keepNames: BUNDLING.keepNames,
    mainFields: [...BUNDLING.mainFields],
    externalModules: lazy,
    logLevel: LogLevel.WARNING,
    // The lazy packages (infra/bundling.ts LAZY_PACKAGES) the bundle imports, in files of their own beside index.js.
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (_inputDir: string, outputDir: string) => [lazyBundleCommand(outputDir, undefined, lazy)],
    },
  };
}

export interface SegwatchFunctionProps {
  /** Handler file relative to the repository root, e.g. `functions/parse/index.ts`; it exports `handler`. */
  readonly entry: string;
  readonly description: string;
  /** Short name (`parse`): POWERTOOLS_SERVICE_NAME becomes `segwatch-<name>`. */
  readonly name: string;
  /** Extra environment variables (ENV in shared/table.ts). */
  readonly environment?: Record<string, string>;
  /** @default DEFAULT_MEMORY_MB */
  readonly memorySize?: number;
  /** @default PIPELINE.functionTimeoutSeconds */
  readonly timeout?: Duration;
}

/**
 * A NodejsFunction with segwatch's defaults: nodejs22.x on ARM64, esbuild bundling from
 * infra/bundling.ts with its source map beside it (read only when an error is logged: shared/adapters/stacks.ts), its own log group with a retention,
 * and its own role that may write only to that log group (no AWS managed policy). Grants for
 * data (bucket, table, topic, keys) come from the function's permission list,
 * functions/<name>/permissions.ts, through grantPermissions (infra/grants.ts).
 */
export class SegwatchFunction extends NodejsFunction {
  readonly logGroupRef: LogGroup;
  /** The short name (`parse`): its permission list is functions/<name>/permissions.ts (test/infra/permissions.test.ts). */
  readonly segwatchName: string;

  constructor(scope: Construct, id: string, props: SegwatchFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: LOG_RETENTION,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the segwatch ${id} function`,
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: RUNTIME,
      architecture: ARCHITECTURE,
      memorySize: props.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: props.timeout ?? Duration.seconds(PIPELINE.functionTimeoutSeconds),
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: nodejsBundling(props.entry),
      logGroup,
      role,
      environment: {
        POWERTOOLS_SERVICE_NAME: `${SERVICE_PREFIX}-${props.name}`,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
    });
    this.logGroupRef = logGroup;
    this.segwatchName = props.name;
  }
}
