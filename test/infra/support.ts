/**
 * Helpers for the infrastructure tests: synthesize SegwatchStack with the feature flags from
 * cdk.json (the same the CLI passes), by default without running esbuild.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { REPO_ROOT } from '../../infra/function';
import { SegwatchStack } from '../../infra/stack';

export const CDK_JSON = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
  app: string;
  context: Record<string, unknown>;
};

export interface Synth {
  app: App;
  stack: SegwatchStack;
  template: Template;
  /** The synthesized CloudFormation template as plain JSON. */
  json: CfnTemplate;
}

export interface CfnResource {
  Type: string;
  Properties?: Record<string, any>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: Record<string, any>;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

const scratch: string[] = [];
/** Remove the cloud assemblies synth() wrote; call from afterAll. */
export function removeScratch(): void {
  for (const d of scratch.splice(0)) rmSync(d, { recursive: true, force: true });
}

/**
 * Synthesize the stack. `bundle: false` (the default) skips esbuild via `aws:cdk:bundling-stacks`;
 * `mutate` changes the stack before synthesis (tests that make it wrong on purpose).
 */
export function synth(
  opts: {
    bundle?: boolean;
    context?: Record<string, unknown>;
    outdir?: string;
    mutate?: (stack: SegwatchStack) => void;
  } = {},
): Synth {
  let outdir = opts.outdir;
  if (!outdir) scratch.push((outdir = mkdtempSync(join(tmpdir(), 'segwatch-synth-'))));
  const app = new App({
    outdir,
    context: {
      ...CDK_JSON.context,
      ...(opts.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...opts.context,
    },
  });
  const stack = new SegwatchStack(app, 'Segwatch');
  opts.mutate?.(stack);
  const template = Template.fromStack(stack);
  return { app, stack, template, json: template.toJSON() as CfnTemplate };
}

/** The logical id of a construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

export interface Statement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
  Principal?: unknown;
  Sid?: string;
}

export const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/** Every identity-policy statement attached to a role (its AWS::IAM::Policy resources and inline policies). */
export function roleStatements(json: CfnTemplate, roleLogicalId: string): Statement[] {
  const out: Statement[] = [];
  for (const r of Object.values(json.Resources)) {
    if (r.Type === 'AWS::IAM::Policy' && list(r.Properties?.Roles).some((x: any) => x?.Ref === roleLogicalId)) {
      out.push(...list<Statement>(r.Properties?.PolicyDocument?.Statement));
    }
  }
  const role = json.Resources[roleLogicalId];
  for (const p of list<any>(role?.Properties?.Policies)) out.push(...list<Statement>(p.PolicyDocument?.Statement));
  return out;
}

/** True when a (possibly intrinsic) value refers to the given logical id. */
export function refersTo(value: unknown, id: string): boolean {
  return JSON.stringify(value).includes(`"${id}"`);
}

export function resourcesOfType(json: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}
