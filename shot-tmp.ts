import { chromium } from 'playwright-core';
(async () => {
  const [path, out, h] = process.argv.slice(2);
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium-headless-shell', args: ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  const p = await b.newPage({ viewport: { width: 1366, height: Number(h ?? 900) }, javaScriptEnabled: false });
  await p.goto('http://127.0.0.1:4399' + path);
  await p.screenshot({ path: out });
  await b.close();
})();
