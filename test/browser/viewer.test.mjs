// Browser tests of `fibertrace view` on the chapter's program (daisy, 2 procs): every page
// loads without console errors, View trace shows the chapter's rows and interactions, and
// screenshots of each page land in FT_ARTIFACTS for the docs.
//
// Environment (set by test/browser/CMakeLists.txt): FT_FIBERTRACE, FT_DAISY, FT_ARTIFACTS.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { env, fetchRaw, launchBrowser, loadPlaywright, startViewer, stopViewer, traceProgram, watchErrors } from './harness.mjs';

const playwright = await loadPlaywright();
const artifacts = env('FT_ARTIFACTS');
fs.mkdirSync(artifacts, { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-browser-'));

let viewer;
let browser;
let page;
let errors;
let jsonFlows = 0;
let passSlices = [];  // the JSON's X slices of pass fibers (ts, dur in µs)

const shot = (name) => page.screenshot({ path: path.join(artifacts, `${name}.png`) });
const ready = () => page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });

before(async () => {
  const { trace, stderr } = traceProgram(env('FT_DAISY'), work);
  assert.match(stderr, /^3$/m, 'daisy prints 3 on stderr');
  viewer = await startViewer(env('FT_FIBERTRACE'), trace);
  assert.match(viewer.stdout, /^Parsing trace\.\.\.\nSerializing trace\.\.\.\nTrace viewer is listening on http:\/\/127\.0\.0\.1:\d+\n/);
  browser = await launchBrowser(playwright);
  errors = watchErrors(browser.context);
  page = await browser.context.newPage();
  // The number of arrows in the exported JSON: one flow_out per flow.
  const doc = JSON.parse((await fetchRaw(`${viewer.url}/api/trace.json`)).body);
  jsonFlows = doc.traceEvents.filter((e) => e.flow_out).length;
  passSlices = doc.traceEvents.filter((e) => e.ph === 'X' && / pass$/.test(e.name));
});

after(async () => {
  if (browser) await browser.close();
  fs.rmSync(work, { recursive: true, force: true });
});

test('the index lists the chapter\'s sections', async () => {
  await page.goto(viewer.url);
  await ready();
  for (const text of ['View trace', 'Goroutine analysis', 'Synchronization blocking profile',
    'Syscall blocking profile', 'Network blocking profile', 'Scheduler latency profile', 'User-defined tasks and regions',
    'Download JSON', 'Open in Perfetto UI']) {
    assert.equal(await page.getByText(text, { exact: true }).count(), 1, text);
  }
  assert.match(await page.textContent('#file'), /daisy/);
  await shot('index');
});

test('View trace shows Goroutines, Heap, Threads, Proc 0 and Proc 1', async () => {
  await page.goto(`${viewer.url}/trace.html`);
  await ready();
  const labels = await page.$$eval('.label[data-track]', (els) => els.map((e) => e.textContent));
  assert.deepEqual(labels, ['Goroutines', 'Heap', 'Threads', 'Proc 0', 'Proc 1']);
  const slices = await page.evaluate(() => window.ftViewer.sliceRects());
  assert.ok(slices.length >= 3, `slices on screen: ${slices.length}`);
  assert.ok(slices.every((s) => /^G\d+ /.test(s.label)), 'slices are named G<id> <function>');
  // A pass slice lasts ~1 µs: at the whole trace's zoom it may share its pixel with others
  // (drawn merged). Then zoom onto the widest one, as a user would.
  if (!slices.some((s) => s.label.endsWith(' pass'))) {
    assert.ok(passSlices.length >= 3, `the JSON has ${passSlices.length} pass slices`);
    const w = passSlices.reduce((a, b) => (b.dur > a.dur ? b : a));
    await page.evaluate(([a, b]) => window.ftViewer.show(a, b),
      [Math.round(w.ts * 1000), Math.round((w.ts + w.dur) * 1000)]);
    await page.waitForFunction(
      () => window.ftViewer.sliceRects().some((s) => s.label.endsWith(' pass')), null,
      { timeout: 10000 });
  }
  await shot('trace');
});

test('clicking a slice shows its fiber, end reason and stack', async () => {
  const slices = await page.evaluate(() => window.ftViewer.sliceRects());
  // The widest pass slice: a pass fiber blocks on its channel receive, so it has a stack.
  const pass = slices.filter((s) => s.label.endsWith(' pass')).sort((a, b) => b.w - a.w)[0];
  await page.mouse.click(pass.x + Math.max(1, pass.w / 2), pass.y + pass.h / 2);
  await page.waitForSelector('#details[data-kind="slice"]');
  const title = await page.textContent('#details h3');
  assert.equal(title, pass.label);
  assert.ok(await page.locator('#details .stack li').count() >= 1, 'a stack is shown');
  assert.match(await page.textContent('#details'), /End/);
  assert.ok(await page.locator('#details .flow-link').count() >= 1, 'flows link to their other ends');
  await shot('trace-selected');

  // Following the incoming flow selects the slice at its other end.
  await page.locator('#details .flow-in .flow-link').first().click();
  await page.waitForFunction((t) => document.querySelector('#details h3')?.textContent !== t, title);
  assert.match(await page.textContent('#details h3'), /^G\d+ /);
});

// Flows that start and end in the same pixels of the same rows share one arrow (the server
// merges them, with a count), so the arrows drawn stand for every flow of the JSON.
test('ticking Flow events draws arrows for every flow of the JSON', async () => {
  await page.keyboard.press('0');
  assert.ok(jsonFlows >= 7, `daisy has ${jsonFlows} flows (4 creations and 4 handoffs expected)`);
  assert.equal(await page.getAttribute('#canvas', 'data-flow-count'), '0');
  await page.click('#options-button');
  await page.check('#opt-flows');
  await page.waitForFunction(() => document.querySelector('#canvas').dataset.flowCount !== '0');
  assert.equal(Number(await page.getAttribute('#canvas', 'data-flows-shown')), jsonFlows);
  const arrows = Number(await page.getAttribute('#canvas', 'data-flow-count'));
  assert.ok(arrows >= 1 && arrows <= jsonFlows, `${arrows} arrows for ${jsonFlows} flows`);
  await page.click('#options-button');
  await shot('trace-flows');
});

test('W zooms in and S zooms out', async () => {
  const span = async () => {
    const [a, b] = await page.$eval('#canvas', (c) => [Number(c.dataset.t0), Number(c.dataset.t1)]);
    return b - a;
  };
  await page.mouse.move(700, 300);
  const s0 = await span();
  await page.keyboard.press('w');
  await page.waitForFunction((s) => { const c = document.querySelector('#canvas').dataset; return c.t1 - c.t0 < s; }, s0);
  const s1 = await span();
  assert.ok(s1 < s0, `W: ${s0} -> ${s1}`);
  await page.keyboard.press('s');
  await page.keyboard.press('s');
  await page.waitForFunction((s) => { const c = document.querySelector('#canvas').dataset; return c.t1 - c.t0 > s; }, s1);
  assert.ok((await span()) > s1);
  // D pans: the range moves right, keeping its span.
  const t0 = Number(await page.getAttribute('#canvas', 'data-t0'));
  await page.keyboard.press('w');
  await page.keyboard.press('w');
  const t0w = Number(await page.getAttribute('#canvas', 'data-t0'));
  await page.keyboard.press('d');
  await page.waitForFunction((t) => Number(document.querySelector('#canvas').dataset.t0) > t, t0w);
  assert.ok(t0 !== Number(await page.getAttribute('#canvas', 'data-t0')));
});

test('clicking the Goroutines row shows the breakdown at that moment', async () => {
  await page.keyboard.press('0');
  // Click in the middle of the interval of the busiest sample, so the moment is known.
  const meta = JSON.parse((await fetchRaw(`${viewer.url}/api/meta`)).body);
  const w = JSON.parse((await fetchRaw(`${viewer.url}/api/window?tracks=c0&t0=0&t1=${meta.end}&width=20000`)).body);
  const smp = w.tracks[0].samples;
  let best = 0;
  const sum = (s) => s.slice(1).reduce((a, b) => a + b, 0);
  smp.forEach((s, i) => { if (sum(s) > sum(smp[best])) best = i; });
  const t = (smp[best][0] + (best + 1 < smp.length ? smp[best + 1][0] : meta.end)) / 2;
  const row = await page.locator('.label[data-track="c0"]').boundingBox();
  await page.mouse.click(await page.evaluate((tt) => window.ftViewer.pageX(tt), t), row.y + row.height / 2);
  await page.waitForSelector('#details[data-kind="counter"]');
  const cells = await page.$$eval('#details .counter-values tr', (trs) => trs.map((tr) => tr.textContent));
  assert.deepEqual(cells, ['Running', 'Runnable', 'Waiting', 'InSyscall'].map((k, i) => `${k}${smp[best][i + 1]}`));
  await shot('trace-counter');
});

// Issue 11: the counter rows are right from the trace's first moment; while main runs, the
// Threads row counts the one thread that runs it.
test('while main first runs, Goroutines says 1 running and Threads 1 running, 0 in syscalls', async () => {
  await page.keyboard.press('0');
  const doc = JSON.parse((await fetchRaw(`${viewer.url}/api/trace.json`)).body);
  const main = doc.traceEvents.filter((e) => e.ph === 'X' && e.name === 'G1 main').sort((a, b) => a.ts - b.ts)[0];
  assert.ok(main, 'main has a slice');
  const first = Math.min(...doc.traceEvents.filter((e) => e.ph !== 'M').map((e) => e.ts));
  assert.equal(main.ts, first, 'main runs from the first event on');
  const t = Math.round((main.ts + main.dur / 8) * 1000);  // early in main's first slice
  const click = async (track) => {
    const row = await page.locator(`.label[data-track="${track}"]`).boundingBox();
    await page.mouse.click(await page.evaluate((tt) => window.ftViewer.pageX(tt), t), row.y + row.height / 2);
    await page.waitForSelector('#details[data-kind="counter"]');
    return page.$$eval('#details .counter-values tr', (trs) => trs.map((tr) => tr.textContent));
  };
  const g = await click('c0');
  assert.equal(g[0], 'Running1', `Goroutines at ${t} ns: ${g}`);
  const th = await click('c1');
  assert.deepEqual(th, ['Running1', 'InSyscall0'], `Threads at ${t} ns`);
});

test('the by-goroutine view has a row per fiber, each linked to its own timeline', async () => {
  await page.goto(`${viewer.url}/trace.html?view=goroutine`);
  await ready();
  const labels = await page.$$eval('.label.slices a', (els) => els.map((e) => [e.textContent, e.getAttribute('href')]));
  assert.ok(labels.filter(([t]) => / pass$/.test(t)).length === 3, JSON.stringify(labels));
  assert.ok(labels.every(([, h]) => /goid=\d+/.test(h)));
  await shot('trace-goroutines');
  await page.click(`text=${labels.find(([t]) => / pass$/.test(t))[0]}`);
  await ready();
  assert.match(await page.textContent('.label.ruler'), /^G\d+ and related$/);
});

test('Goroutine analysis lists pass N=3 and sortable per-fiber tables', async () => {
  await page.goto(`${viewer.url}/goroutines.html`);
  await ready();
  const groups = await page.$$eval('.group-name', (els) => els.map((e) => e.textContent));
  assert.ok(groups.includes('pass N=3'), JSON.stringify(groups));
  assert.ok(groups.includes('sendFirst N=1'), JSON.stringify(groups));
  await shot('goroutines');
  await page.click('text=pass');
  await ready();
  assert.equal(await page.locator('table.data tbody tr').count(), 3);
  const ids = () => page.$$eval('table.data tbody tr td:first-child', (els) => els.map((e) => e.textContent));
  await page.click('th[data-key="id"]');
  const asc = await ids();
  await page.click('th[data-key="id"]');
  assert.deepEqual(await ids(), asc.slice().reverse());
  await shot('goroutines-pass');
});

test('blocking profiles draw a flame graph and a tree, and offer pprof', async () => {
  await page.goto(`${viewer.url}/profile.html?kind=sync`);
  await ready();
  assert.ok(await page.locator('.fnode').count() >= 2);
  assert.ok(await page.locator('.fnode[data-func="pass"]').count() >= 1, 'pass blocks on a channel');
  await shot('profile-sync');
  await page.click('#show-tree');
  assert.ok(await page.locator('#tree summary').count() >= 2);
  const pprof = await fetchRaw(`${viewer.url}/${await page.getAttribute('#pprof', 'href')}`);
  assert.equal(pprof.status, 200);
  assert.equal(pprof.body[0], 0x1f);
  assert.equal(pprof.body[1], 0x8b);
  for (const kind of ['syscall', 'sched']) {
    await page.goto(`${viewer.url}/profile.html?kind=${kind}`);
    await ready();
  }
  await page.goto(`${viewer.url}/tasks.html`);
  await ready();
});

test('Open in Perfetto UI hands the trace over after PING/PONG', async () => {
  // A stand-in for ui.perfetto.dev that answers the handshake and reports what it got.
  await browser.context.route('https://ui.perfetto.dev/**', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<title>waiting</title><script>
      addEventListener('message', (e) => {
        if (e.data === 'PING') e.source.postMessage('PONG', '*');
        else if (e.data && e.data.perfetto) document.title = 'got ' + e.data.perfetto.buffer.byteLength + ' ' + e.data.perfetto.title;
      });</script>`,
  }));
  await page.goto(viewer.url);
  await ready();
  const [popup] = await Promise.all([browser.context.waitForEvent('page'), page.click('#perfetto')]);
  await popup.waitForFunction(() => document.title.startsWith('got '), null, { timeout: 20000 });
  const size = (await fetchRaw(`${viewer.url}/api/trace.pftrace`)).body.length;
  assert.ok(size > 0);
  assert.equal(await popup.title(), `got ${size} daisy`);
  await popup.close();
  await browser.context.unroute('https://ui.perfetto.dev/**');
});

test('no console errors on any page', () => {
  assert.deepEqual(errors, []);
});

test('Ctrl-C stops the viewer cleanly', async () => {
  const r = await stopViewer(viewer);
  assert.equal(r.code, 0, `exit ${r.code} ${r.signal}`);
  assert.ok(r.ms < 5000, `stopped in ${r.ms} ms`);
});
