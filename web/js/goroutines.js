// Goroutine analysis: fibers grouped by start function with their count, as in the chapter
// ("pass N=3"); a group's page lists its fibers with where each one's lifetime went. The
// columns of a row add up to the fiber's lifetime (the exporter's invariant).

import { fillTopbar, getJSON, pageParams, showError } from './api.js';
import { fmtDuration, fmtPercent } from './format.js';
import { sortableTable } from './table.js';

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'style') e.style.cssText = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

async function groups() {
  const g = await getJSON('api/goroutines');
  const totalExec = g.groups.reduce((s, x) => s + x.exec, 0);
  const max = Math.max(1, ...g.groups.map((x) => x.exec));
  const intro = el('p', { class: 'lead' },
    `${g.fibers} fibers, grouped by the function they started in. Click a group for its fibers and where their time went.`);
  const table = el('table', { class: 'data groups' });
  table.append(el('thead', {}, el('tr', {},
    el('th', { class: 'l' }, 'Goroutines'), el('th', {}, 'Execution time'), el('th', {}, 'Share'), el('th', { class: 'l' }, ''))));
  const body = el('tbody');
  for (const x of g.groups) {
    const link = el('a', { href: `goroutines.html?func=${x.func}` }, x.name);
    body.append(el('tr', { 'data-func': String(x.func) },
      el('td', { class: 'l group-name' }, link, ` N=${x.n}`),
      el('td', {}, fmtDuration(x.exec)),
      el('td', {}, fmtPercent(x.exec, totalExec)),
      el('td', { class: 'l' }, el('span', { class: 'bar', style: `width:${Math.round((200 * x.exec) / max)}px;background:#8cc4e8` }))));
  }
  table.append(body);
  $('content').replaceChildren(intro, table);
}

// The stacked breakdown bar of one fiber: execution, waits, blocks, syscalls.
const PARTS = [
  ['exec', 'Execution', '#5cb85c'],
  ['schedWait', 'Scheduler wait', '#6aa9e9'],
  ['blockTotal', 'Blocked', '#d6dae0'],
  ['syscall', 'Syscall', '#b07cd8'],
  ['unknown', 'Unknown', '#f3f4f6'],
];

function breakdown(f) {
  const bar = el('span', { class: 'breakdown', title: PARTS.map(([k, l]) => `${l} ${fmtDuration(f[k])}`).join(' · ') });
  for (const [k, , c] of PARTS) {
    if (!f.lifetime || !f[k]) continue;
    bar.append(el('span', { style: `width:${(100 * f[k]) / f.lifetime}%;background:${c}` }));
  }
  return bar;
}

async function group(func) {
  const g = await getJSON(`api/goroutines?func=${func}`);
  document.title = `Goroutines: ${g.name}`;
  $('title').textContent = `Goroutines: ${g.name}`;
  const n = g.fibers.length;
  const sum = (k) => g.fibers.reduce((s, f) => s + f[k], 0);
  const intro = el('p', { class: 'lead' },
    `${n} fiber${n === 1 ? '' : 's'} started in `, el('code', {}, g.name),
    `: ${fmtDuration(sum('exec'))} executing, ${fmtDuration(sum('schedWait'))} waiting for a worker, ${fmtDuration(sum('blockTotal'))} blocked.`);
  const legend = el('div', { class: 'legend' }, ...PARTS.map(([, l, c]) => el('span', { style: `--c:${c}` }, l)));
  const num = (key, label, title) => ({ key, label, title, numeric: true, value: (f) => f[key], render: (f) => fmtDuration(f[key]) });
  const cols = [
    { key: 'id', label: 'Goroutine', value: (f) => f.id,
      render: (f) => el('a', { href: `trace.html?view=goroutine&goid=${f.id}`, title: 'Its timeline' }, `G${f.id}`) },
    num('lifetime', 'Total', 'Lifetime: creation (or trace start) to end (or trace end)'),
    num('exec', 'Execution'),
    num('schedWait', 'Scheduler wait', 'Runnable, waiting for a worker'),
    ...g.blockColumns.map((name, i) => ({
      key: `b${i}`, label: `Block: ${name}`, numeric: true, value: (f) => f.block[i], render: (f) => fmtDuration(f.block[i]),
    })),
    num('blockOther', 'Block: other'),
    num('syscall', 'Syscall'),
    num('unknown', 'Unknown', 'Time the trace says nothing about (e.g. before the trace started)'),
    { key: 'breakdown', label: 'Breakdown', numeric: false, value: (f) => f.exec / Math.max(1, f.lifetime), render: breakdown },
  ];
  if (!g.fibers.some((f) => f.blockOther)) cols.splice(cols.findIndex((c) => c.key === 'blockOther'), 1);
  $('content').replaceChildren(intro, legend, sortableTable(cols, g.fibers, { sortKey: 'lifetime' }));
}

async function main() {
  await fillTopbar();
  const { func } = pageParams();
  if (func != null && /^\d+$/.test(func)) await group(func);
  else await groups();
  document.body.dataset.ready = '1';
}

main().catch(showError);
