// Benchmark of `fibertrace view` on a large trace (not a CTest test; see docs/viewer.md):
//   node bench_view.mjs FIBERTRACE TRACE [SCREENSHOT.png]
// Prints: time from starting `fibertrace view` to its URL, to the first complete paint of View
// trace in headless Chromium (browser started beforehand: its own start-up is not the tool's),
// then for zooming in with W and panning with D: the paint time of one frame and the time
// until the refetched window (un-merged slices) is on screen.

import { launchBrowser, loadPlaywright, startViewer, stopViewer } from './harness.mjs';

const [fibertrace, trace, screenshot] = process.argv.slice(2);
if (!fibertrace || !trace) {
  console.error('usage: node bench_view.mjs FIBERTRACE TRACE [SCREENSHOT.png]');
  process.exit(1);
}
const playwright = await loadPlaywright();
const browser = await launchBrowser(playwright);
const page = await browser.context.newPage();
await page.goto('about:blank');

const t0 = performance.now();
const viewer = await startViewer(fibertrace, trace);
const tListen = performance.now() - t0;
await page.goto(`${viewer.url}/trace.html`);
await page.waitForSelector('body[data-ready="1"]', { timeout: 120000 });
const tPaint = performance.now() - t0;
const meta = await page.evaluate(() => fetch('api/meta').then((r) => r.json()));

const median = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 2)];
async function steps(key, n) {
  const paints = [];
  const refetch = [];
  await page.mouse.move(700, 300);
  for (let i = 0; i < n; i++) {
    const before = await page.$eval('#canvas', (c) => [c.dataset.dataNsPerPx, c.dataset.dataT0].join());
    const s = performance.now();
    await page.keyboard.press(key);
    // The immediate repaint uses the data already there; then a new window may arrive.
    await page.waitForFunction((b) => {
      const c = document.querySelector('#canvas').dataset;
      return [c.dataNsPerPx, c.dataT0].join() !== b;
    }, before, { timeout: 5000 }).then(() => refetch.push(performance.now() - s), () => {});
    paints.push(Number(await page.getAttribute('#canvas', 'data-paint-ms')));
  }
  return { paints, refetch };
}
const zoom = await steps('w', 12);
const pan = await steps('d', 8);
if (screenshot) await page.screenshot({ path: screenshot });
const stop = await stopViewer(viewer);
await browser.close();

const fmt = (a) => (a.length ? `median ${median(a).toFixed(1)} ms, max ${Math.max(...a).toFixed(1)} ms (${a.length})` : 'n/a');
console.log(`trace: ${meta.events} events, ${meta.slices} slices, ${meta.flows} flows, ${(meta.bytes / 1e6).toFixed(1)} MB`);
console.log(`listening after:            ${tListen.toFixed(0)} ms`);
console.log(`first complete paint after: ${tPaint.toFixed(0)} ms`);
console.log(`zoom (W) frame paint:       ${fmt(zoom.paints)}`);
console.log(`zoom (W) refetch on screen: ${fmt(zoom.refetch)}`);
console.log(`pan (D) frame paint:        ${fmt(pan.paints)}`);
console.log(`pan (D) refetch on screen:  ${fmt(pan.refetch)}`);
console.log(`Ctrl-C: exit ${stop.code} after ${stop.ms.toFixed(0)} ms`);
