// User annotations: tasks (ft::trace::Task) and regions (ft::trace::Region) by name with their
// durations, then the individual tasks with their regions and log messages, each linked to the
// timeline of the fiber involved.

import { fillTopbar, getJSON, showError } from './api.js';
import { fmtDuration } from './format.js';
import { sortableTable } from './table.js';

const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function statsTable(rows) {
  const num = (key, label, fmt = fmtDuration) => ({ key, label, numeric: true, value: (r) => r[key], render: (r) => fmt(r[key]) });
  return sortableTable([
    { key: 'name', label: 'Name', value: (r) => r.name },
    num('n', 'Count', String),
    num('ended', 'Ended', String),
    num('total', 'Total'),
    { key: 'mean', label: 'Mean', numeric: true, value: (r) => (r.ended ? r.total / r.ended : 0), render: (r) => (r.ended ? fmtDuration(r.total / r.ended) : '–') },
    num('min', 'Min'),
    num('max', 'Max'),
  ], rows, { sortKey: 'total' });
}

function fiberLink(f) {
  return f ? el('a', { href: `trace.html?view=goroutine&goid=${f.id}` }, f.label) : '–';
}

async function main() {
  await fillTopbar();
  const t = await getJSON('api/tasks');
  const c = $('content');
  if (!t.taskTypes.length && !t.regionTypes.length) {
    c.append(el('p', { class: 'lead' }, 'This trace has no user tasks or regions. Mark them in the traced program with ',
      el('code', {}, 'ft::trace::Task task("name")'), ', ', el('code', {}, 'ft::trace::Region region("name")'), ' and ',
      el('code', {}, 'ft::trace::log(category, message)'), '.'));
    document.body.dataset.ready = '1';
    return;
  }
  c.append(el('h2', {}, 'Tasks by name'), t.taskTypes.length ? statsTable(t.taskTypes) : el('p', { class: 'note' }, 'none'));
  c.append(el('h2', {}, 'Regions by name'), t.regionTypes.length ? statsTable(t.regionTypes) : el('p', { class: 'note' }, 'none'));
  if (t.tasks.length) {
    c.append(el('h2', {}, `Tasks${t.taskCount > t.tasks.length ? ` (first ${t.tasks.length} of ${t.taskCount})` : ''}`));
    const table = el('table', { class: 'data' });
    table.append(el('thead', {}, el('tr', {}, ...['Task', 'Name', 'Start', 'Duration', 'Fiber', 'Regions and logs'].map((h) => el('th', { class: 'l' }, h)))));
    const body = el('tbody');
    for (const k of t.tasks) {
      const events = el('div');
      for (const r of k.regions) events.append(el('div', {}, `${'  '.repeat(r.depth)}region ${r.name}: ${fmtDuration(r.t1 - r.t0)}${r.ended ? '' : ' (open)'} on `, fiberLink(r.fiber)));
      for (const l of k.logs) events.append(el('div', {}, `log at ${fmtDuration(l.t)} [${l.category}] ${l.message}`));
      body.append(el('tr', {},
        el('td', { class: 'l' }, String(k.id)), el('td', { class: 'l' }, k.name), el('td', { class: 'l' }, fmtDuration(k.t0)),
        el('td', { class: 'l' }, k.ended ? fmtDuration(k.t1 - k.t0) : 'not ended'), el('td', { class: 'l' }, fiberLink(k.fiber)),
        el('td', { class: 'l' }, events)));
    }
    table.append(body);
    c.append(table);
  }
  document.body.dataset.ready = '1';
}

main().catch(showError);
