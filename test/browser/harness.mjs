// Shared set-up of the browser tests: a traced run of daisy, `fibertrace view` serving it, and
// Debian's Chromium driven by playwright-core (never a downloaded browser). Exit code 77 tells
// CTest the test was skipped (no playwright-core installed, no chromium).

import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import zlib from 'node:zlib';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export async function loadPlaywright() {
  if (!fs.existsSync(CHROMIUM)) skip(`${CHROMIUM} is not installed`);
  try {
    return await import('playwright-core');
  } catch {
    skip('playwright-core is not installed: run `npm install` in test/browser');
  }
}

export function skip(why) {
  console.log(`SKIPPED: ${why}`);
  process.exit(77);
}

export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set (run through ctest)`);
  return v;
}

// Runs the traced program; returns the trace path. FT_MAXPROCS=2: the chapter's two procs.
export function traceProgram(exe, dir, extraEnv = {}) {
  const out = path.join(dir, `${path.basename(exe)}.trace`);
  const fd = fs.openSync(out, 'w');
  const r = spawnSync(exe, [], { stdio: ['ignore', fd, 'pipe'], env: { ...process.env, FT_MAXPROCS: '2', ...extraEnv }, timeout: 60000 });
  fs.closeSync(fd);
  if (r.status !== 0) throw new Error(`${exe} exited with ${r.status}: ${r.stderr}`);
  return { trace: out, stderr: String(r.stderr) };
}

// Starts `fibertrace view` on a free port; resolves with {url, proc, stdout, startedAt, readyAt}.
export function startViewer(fibertrace, trace) {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    const proc = spawn(fibertrace, ['view', trace, '--no-browser', '--http=127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`viewer did not start:\n${stdout}\n${stderr}`)), 120000);
    proc.stdout.on('data', (d) => {
      stdout += d;
      const m = stdout.match(/Trace viewer is listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], proc, get stdout() { return stdout; }, get stderr() { return stderr; }, startedAt, readyAt: performance.now() });
      }
    });
    proc.stderr.on('data', (d) => { stderr += d; });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`viewer exited early with ${code}:\n${stdout}\n${stderr}`));
    });
  });
}

// Ctrl-C: resolves with the exit code (and how long stopping took).
export function stopViewer(v) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    v.proc.removeAllListeners('exit');
    v.proc.on('exit', (code, signal) => resolve({ code, signal, ms: performance.now() - t0 }));
    v.proc.kill('SIGINT');
  });
}

export async function launchBrowser(playwright, viewport = { width: 1400, height: 860 }) {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ft-chromium-'));
  const context = await playwright.chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

// GET through Node (no browser): {status, headers, body: Buffer} with gzip undone.
export function fetchRaw(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        let body = Buffer.concat(chunks);
        if (res.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
        resolve({ status: res.statusCode, headers: res.headers, body });
      });
    }).on('error', reject);
  });
}

// Collects console errors and uncaught exceptions of every page in the context.
export function watchErrors(context) {
  const errors = [];
  const watch = (page) => {
    page.on('console', (m) => { if (m.type() === 'error') errors.push(`${page.url()}: console: ${m.text()}`); });
    page.on('pageerror', (e) => errors.push(`${page.url()}: ${e.message}`));
  };
  context.pages().forEach(watch);
  context.on('page', watch);
  return errors;
}
