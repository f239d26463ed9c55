import { startDashboard } from './infra/local/serve';
import { scenarioQueries, SCENARIO_TODAY } from './test/support/web-app';
(async () => {
  const d = await startDashboard({ queries: scenarioQueries(), port: 4399, today: () => SCENARIO_TODAY, objects: { url: async (s) => `http://127.0.0.1:1/${s.key}` }, log: (l, m, x) => console.error(l, m, x) });
  console.log(d.url);
})();
