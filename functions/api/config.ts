/** The api function's environment (set by infra/api.ts), read once at cold start. */
import { requiredEnv } from '../../shared/adapters/clients';
import type { CognitoConfig } from './auth';

export const API_ENV = {
  userPoolId: 'COGNITO_USER_POOL_ID',
  clientId: 'COGNITO_CLIENT_ID',
  /** The hosted sign-in's base URL (https://<prefix>.auth.<region>.amazoncognito.com). */
  domain: 'COGNITO_DOMAIN',
  callbackUrl: 'DASHBOARD_CALLBACK_URL',
  logoutUrl: 'DASHBOARD_LOGOUT_URL',
} as const;

export function cognitoConfig(): CognitoConfig {
  return {
    userPoolId: requiredEnv(API_ENV.userPoolId),
    clientId: requiredEnv(API_ENV.clientId),
    domain: requiredEnv(API_ENV.domain),
    callbackUrl: requiredEnv(API_ENV.callbackUrl),
    logoutUrl: requiredEnv(API_ENV.logoutUrl),
  };
}
