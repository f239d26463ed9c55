/**
 * What the schedule function may do, beside the code that does it (infra/schedule.ts grants
 * exactly this; test/infra/schedule.test.ts holds the template to it, and
 * test/unit/schedule-pipeline.test.ts holds the code to it). Logs are granted by SegwatchFunction.
 */
export interface TablePermission {
  /** `table`: the table itself; `index:<name>`: one of its global secondary indexes. */
  readonly on: 'table' | `index:${string}`;
  readonly actions: readonly string[];
  readonly why: string;
}

export const SCHEDULE_PERMISSIONS: readonly TablePermission[] = [
  {
    on: 'table',
    actions: ['dynamodb:PutItem'],
    why: 'conditional puts of the missing-filing alerts and the daily digest into the alert outbox (Store.putAlert, Store.putAlertUnder)',
  },
  {
    on: 'index:gsi2',
    actions: ['dynamodb:Query'],
    why: "every firm's effective filing on each day of the window (Store.firmsOnDay: gsi2 DAY#<date>, FIRM#...)",
  },
];
