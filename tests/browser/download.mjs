// Opens PAGE_URL in headless Debian chromium, clicks the link named "Download all", waits for the
// download to finish and saves it into OUT_DIR under the name the browser chose (from Content-Disposition).
// Prints one JSON line: {"suggestedFilename": ..., "path": ..., "failure": ...}. Used by BrowserDownloadTests.
import { chromium } from 'playwright-core';
import path from 'node:path';

const [pageUrl, outDir] = process.argv.slice(2);
if (!pageUrl || !outDir) {
  console.error('usage: node download.mjs PAGE_URL OUT_DIR');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
  headless: true,
  // --no-sandbox: CI runs as root. The rest keep chromium from reaching anything but the test's loopback servers.
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  timeout: 60_000,
});
try {
  const context = await browser.newContext({ acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(pageUrl, { timeout: 30_000 });
  const [download] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.getByRole('link', { name: 'Download all' }).click(),
  ]);
  const name = download.suggestedFilename();
  const target = path.join(outDir, name);
  await download.saveAs(target); // resolves once the download has completed
  console.log(JSON.stringify({ suggestedFilename: name, path: target, failure: await download.failure() }));
} finally {
  await browser.close();
}
