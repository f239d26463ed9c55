/** Function configuration from the environment (names in shared/table.ts). */
import { ENV, INCOMING_PREFIX } from './table';
import { MAX_FILING_BYTES } from './domain/parser';
import { requiredEnv } from './adapters/clients';

export function tableName(): string {
  return requiredEnv(ENV.table);
}
export function topicArn(): string {
  return requiredEnv(ENV.topic);
}
export function incomingPrefix(): string {
  return process.env[ENV.incomingPrefix] || INCOMING_PREFIX;
}
export function maxFilingBytes(): number {
  const raw = process.env[ENV.maxBytes];
  if (!raw) return MAX_FILING_BYTES;
  const n = Number.parseInt(raw, 10);
  if (!Number.isSafeInteger(n) || n <= 0)
    throw new Error(`${ENV.maxBytes} must be a positive integer, not ${JSON.stringify(raw)}`);
  return n;
}
