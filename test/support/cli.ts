/** Running the real `segwatch` CLI in a child process, for the CLI tests. */
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

export const CLI = join(process.cwd(), 'bin/segwatch.js');

export function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export function javaFor(stateDir: string): string[] {
  try {
    return execFileSync('pgrep', ['-f', `dbPath ${stateDir}`], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean);
  } catch {
    return [];
  }
}

export const noStackTrace = (s: string) => expect(s).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
