/**
 * The SDK clients the functions make: one quiet logger, without the `info` that makes the SDK
 * build a redacted copy of every request and response for nothing. (The integration tests send
 * real requests through them.)
 */
import { describe, expect, it } from 'vitest';
import { dynamoClient, snsClient, SDK_LOGGER } from '../../shared/adapters/clients';
import { s3Client } from '../../shared/adapters/s3-client';
import { loadS3Client } from '../../functions/api/objects';

describe('SDK clients', () => {
  it('all use SDK_LOGGER: debug, warn and trace (called directly by the SDK), no info or error', async () => {
    for (const c of [dynamoClient(), s3Client(), snsClient(), await loadS3Client()])
      expect(c.config.logger).toBe(SDK_LOGGER);
    const l = SDK_LOGGER as unknown as Record<string, unknown>;
    expect(Object.keys(l).sort()).toEqual(['debug', 'trace', 'warn']);
    for (const k of ['debug', 'warn', 'trace']) expect(() => (l[k] as (...a: unknown[]) => void)('x')).not.toThrow();
  });
});

describe("the api's S3 client, made on its first link", () => {
  it('has the settings of every other S3 client (path style from the environment, checksums only when required)', async () => {
    const [eager, lazy] = [s3Client(), await loadS3Client()];
    for (const k of ['forcePathStyle', 'requestChecksumCalculation', 'responseChecksumValidation'] as const)
      expect(await resolved(lazy.config[k]), k).toEqual(await resolved(eager.config[k]));
    expect(await lazy.config.region()).toBe(await eager.config.region());
  });
});

/** An SDK config value, which may be a provider function. */
async function resolved(v: unknown): Promise<unknown> {
  return typeof v === 'function' ? (v as () => unknown)() : v;
}
