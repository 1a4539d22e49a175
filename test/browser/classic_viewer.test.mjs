// Every sample's Chrome JSON, imported by the classic trace viewer that Go 1.19 ships
// (golang-1.19-src: trace_viewer_full.html, the catapult importer behind `go tool trace` and
// chrome://tracing) in headless Chromium: the import must raise no warning at all (it reports
// e.g. arg_merge_error when a flow's two ends carry the same argument). Go's own JSON for the
// chapter's program raises one, which shows the check can fail.
//
// Environment (test/browser/CMakeLists.txt): FT_FIBERTRACE, FT_SAMPLES_DIR.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { env, launchBrowser, loadPlaywright, skip } from './harness.mjs';

const STATIC = '/usr/share/go-1.19/src/cmd/trace/static';
if (!fs.existsSync(`${STATIC}/trace_viewer_full.html`)) skip('golang-1.19-src is not installed');
const playwright = await loadPlaywright();
const fibertrace = env('FT_FIBERTRACE');
const samplesDir = env('FT_SAMPLES_DIR');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-classic-'));
const here = path.dirname(new URL(import.meta.url).pathname);

// The samples and how to run each (deadlock exits non-zero by design; the trace is complete).
const SAMPLES = ['daisy', 'daisy_sleep', 'annotations', 'deadlock', 'fileio', 'sieve', 'timeouts', 'workers'];
const VIEWS = ['proc', 'thread', 'goroutine'];

const PAGE = `<!doctype html><html><head>
<script src="/static/webcomponents.min.js"></script>
<link rel="import" href="/static/trace_viewer_full.html">
</head><body><script>
// One import, the viewer's own way (tr.importer.Import): its warnings as "type: message".
window.importWarnings = async (url) => {
  const text = await (await fetch(url)).text();
  const model = new tr.Model();
  new tr.importer.Import(model).importTraces([text]);
  return model.importWarnings.map((w) => w.type + ': ' + w.message);
};
</script></body></html>`;

let server;
let base;
let browser;
let page;
const jsons = new Map();  // url path -> file

before(async () => {
  for (const s of SAMPLES) {
    const trace = path.join(work, `${s}.trace`);
    const args = s === 'fileio' ? [work] : [];
    const r = spawnSync(path.join(samplesDir, s), args, { env: { ...process.env, FT_TRACE: trace, FT_MAXPROCS: '2' }, timeout: 60000, stdio: 'ignore' });
    assert.ok(fs.existsSync(trace), `${s} wrote no trace (status ${r.status})`);
    for (const v of VIEWS) {
      const out = path.join(work, `${s}.${v}.json`);
      const e = spawnSync(fibertrace, ['export', trace, `--view=${v}`, '-o', out]);
      assert.equal(e.status, 0, `export ${s} ${v}: ${e.stderr}`);
      jsons.set(`/json/${s}.${v}.json`, out);
    }
  }
  jsons.set('/json/go.json', path.join(here, '../exporter/data/go-tool-trace-daisy.json'));
  server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    let file = null;
    let type = 'application/json';
    if (u.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end(PAGE);
    }
    if (u.pathname.startsWith('/static/')) {
      const name = path.basename(u.pathname);
      if (['trace_viewer_full.html', 'webcomponents.min.js'].includes(name)) file = path.join(STATIC, name);
      type = name.endsWith('.js') ? 'text/javascript' : 'text/html';
    } else {
      file = jsons.get(u.pathname) ?? null;
    }
    if (!file) {
      res.writeHead(404);
      return res.end();
    }
    res.writeHead(200, { 'content-type': type });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
  browser = await launchBrowser(playwright);
  page = await browser.context.newPage();
  await page.goto(`${base}/`);
  await page.waitForFunction(() => window.tr && tr.importer && tr.importer.Import && tr.Model, null, { timeout: 60000 });
});

after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
  fs.rmSync(work, { recursive: true, force: true });
});

test('Go\'s own JSON for daisy raises its one known warning (the check can fail)', async () => {
  const w = await page.evaluate((u) => window.importWarnings(u), '/json/go.json');
  assert.ok(w.length >= 1, 'Go\'s JSON imports with a warning');
});

for (const s of SAMPLES) {
  test(`${s}: every view imports into the classic viewer without a warning`, async () => {
    for (const v of VIEWS) {
      const w = await page.evaluate((u) => window.importWarnings(u), `/json/${s}.${v}.json`);
      assert.deepEqual(w, [], `${s} --view=${v}`);
    }
  });
}
