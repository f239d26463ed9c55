/** The dashboard on the scenario's data through the fake read side (test/support/fake-read.ts). */
import { FakeReadQueries, listSource } from './fake-read';
import { scenarioVersions } from './web-scenario';

/** "Today" for the scenario: the day after its last filing day. */
export const SCENARIO_TODAY = '2014-11-07';

export function scenarioQueries(): FakeReadQueries {
  return new FakeReadQueries(listSource(scenarioVersions()));
}
