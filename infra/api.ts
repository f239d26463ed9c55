/**
 * The dashboard on AWS: an API Gateway HTTP API (no CORS, throttled, access-logged) in front of
 * the api function (functions/api), and the Cognito user pool its users sign in with: no self
 * sign-up (administrators create users, who get an invitation), MFA by authenticator app, the
 * hosted sign-in with the authorization-code flow and PKCE for one public app client whose
 * callback and sign-out URLs are exact (no wildcard).
 *
 * The function may only read: Query on the table and its indexes, s3:GetObject under
 * incoming/ (functions/api/permissions.ts).
 *
 * CDK context:
 *   dashboardUrl      the URL users open (https, e.g. a custom domain in front of the API);
 *                     default: the HTTP API's own execute-api URL
 *   authDomainPrefix  the hosted sign-in's domain prefix (<prefix>.auth.<region>.amazoncognito.com);
 *                     default: segwatch-<account id>
 *   dashboardMfa      optional (default) or required
 */
import { type CfnElement, CfnOutput, Duration, Fn, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { API_ENV } from '../functions/api/config';
import { PERMISSIONS } from '../functions/api/permissions';
import { ENV, INCOMING_PREFIX } from '../shared/table';
import { SegwatchFunction } from './function';
import { grantPermissions, type SegwatchResources } from './grants';

export const DASHBOARD_URL_CONTEXT = 'dashboardUrl';
export const AUTH_DOMAIN_PREFIX_CONTEXT = 'authDomainPrefix';
export const DASHBOARD_MFA_CONTEXT = 'dashboardMfa';

/** Rate and burst for the whole API (a few dozen staff, each page one request). */
export const API_THROTTLE = { rateLimit: 50, burstLimit: 100 };
/** How long a sign-in lasts before Cognito's hosted page is visited again (the ID token's life). */
export const SESSION_VALIDITY = Duration.hours(1);

export interface SegwatchApiProps {
  /** The stack's resources (infra/grants.ts): the function is granted exactly functions/api/permissions.ts on them. */
  readonly resources: SegwatchResources;
  /** @default the `dashboardUrl` context value, else the HTTP API's own URL */
  readonly dashboardUrl?: string;
  /** @default the `authDomainPrefix` context value, else segwatch-<account id> */
  readonly authDomainPrefix?: string;
  /** @default the `dashboardMfa` context value, else 'optional' */
  readonly mfa?: 'optional' | 'required';
}

/** A dashboard URL from context: https, a host, no path beyond "/", no query, no wildcard. */
export function checkDashboardUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`${DASHBOARD_URL_CONTEXT} must be a URL like https://dashboard.example.com, got "${raw}"`);
  }
  if (
    u.protocol !== 'https:' ||
    raw.includes('*') ||
    u.search ||
    u.hash ||
    u.username ||
    (u.pathname !== '/' && u.pathname !== '')
  )
    throw new Error(
      `${DASHBOARD_URL_CONTEXT} must be an https origin with no path, query or wildcard (https://dashboard.example.com), got "${raw}"`,
    );
  return u.origin;
}

export class SegwatchApi extends Construct {
  readonly fn: SegwatchFunction;
  readonly httpApi: apigw.HttpApi;
  readonly stage: apigw.HttpStage;
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  readonly accessLogs: LogGroup;
  /** The dashboard's base URL (may be a token). */
  readonly url: string;

  constructor(scope: Construct, id: string, props: SegwatchApiProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const context = (key: string) => this.node.tryGetContext(key) as string | undefined;

    // ---- the HTTP API (its URL is what the app client registers, unless a dashboardUrl is given)
    this.httpApi = new apigw.HttpApi(this, 'HttpApi', {
      apiName: `${stack.stackName}-dashboard`,
      description: 'segwatch dashboard',
      createDefaultStage: false,
    });
    const given = props.dashboardUrl ?? context(DASHBOARD_URL_CONTEXT);
    this.url = given ? checkDashboardUrl(given) : this.httpApi.apiEndpoint;
    const callbackUrl = Token.isUnresolved(this.url) ? Fn.join('', [this.url, '/callback']) : `${this.url}/callback`;
    const logoutUrl = Token.isUnresolved(this.url) ? Fn.join('', [this.url, '/logout']) : `${this.url}/logout`;

    // ---- users
    const mfa = props.mfa ?? (context(DASHBOARD_MFA_CONTEXT) as 'optional' | 'required' | undefined) ?? 'optional';
    if (mfa !== 'optional' && mfa !== 'required')
      throw new Error(`${DASHBOARD_MFA_CONTEXT} must be optional or required, got "${mfa}"`);
    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${stack.stackName}-dashboard-users`,
      selfSignUpEnabled: false,
      userInvitation: {
        emailSubject: 'Your segwatch dashboard account',
        emailBody:
          'An administrator created a segwatch dashboard account for you. User name: {username}, temporary password: {####}. You will choose your own password at first sign-in.',
      },
      signInAliases: { email: true, username: false },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      mfa: mfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const prefix =
      props.authDomainPrefix ?? context(AUTH_DOMAIN_PREFIX_CONTEXT) ?? Fn.join('-', ['segwatch', stack.account]);
    this.domain = this.userPool.addDomain('SignIn', { cognitoDomain: { domainPrefix: prefix } });
    this.client = this.userPool.addClient('Dashboard', {
      userPoolClientName: 'segwatch-dashboard',
      generateSecret: false,
      // Only the hosted sign-in (code flow); no password, SRP or custom flows from other clients.
      authFlows: { user: false, userPassword: false, userSrp: false, custom: false, adminUserPassword: false },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL],
        callbackUrls: [callbackUrl],
        logoutUrls: [logoutUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: SESSION_VALIDITY,
      accessTokenValidity: SESSION_VALIDITY,
      refreshTokenValidity: SESSION_VALIDITY,
      enableTokenRevocation: true,
    });

    // ---- the function
    const domainUrl = Fn.join('', ['https://', this.domain.domainName, '.auth.', stack.region, '.amazoncognito.com']);
    this.fn = new SegwatchFunction(this, 'Api', {
      name: 'api',
      entry: 'functions/api/index.ts',
      description: 'The segwatch dashboard: pages and JSON behind sign-in, read-only',
      memorySize: 1024,
      timeout: Duration.seconds(10),
      environment: {
        [ENV.table]: props.resources.table.tableName,
        [ENV.bucket]: props.resources.bucket.bucketName,
        [ENV.incomingPrefix]: INCOMING_PREFIX,
        [API_ENV.userPoolId]: this.userPool.userPoolId,
        [API_ENV.clientId]: this.client.userPoolClientId,
        [API_ENV.domain]: domainUrl,
        [API_ENV.callbackUrl]: callbackUrl,
        [API_ENV.logoutUrl]: logoutUrl,
      },
    });
    // Read-only, exactly the list in functions/api/permissions.ts (with the key use it needs).
    grantPermissions(this.fn, PERMISSIONS, props.resources);

    // ---- routes: everything to the function (it answers 404 itself); no CORS configuration at all
    this.httpApi.addRoutes({
      path: '/',
      methods: [apigw.HttpMethod.GET, apigw.HttpMethod.HEAD],
      integration: new HttpLambdaIntegration('Root', this.fn),
    });
    this.httpApi.addRoutes({
      path: '/{proxy+}',
      methods: [apigw.HttpMethod.GET, apigw.HttpMethod.HEAD],
      integration: new HttpLambdaIntegration('Pages', this.fn),
    });
    // Only this API, in this account, may invoke the function (no confused deputy): the integration's
    // permissions name the API's ARN; add the account.
    for (const p of this.node.findAll().filter((c): c is lambda.CfnPermission => c instanceof lambda.CfnPermission))
      if (p.principal === 'apigateway.amazonaws.com') p.sourceAccount = stack.account;
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new apigw.HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
          }),
        ),
      },
    });

    new CfnOutput(this, 'DashboardUrl', {
      value: this.url,
      description: 'The dashboard (sign in with a user an administrator created in the user pool)',
    });
    new CfnOutput(this, 'DashboardUserPoolId', {
      value: this.userPool.userPoolId,
      description: 'Dashboard users: aws cognito-idp admin-create-user --user-pool-id <this> --username <email>',
    });
    new CfnOutput(this, 'DashboardClientId', {
      value: this.client.userPoolClientId,
      description: 'The dashboard app client',
    });
    new CfnOutput(this, 'DashboardSignInDomain', { value: domainUrl, description: 'Cognito hosted sign-in' });

    this.acknowledge(mfa, props);
  }

  /** cdk-nag findings inherent to this design, each on the narrowest construct, with its reason. */
  private acknowledge(mfa: 'optional' | 'required', props: SegwatchApiProps): void {
    const stack = Stack.of(this);
    const ack = (scope: Construct, id: string, reason: string) => Validations.of(scope).acknowledge({ id, reason });
    ack(
      this.fn,
      'AwsSolutions-L1',
      'nodejs22.x is the runtime this project pins, bundles for (esbuild target node22) and tests against; moving to a newer Node.js runtime is a deliberate upgrade, not a drift.',
    );
    const bucket = props.resources.bucket.node.defaultChild as CfnElement | undefined;
    if (bucket)
      ack(
        this.fn.role!,
        `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(bucket)}.Arn>/${INCOMING_PREFIX}*]`,
        `The dashboard links to whichever filing a user opens, so it may read (s3:GetObject) any object under ${INCOMING_PREFIX} of the filings bucket, and nothing else in it.`,
      );
    for (const route of this.httpApi.node.findAll().filter((c) => c instanceof apigw.HttpRoute)) {
      ack(
        route,
        'AwsSolutions-APIG4',
        "Authorization is the function's own, on every request: the session is an HttpOnly cookie holding a Cognito ID token that aws-jwt-verify checks (signature, issuer, audience, expiry, token use); only /health, /login, /callback and /logout answer without it. An API Gateway JWT authorizer reads only the Authorization header, which browsers do not send for page navigations.",
      );
    }
    ack(
      this.userPool,
      'AwsSolutions-COG8',
      'Cognito threat protection needs the Plus feature plan, billed per active user. The pool is on the Essentials plan: no self sign-up (administrators create every user), a 14-character password policy, TOTP MFA, and one public client that only uses the hosted sign-in with PKCE.',
    );
    if (mfa === 'optional')
      ack(
        this.userPool,
        'AwsSolutions-COG2',
        'MFA (authenticator app) is available to every user and can be made mandatory for the pool with -c dashboardMfa=required; it is optional by default so that a newly invited user can sign in before enrolling a device.',
      );
  }
}
