// The details panel under the timeline: what was clicked. A slice shows its fiber (linked to
// that fiber's own timeline), function, times, why it ended, its stacks, and the flows into and
// out of it, each linked to the slice at its other end. A counter shows its breakdown at the
// clicked moment. Built with DOM calls and textContent only: trace strings are never HTML.

import { funcColor, seriesColor } from '../colors.js';
import { isPlumbing } from '../flamegraph.js';
import { fmtDuration } from '../format.js';

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'style') e.style.cssText = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c != null) e.append(c);
  return e;
}

function kvTable(pairs) {
  const t = el('table', { class: 'kv' });
  for (const [k, v] of pairs) t.append(el('tr', {}, el('td', {}, k), el('td', {}, v)));
  return t;
}

function stackList(frames) {
  if (!frames.length) return el('div', { class: 'note' }, 'no stack recorded');
  const ul = el('ul', { class: 'stack' });
  for (const f of frames) {
    const loc = f.file ? `${f.file}:${f.line}` : f.line ? `:${f.line}` : '';
    // Runtime and standard-library frames stay listed (they are the truth) but dimmed, so the
    // program's own frames stand out.
    ul.append(el('li', isPlumbing(f.func || '') ? { class: 'plumbing' } : {}, f.func || '?', ' ', el('span', { class: 'loc' }, loc)));
  }
  return ul;
}

function fiberName(f) {
  return f ? f.label : 'no fiber';
}

export function fiberLink(f) {
  if (!f) return 'no fiber';
  return el('a', { href: `trace.html?view=goroutine&goid=${f.id}`, title: 'This fiber and the fibers it touched' }, fiberName(f));
}

export class DetailsPanel {
  // goTo(ref): select and show the slice `ref` ({slice, t0, t1, fiber, proc, thread}).
  constructor(root, { goTo, zoomTo }) {
    this.root = root;
    this.goTo = goTo;
    this.zoomTo = zoomTo;
  }

  clear() {
    this.root.replaceChildren(el('div', { class: 'empty' }, 'Nothing selected. Click a slice or a counter.'));
    delete this.root.dataset.kind;
  }

  flowLine(f, dir) {
    const other = dir === 'in' ? f.from : f.to;
    const what = f.kind === 'go' ? (dir === 'in' ? 'created by' : 'created') : dir === 'in' ? 'woken by' : 'woke';
    const chan = f.chanName ? ` (${f.chanName})` : f.chan ? ` (chan ${f.chan})` : '';
    const link = el('a', { href: '#', class: 'flow-link', onclick: (e) => { e.preventDefault(); this.goTo(other); } },
      `${fiberName(other.fiber)} at ${fmtDuration(dir === 'in' ? f.t : other.t0)}`);
    return el('div', { class: 'flow' }, `${f.name}${chan}: ${what} `, link);
  }

  showSlice(d) {
    const color = d.fiber ? funcColor(d.fiber.func) : '#ccc';
    const title = el('h3', {}, el('span', { class: 'swatch', style: `background:${color}` }), fiberName(d.fiber));
    const info = kvTable([
      ['Fiber', fiberLink(d.fiber)],
      ['Function', d.fiber ? d.fiber.func : '–'],
      ['Start', fmtDuration(d.t0)],
      ['Duration', fmtDuration(d.dur)],
      ['End', d.end],
      ['Worker', d.proc ? `Proc ${d.proc.number} · thread ${d.thread}` : `thread ${d.thread}`],
    ]);
    const flows = el('div', { class: 'section flows' }, el('h4', {}, 'Flows'));
    if (d.flowIn) flows.append(el('div', { class: 'flow-in' }, this.flowLine(d.flowIn, 'in')));
    for (const f of d.flowsOut) flows.append(el('div', { class: 'flow-out' }, this.flowLine(f, 'out')));
    if (!d.flowIn && !d.flowsOut.length) flows.append(el('div', { class: 'note' }, 'none'));
    const stacks = el('div', { class: 'section' },
      el('h4', {}, 'Stack at end'), stackList(d.endStack),
      d.startStack.length ? el('h4', { style: 'margin-top:10px' }, 'Stack at start') : null,
      d.startStack.length ? stackList(d.startStack) : null);
    const cols = el('div', { class: 'cols' }, el('div', { class: 'section' }, info, flows), stacks);
    this.root.replaceChildren(title, cols);
    this.root.dataset.kind = 'slice';
  }

  // A run of slices too short to tell apart at this zoom.
  showMerged(item, label) {
    const [t0, t1, , count] = item;
    const btn = el('button', { onclick: () => this.zoomTo(t0, t1) }, 'Zoom in');
    this.root.replaceChildren(
      el('h3', {}, `${count} slices`),
      kvTable([['Run', label], ['Start', fmtDuration(t0)], ['Span', fmtDuration(t1 - t0)]]),
      el('p', { class: 'note' }, 'These slices are each narrower than a pixel here. ', btn));
    this.root.dataset.kind = 'merged';
  }

  showCounter(d, track) {
    const t = el('table', { class: 'counter-values' });
    let total = 0;
    if (d.values) {
      track.keys.forEach((k, i) => {
        const v = d.values[k];
        total += v;
        t.append(el('tr', {}, el('td', {}, el('span', { class: 'swatch', style: `background:${seriesColor(k, i)}` }), k), el('td', { class: 'mono' }, String(v))));
      });
    }
    const parts = [el('h3', {}, `${d.name} at ${fmtDuration(d.t)}`)];
    if (!d.values) parts.push(el('div', { class: 'note' }, 'No sample before this moment.'));
    else parts.push(t);
    if (d.values && track.keys.length > 1) parts.push(el('div', { class: 'note' }, `Total ${total}`));
    this.root.replaceChildren(...parts);
    this.root.dataset.kind = 'counter';
  }

  showError(msg) {
    this.root.replaceChildren(el('div', { class: 'error' }, msg));
  }
}
