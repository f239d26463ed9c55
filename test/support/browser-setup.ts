/**
 * vitest globalSetup: one Chromium for the whole run (Debian's chromium-headless-shell driven by
 * playwright-core), its WebSocket endpoint provided to test files as inject('browserEndpoint');
 * each browser test file connects to it (chromium.connect) and opens its own contexts. Launched
 * only when the run includes a browser test (test/web/*.browser.test.ts): `vitest run test/unit`
 * starts no browser. Closed in teardown.
 */
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { chromium, type BrowserServer } from 'playwright-core';

declare module 'vitest' {
  export interface ProvidedContext {
    /** '' when this run has no browser test. */
    browserEndpoint: string;
  }
}

export const CHROMIUM = process.env.SEGWATCH_CHROMIUM ?? '/usr/bin/chromium-headless-shell';
/** TOOLCHAIN.md: without these, Chromium's background connections fail against the closed network. */
export const CHROMIUM_ARGS = [
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

let server: BrowserServer | undefined;

async function runNeedsBrowser(project: TestProject): Promise<boolean> {
  try {
    const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
    const specs = await project.vitest.getRelevantTestSpecifications(filters);
    return specs.some((s) => /\.browser\.test\.ts$/.test(s.moduleId));
  } catch {
    return true;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!(await runNeedsBrowser(project))) {
    project.provide('browserEndpoint', '');
    return async () => undefined;
  }
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium-headless-shell (.ci/run does this)`);
  server = await chromium.launchServer({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  project.provide('browserEndpoint', server.wsEndpoint());
  return async () => {
    await server?.close();
    server = undefined;
  };
}
