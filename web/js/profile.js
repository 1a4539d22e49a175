// A blocking profile page: where fibers waited, by stack, as a flame graph or a tree, with the
// same profile downloadable in pprof's format.

import { fillTopbar, getJSON, pageParams, showError } from './api.js';
import { registerFuncs } from './colors.js';
import { fmtDuration } from './format.js';
import { buildTree, renderFlame, renderTree } from './flamegraph.js';

const TITLES = {
  sync: 'Synchronization blocking profile',
  syscall: 'Syscall blocking profile',
  sched: 'Scheduler latency profile',
  io: 'Network blocking profile',
  sleep: 'Sleep profile',
};
const WHAT = {
  sync: 'blocked on channels, select, mutexes, condition variables and wait groups',
  syscall: 'in system calls',
  sched: 'runnable but waiting for a worker',
  io: 'blocked on the network or another file descriptor',
  sleep: 'sleeping',
};

const $ = (id) => document.getElementById(id);

async function main() {
  registerFuncs((await fillTopbar()).funcs);
  const kind = TITLES[pageParams().kind] ? pageParams().kind : 'sync';
  document.title = TITLES[kind];
  $('title').textContent = TITLES[kind];
  $('kind').value = kind;
  $('kind').addEventListener('change', (e) => { location.search = `?kind=${e.target.value}`; });
  $('pprof').href = `api/pprof?kind=${kind}`;

  const p = await getJSON(`api/profile?kind=${kind}`);
  const hide = $('hide-plumbing');
  let root = buildTree(p.entries, { hidePlumbing: hide.checked });
  $('summary').textContent = p.entries.length
    ? `${fmtDuration(p.total)} ${WHAT[kind]}, over ${p.count} interval${p.count === 1 ? '' : 's'} and ${p.entries.length} distinct stack${p.entries.length === 1 ? '' : 's'}. Width is time; callers above callees. Click a box to zoom into it.`
    : `Nothing in this trace was ${WHAT[kind]}.`;
  if (!p.entries.length) {
    document.body.dataset.ready = '1';
    return;
  }

  const flame = $('flame');
  const crumbs = $('crumbs');
  let focus = root;
  const drawFlame = () => {
    renderFlame(flame, focus, root.total, (n) => {
      focus = n === focus && n.parent ? n.parent : n;
      drawFlame();
    });
    // Breadcrumbs back to the root.
    const path = [];
    for (let n = focus; n; n = n.parent) path.unshift(n);
    crumbs.replaceChildren(...path.flatMap((n, i) => {
      const a = document.createElement('a');
      a.textContent = n.name;
      a.addEventListener('click', () => { focus = n; drawFlame(); });
      return i ? [' › ', a] : [a];
    }));
  };
  drawFlame();
  renderTree($('tree'), root);
  hide.addEventListener('change', () => {
    root = buildTree(p.entries, { hidePlumbing: hide.checked });
    focus = root;
    drawFlame();
    renderTree($('tree'), root);
  });
  new ResizeObserver(() => { if (!flame.hidden) drawFlame(); }).observe(flame);

  const show = (which) => {
    flame.hidden = which !== 'flame';
    crumbs.hidden = which !== 'flame';
    $('tree').hidden = which !== 'tree';
    $('show-flame').classList.toggle('on', which === 'flame');
    $('show-tree').classList.toggle('on', which === 'tree');
    if (which === 'flame') drawFlame();
  };
  $('show-flame').addEventListener('click', () => show('flame'));
  $('show-tree').addEventListener('click', () => show('tree'));
  document.body.dataset.ready = '1';
}

main().catch(showError);
