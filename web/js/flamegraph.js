// Blocking-profile trees from stack samples, drawn as an icicle flame graph (DOM boxes, one per
// node wide enough to see) or a collapsible top-down tree. Nodes merge frames by function name,
// so a function's time is one box per calling path; the lines seen are kept for the tooltip.

import { funcColor } from './colors.js';
import { fmtDuration, fmtPercent } from './format.js';

// Frames of the runtime's and the standard library's plumbing (fiber entry, std::invoke,
// ft::detail::..., mangled helpers): true noise in a profile of the user's program.
const PLUMBING = /^(std::|_Z|__|_FUN$|ft::detail::|ft::rt::|boost::context|make_fcontext|jump_fcontext|fiber_entry|ontop_fcontext)/;
export function isPlumbing(func) {
  return PLUMBING.test(func);
}

// entries: [{total, count, stack: [{func, file, line}] innermost first}]. With hidePlumbing,
// plumbing frames are dropped unless the stack has nothing else.
export function buildTree(entries, { hidePlumbing = false } = {}) {
  const root = { name: 'all', total: 0, count: 0, self: 0, children: new Map(), lines: new Set(), parent: null };
  for (const e of entries) {
    root.total += e.total;
    root.count += e.count;
    let node = root;
    let stack = e.stack;
    if (hidePlumbing) {
      const kept = stack.filter((f) => !isPlumbing(f.func));
      if (kept.length) stack = kept;
    }
    const frames = stack.length ? stack.slice().reverse() : [{ func: '(no stack)', file: '', line: 0 }];
    for (const f of frames) {
      let child = node.children.get(f.func);
      if (!child) {
        child = { name: f.func, total: 0, count: 0, self: 0, children: new Map(), lines: new Set(), parent: node };
        node.children.set(f.func, child);
      }
      child.total += e.total;
      child.count += e.count;
      if (f.file || f.line) child.lines.add(f.file ? `${f.file}:${f.line}` : `line ${f.line}`);
      node = child;
    }
    node.self += e.total;
  }
  return root;
}

function sortedChildren(n) {
  return [...n.children.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
}

const ROW = 23;

function tooltip(n, rootTotal) {
  const lines = [...n.lines].slice(0, 6).join(', ');
  return `${n.name}\n${fmtDuration(n.total)} (${fmtPercent(n.total, rootTotal)}), ${n.count} interval${n.count === 1 ? '' : 's'}` +
    (n.self ? `\nblocked here: ${fmtDuration(n.self)}` : '') + (lines ? `\n${lines}` : '');
}

// Draws `focus` full width in `container`; clicking a box focuses it (onFocus(node)).
export function renderFlame(container, focus, rootTotal, onFocus) {
  const boxes = [];
  let depthMax = 0;
  const width = container.clientWidth || 1000;
  const walk = (n, x, w, depth) => {
    if (w * width < 2) return;
    depthMax = Math.max(depthMax, depth);
    boxes.push({ n, x, w, depth });
    let cx = x;
    for (const c of sortedChildren(n)) {
      const cw = n.total ? (w * c.total) / n.total : 0;
      walk(c, cx, cw, depth + 1);
      cx += cw;
    }
  };
  walk(focus, 0, 1, 0);
  const frag = document.createDocumentFragment();
  for (const { n, x, w, depth } of boxes) {
    const d = document.createElement('div');
    d.className = 'fnode';
    d.style.left = `${x * 100}%`;
    d.style.width = `${w * 100}%`;
    d.style.top = `${depth * ROW}px`;
    d.style.background = n.parent ? funcColor(n.name) : '#dfe3ea';
    d.title = tooltip(n, rootTotal);
    d.dataset.func = n.name;
    d.textContent = n.name;
    if (w * width > 120) {
      const t = document.createElement('span');
      t.className = 't';
      t.textContent = fmtDuration(n.total);
      d.append(t);
    }
    d.addEventListener('click', () => onFocus(n));
    frag.append(d);
  }
  container.replaceChildren(frag);
  container.style.height = `${(depthMax + 1) * ROW + 4}px`;
}

// Top-down tree: each node a <details>, the two top levels open.
export function renderTree(container, root) {
  const make = (n, depth) => {
    const kids = sortedChildren(n);
    const summary = document.createElement('summary');
    summary.innerHTML = '<span class="pct"></span><span class="time"></span><span class="fn"></span>';
    summary.querySelector('.pct').textContent = fmtPercent(n.total, root.total);
    summary.querySelector('.time').textContent = fmtDuration(n.total);
    summary.querySelector('.fn').textContent = n.name;
    summary.title = tooltip(n, root.total);
    const d = document.createElement('details');
    if (!kids.length) d.className = 'leaf';
    d.open = depth < 2;
    d.append(summary);
    for (const c of kids) d.append(make(c, depth + 1));
    return d;
  };
  container.replaceChildren(make(root, 0));
}
