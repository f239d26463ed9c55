import { describe, expect, it } from 'vitest';
import { ingestS3Record } from '../../shared/pipeline/ingest';
import { World } from '../support/mock-pipeline';
import { INITIAL_SHORT } from './support';

describe('an object deleted before parse reads it', () => {
  it('is recorded as rejected (gone) with an alert, not retried forever', async () => {
    const w = new World();
    const record = w.upload('deleted.txt', INITIAL_SHORT);
    w.objects.clear();
    const out = await ingestS3Record(w.ingestDeps, record);
    expect(out).toMatchObject({ status: 'rejected', code: 'gone' });
    const [rec] = await w.store.listObjectRecords(record.s3.bucket.name, 'incoming/deleted.txt');
    expect(rec).toMatchObject({ status: 'rejected', reasonCode: 'gone' });
    const alerts = await w.store.listObjectAlerts(record.s3.bucket.name, 'incoming/deleted.txt');
    expect(alerts.map((a) => a.kind)).toEqual(['rejected']);
  });
});
