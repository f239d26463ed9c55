/**
 * The dashboard's infrastructure (infra/api.ts), read from the synthesized template: the HTTP API
 * (no CORS, throttled, logged, everything to the api function), the user pool (no self sign-up,
 * MFA available) and its one app client (code flow only, exact callback and sign-out URLs from
 * context, no wildcard), the function's read-only grants, and cdk-nag clean.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsSolutionsChecks } from 'cdk-nag';
import { API_ENV } from '../../functions/api/config';
import { acknowledgements } from '../../infra/stack';
import { checkDashboardUrl } from '../../infra/api';
import { ENV, INCOMING_PREFIX, TABLE } from '../../shared/table';
import {
  list,
  logicalId,
  removeScratch,
  resourcesOfType,
  roleStatements,
  synth,
  type CfnTemplate,
  type Statement,
  type Synth,
} from './support';

let s: Synth;
let ids: {
  api: string;
  fn: string;
  role: string;
  pool: string;
  client: string;
  domain: string;
  table: string;
  bucket: string;
  logs: string;
};

afterAll(removeScratch);

function idsOf(x: Synth) {
  const d = x.stack.dashboard;
  return {
    api: logicalId(x.stack, d.httpApi),
    fn: logicalId(x.stack, d.fn),
    role: logicalId(x.stack, d.fn.role!),
    pool: logicalId(x.stack, d.userPool),
    client: logicalId(x.stack, d.client),
    domain: logicalId(x.stack, d.domain),
    table: logicalId(x.stack, x.stack.table),
    bucket: logicalId(x.stack, x.stack.bucket),
    logs: logicalId(x.stack, d.accessLogs),
  };
}
const one = (json: CfnTemplate, type: string) => {
  const r = resourcesOfType(json, type);
  expect(r, type).toHaveLength(1);
  return r[0][1].Properties!;
};

beforeAll(() => {
  s = synth();
  ids = idsOf(s);
});

describe('the HTTP API', () => {
  it('is an HTTP API with no CORS configuration', () => {
    const api = s.json.Resources[ids.api];
    expect(api.Type).toBe('AWS::ApiGatewayV2::Api');
    expect(api.Properties!.ProtocolType).toBe('HTTP');
    expect(api.Properties!.CorsConfiguration).toBeUndefined();
    expect(api.Properties!.DisableExecuteApiEndpoint).not.toBe(true);
  });

  it('sends GET and HEAD of every path to the api function (proxy, payload 2.0), nothing else', () => {
    const routes = resourcesOfType(s.json, 'AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties!);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['GET /', 'GET /{proxy+}', 'HEAD /', 'HEAD /{proxy+}']);
    for (const r of routes) expect(r.AuthorizationType).toBe('NONE');
    const integrations = resourcesOfType(s.json, 'AWS::ApiGatewayV2::Integration').map(([, r]) => r.Properties!);
    expect(integrations.length).toBeGreaterThan(0);
    for (const i of integrations) {
      expect(i).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
      expect(i.IntegrationUri).toEqual({ 'Fn::GetAtt': [ids.fn, 'Arn'] });
    }
  });

  it('lets only this API invoke the function', () => {
    const perms = resourcesOfType(s.json, 'AWS::Lambda::Permission')
      .map(([, r]) => r.Properties!)
      .filter((p) => JSON.stringify(p.FunctionName).includes(ids.fn));
    expect(perms.length).toBeGreaterThan(0);
    for (const p of perms) {
      expect(p.Principal).toBe('apigateway.amazonaws.com');
      expect(JSON.stringify(p.SourceArn)).toContain(ids.api);
    }
  });

  it('has one $default stage, auto-deployed, throttled, with access logs kept a year', () => {
    const stage = one(s.json, 'AWS::ApiGatewayV2::Stage');
    expect(stage).toMatchObject({
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 100, ThrottlingRateLimit: 50 },
    });
    expect(stage.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [ids.logs, 'Arn'] });
    expect(JSON.parse(stage.AccessLogSettings.Format)).toMatchObject({
      status: '$context.status',
      path: '$context.path',
    });
    expect(s.json.Resources[ids.logs].Properties!.RetentionInDays).toBe(365);
  });
});

describe('the user pool and its app client', () => {
  it('has no self sign-up: administrators create users; MFA by authenticator app is available', () => {
    const pool = s.json.Resources[ids.pool];
    expect(pool.Properties!.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Properties!.MfaConfiguration).toBe('OPTIONAL');
    expect(pool.Properties!.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
    expect(pool.Properties!.Policies.PasswordPolicy).toMatchObject({
      MinimumLength: 14,
      RequireLowercase: true,
      RequireUppercase: true,
      RequireNumbers: true,
      RequireSymbols: true,
    });
    expect(pool.Properties!.DeletionProtection).toBe('ACTIVE');
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('-c dashboardMfa=required makes MFA mandatory', () => {
    const x = synth({ context: { dashboardMfa: 'required' } });
    expect(x.json.Resources[idsOf(x).pool].Properties!.MfaConfiguration).toBe('ON');
    expect(() => synth({ context: { dashboardMfa: 'sometimes' } })).toThrow(/dashboardMfa/);
  });

  it("has one public client: the hosted sign-in's code flow only, no secret, no other flows", () => {
    const clients = resourcesOfType(s.json, 'AWS::Cognito::UserPoolClient');
    expect(clients).toHaveLength(1);
    const c = clients[0][1].Properties!;
    expect(c).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email'],
      SupportedIdentityProviders: ['COGNITO'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      IdTokenValidity: 60,
    });
  });

  it("by default registers the API's own URL: /callback and /logout exactly", () => {
    const c = s.json.Resources[ids.client].Properties!;
    expect(c.CallbackURLs).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.api, 'ApiEndpoint'] }, '/callback']] }]);
    expect(c.LogoutURLs).toEqual([{ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.api, 'ApiEndpoint'] }, '/logout']] }]);
  });

  it('takes the URLs from -c dashboardUrl, exactly, and the function gets the same ones', () => {
    const x = synth({ context: { dashboardUrl: 'https://segwatch.example.com' } });
    const i = idsOf(x);
    const c = x.json.Resources[i.client].Properties!;
    expect(c.CallbackURLs).toEqual(['https://segwatch.example.com/callback']);
    expect(c.LogoutURLs).toEqual(['https://segwatch.example.com/logout']);
    const env = x.json.Resources[i.fn].Properties!.Environment.Variables;
    expect(env[API_ENV.callbackUrl]).toBe('https://segwatch.example.com/callback');
    expect(env[API_ENV.logoutUrl]).toBe('https://segwatch.example.com/logout');
    expect(JSON.stringify(x.json)).not.toMatch(/"https:\/\/[^"]*\*[^"]*"/);
  });

  it('refuses a dashboardUrl that is not an exact https origin (no wildcard, path, query or http)', () => {
    for (const bad of [
      'http://segwatch.example.com',
      'https://*.example.com',
      'https://segwatch.example.com/app',
      'https://segwatch.example.com/?x=1',
      'segwatch.example.com',
      'https://u@segwatch.example.com',
    ])
      expect(() => checkDashboardUrl(bad), bad).toThrow(/dashboardUrl/);
    expect(checkDashboardUrl('https://segwatch.example.com/')).toBe('https://segwatch.example.com');
    expect(() => synth({ context: { dashboardUrl: 'https://*.example.com' } })).toThrow(/wildcard/);
  });

  it('has a hosted sign-in domain (prefix from -c authDomainPrefix)', () => {
    expect(s.json.Resources[ids.domain].Properties!.Domain).toEqual({
      'Fn::Join': ['-', ['segwatch', { Ref: 'AWS::AccountId' }]],
    });
    const x = synth({ context: { authDomainPrefix: 'acme-segwatch' } });
    expect(x.json.Resources[idsOf(x).domain].Properties!.Domain).toBe('acme-segwatch');
  });
});

describe('the api function', () => {
  it('comes from the one function construct, with the environment the app reads', () => {
    const p = s.json.Resources[ids.fn].Properties!;
    expect(p).toMatchObject({
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 1024,
      Timeout: 10,
    });
    const env = p.Environment.Variables;
    expect(env.NODE_OPTIONS).toBeUndefined();
    expect(env).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'segwatch-api',
      [ENV.table]: { Ref: ids.table },
      [ENV.bucket]: { Ref: ids.bucket },
      [ENV.incomingPrefix]: INCOMING_PREFIX,
      [API_ENV.userPoolId]: { Ref: ids.pool },
      [API_ENV.clientId]: { Ref: ids.client },
    });
    expect(JSON.stringify(env[API_ENV.domain])).toContain(ids.domain);
    expect(env[API_ENV.callbackUrl]).toEqual(s.json.Resources[ids.client].Properties!.CallbackURLs[0]);
    expect(env[API_ENV.logoutUrl]).toEqual(s.json.Resources[ids.client].Properties!.LogoutURLs[0]);
  });

  it('may only read: Query on the table and its indexes, s3:GetObject under incoming/, kms:Decrypt through those services, its own logs', () => {
    const allow = roleStatements(s.json, ids.role).filter((st) => st.Effect === 'Allow');
    const actions = (st: Statement) => list(st.Action);
    const all = allow.flatMap(actions);
    for (const a of all)
      expect(a).toMatch(/^(dynamodb:Query|s3:GetObject|kms:Decrypt|logs:(CreateLogStream|PutLogEvents))$/);
    const dynamo = allow.filter((st) => actions(st).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap((st) => list(st.Resource))).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [ids.table, 'Arn'] },
        ...TABLE.indexes.map((i) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.table, 'Arn'] }, `/index/${i.name}`]] })),
      ]),
    );
    const s3 = allow.filter((st) => actions(st).some((a) => a.startsWith('s3:')));
    expect(s3.flatMap((st) => list(st.Resource))).toEqual([
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [ids.bucket, 'Arn'] }, `/${INCOMING_PREFIX}*`]] },
    ]);
    for (const st of allow.filter((x) => actions(x).includes('kms:Decrypt')))
      expect(JSON.stringify(st.Condition)).toContain('kms:ViaService');
    expect(s.json.Resources[ids.role].Properties!.ManagedPolicyArns).toBeUndefined();
  });
});

describe('cdk-nag', () => {
  it("reports nothing unacknowledged, with any of the dashboard's options", () => {
    for (const context of [{}, { dashboardMfa: 'required' }, { dashboardUrl: 'https://segwatch.example.com' }]) {
      const x = Object.keys(context).length ? synth({ context }) : s;
      const violations = new AwsSolutionsChecks(x.app).validateScope(x.stack).violations;
      expect(violations, JSON.stringify(context)).toEqual([]);
    }
  });

  it("the dashboard's acknowledgements give their reasons; COG2 only while MFA is optional", () => {
    const mine = acknowledgements(s.stack).filter(([path]) => path.startsWith('Segwatch/Dashboard'));
    expect(mine.map(([, id]) => id.replace(/\[.*$/, '')).sort()).toEqual(
      [
        'AwsSolutions-APIG4',
        'AwsSolutions-APIG4',
        'AwsSolutions-APIG4',
        'AwsSolutions-APIG4',
        'AwsSolutions-COG2',
        'AwsSolutions-COG8',
        'AwsSolutions-IAM5',
        'AwsSolutions-L1',
      ].sort(),
    );
    for (const [, , reason] of mine) expect(reason.length).toBeGreaterThan(60);
    const required = synth({ context: { dashboardMfa: 'required' } });
    expect(
      acknowledgements(required.stack).filter(
        ([p, id]) => p.startsWith('Segwatch/Dashboard') && id === 'AwsSolutions-COG2',
      ),
    ).toEqual([]);
  });
});
