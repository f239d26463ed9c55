/**
 * The CDK app entry (infra/app.ts) as the CLI runs it: `cdk.json` names it, the CLI passes context
 * in CDK_CONTEXT_JSON and the output directory in CDK_OUTDIR. Runs it once, without bundling and
 * without AWS credentials.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/function';
import { CDK_JSON, type CfnTemplate } from './support';

let out: string;
let template: CfnTemplate;

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'segwatch-app-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CDK_OUTDIR: out };
  for (const k of Object.keys(env))
    if (/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)$/.test(k)) delete env[k];
  env.CDK_CONTEXT_JSON = JSON.stringify({
    ...CDK_JSON.context,
    'aws:cdk:bundling-stacks': [],
    alertEmail: 'ops-desk@example.com',
  });
  execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/tsx/dist/cli.mjs'), join(REPO_ROOT, 'infra/app.ts')], {
    cwd: REPO_ROOT,
    env,
    stdio: 'pipe',
    timeout: 120_000,
  });
  template = JSON.parse(readFileSync(join(out, 'Segwatch.template.json'), 'utf8')) as CfnTemplate;
}, 150_000);

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('cdk.json', () => {
  it('runs infra/app.ts with tsx and sets the current feature flags', () => {
    expect(CDK_JSON.app).toBe('npx tsx infra/app.ts');
    expect(CDK_JSON.context['@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy']).toBe(true);
    expect(CDK_JSON.context['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
    expect(CDK_JSON.context).not.toHaveProperty('alertEmail');
  });
});

describe('infra/app.ts', () => {
  it('synthesizes the Segwatch stack without AWS credentials', () => {
    expect(existsSync(join(out, 'manifest.json'))).toBe(true);
    expect(Object.keys(template.Resources).length).toBeGreaterThan(30);
    // parse, reconcile, notify, the dashboard's api, the scheduled check and CDK's bucket-notifications helper.
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function')).toHaveLength(6);
  });

  it('passes -c alertEmail through to the topic subscription', () => {
    const subs = Object.values(template.Resources).filter((r) => r.Type === 'AWS::SNS::Subscription');
    expect(subs).toHaveLength(1);
    expect(subs[0]!.Properties).toMatchObject({ Protocol: 'email', Endpoint: 'ops-desk@example.com' });
  });

  it('registers cdk-nag AwsSolutions: acknowledgements and their reasons are recorded in the template', () => {
    const acks = Object.values(template.Resources).flatMap(
      (r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as { id: string; reason: string }[],
    );
    expect(acks.length).toBeGreaterThan(0);
    expect(acks.map((a) => a.id)).toEqual(
      expect.arrayContaining(['AwsSolutions-L1', 'AwsSolutions-IAM5[Resource::*]']),
    );
    for (const a of acks) expect(a.reason.length, a.id).toBeGreaterThanOrEqual(40);
  });
});
