/**
 * The SDK clients the functions make: one quiet logger, without the `info` that makes the SDK
 * build a redacted copy of every request and response for nothing. (The integration tests send
 * real requests through them.)
 */
import { describe, expect, it } from 'vitest';
import { dynamoClient, s3Client, snsClient, SDK_LOGGER } from '../../shared/adapters/clients';

describe('SDK clients', () => {
  it('all use SDK_LOGGER: debug, warn and trace (called directly by the SDK), no info or error', () => {
    for (const c of [dynamoClient(), s3Client(), snsClient()]) expect(c.config.logger).toBe(SDK_LOGGER);
    const l = SDK_LOGGER as unknown as Record<string, unknown>;
    expect(Object.keys(l).sort()).toEqual(['debug', 'trace', 'warn']);
    for (const k of ['debug', 'warn', 'trace']) expect(() => (l[k] as (...a: unknown[]) => void)('x')).not.toThrow();
  });
});
