// View trace: wires the timeline's parts together. State lives here; layout.js positions rows,
// window-data.js fetches what is in view, render.js and flows.js draw it, input.js moves the
// viewport, details.js explains the selection.
//
// For tests and scripts, the canvas carries data attributes kept in sync with every paint:
// data-t0 / data-t1 (visible range, ns), data-flow-count (arrows drawn for that range),
// data-flows-shown (the flows those arrows stand for: more when some fall on one pixel), and
// data-flows (flows in the fetched window), data-paint-ms (the last paint's duration) and
// data-data-t0 / data-data-ns-per-px (the fetched window); body[data-ready] is set after the
// first complete paint with data. window.ftViewer.sliceRects() lists the slices on screen (page coordinates).

import { fillTopbar, getJSON, pageParams, showError } from '../api.js';
import { registerFuncs } from '../colors.js';
import { fmtDuration } from '../format.js';
import { DetailsPanel } from './details.js';
import { drawFlows } from './flows.js';
import { attachInput } from './input.js';
import { Labels } from './labels.js';
import { buildRows, RULER_H, rowAt, visibleRows } from './layout.js';
import { drawTimeline, sliceLabel } from './render.js';
import { Viewport } from './viewport.js';
import { WindowLoader } from './window-data.js';

const LABEL_W = 180;
const ALL_ROWS_LIMIT = 300;  // above this many slice rows, fetch only the rows near the view
const ROW_BLOCK = 100;       // ... in blocks, so small scrolls reuse the fetched window

const params = pageParams();
const view = ['proc', 'thread', 'goroutine'].includes(params.view) ? params.view : 'proc';
const goid = params.goid && /^\d+$/.test(params.goid) ? params.goid : null;

const $ = (id) => document.getElementById(id);

async function main() {
  const meta = await fillTopbar();
  registerFuncs(meta.funcs);
  if (!meta.ok) showError(`The trace is damaged (${meta.error}); showing what was valid before the damage.`);
  const tracks = await getJSON(`api/tracks?view=${view}${goid ? `&goid=${goid}` : ''}`);
  if (goid) document.title = `G${goid} — View trace`;

  const timeline = $('timeline');
  const scroller = $('scroller');
  const sizer = $('sizer');
  const canvas = $('canvas');
  const ctx = canvas.getContext('2d');
  const tooltip = $('tooltip');
  timeline.style.setProperty('--label-w', `${LABEL_W}px`);
  $('view').value = view;

  const vp = new Viewport(meta.end);
  const collapsed = new Set();
  const st = {
    vp, rows: [], rowById: new Map(), layoutHeight: 0, scrollTop: 0, height: 0,
    data: null, funcs: meta.funcs, selection: null, marker: null, hoverX: null,
    labels: true, flows: false, highlight: null, painted: false,
  };

  // A fixed corner above the labels, level with the ruler.
  const corner = document.createElement('div');
  corner.className = 'label ruler';
  corner.style.cssText = `position:absolute;top:0;left:0;height:${RULER_H}px;z-index:2`;
  corner.textContent = goid ? `G${goid} and related` : `by ${view}`;
  timeline.append(corner);

  const labels = new Labels($('labels'), view, (name) => {
    if (collapsed.has(name)) collapsed.delete(name);
    else collapsed.add(name);
    relayout();
  });

  function relayout() {
    const { rows, height } = buildRows(tracks, collapsed);
    st.rows = rows;
    st.rowById = new Map(rows.filter((r) => r.id).map((r) => [r.id, r]));
    st.layoutHeight = height;
    sizer.style.height = `${height}px`;
    labels.invalidate();
    update();
  }

  const loader = new WindowLoader(meta.end, (data) => {
    st.data = data;
    requestPaint();
  }, showError);

  // The rows to fetch: all of them when few, else the visible ones widened to whole blocks.
  function wantedTrackIds() {
    const ids = st.rows.filter((r) => r.id).map((r) => r.id);
    const sliceRows = ids.filter((id) => id[0] !== 'c');
    if (sliceRows.length <= ALL_ROWS_LIMIT) return ids;
    const counters = ids.filter((id) => id[0] === 'c');
    const vis = visibleRows(st.rows, st.scrollTop, st.scrollTop + st.height).filter((r) => r.id && r.id[0] !== 'c');
    if (!vis.length) return counters;
    const first = sliceRows.indexOf(vis[0].id);
    const last = sliceRows.indexOf(vis[vis.length - 1].id);
    const lo = Math.floor(first / ROW_BLOCK) * ROW_BLOCK;
    const hi = Math.min(sliceRows.length, (Math.floor(last / ROW_BLOCK) + 1) * ROW_BLOCK);
    return counters.concat(sliceRows.slice(lo, hi));
  }

  function resize() {
    const sbw = scroller.offsetWidth - scroller.clientWidth;
    const w = Math.max(50, timeline.clientWidth - LABEL_W - sbw);
    const h = Math.max(50, timeline.clientHeight);
    const dpr = window.devicePixelRatio || 1;
    canvas.style.width = `${w}px`;
    canvas.style.height = `${h}px`;
    canvas.width = Math.round(w * dpr);
    canvas.height = Math.round(h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    vp.width = w;
    st.height = h;
    update();
  }

  // The view moved or the layout changed: fetch if needed, repaint.
  function update() {
    st.scrollTop = scroller.scrollTop;
    labels.update(visibleRows(st.rows, st.scrollTop, st.scrollTop + st.height));
    loader.want(wantedTrackIds(), vp, st.flows);
    requestPaint();
  }

  let paintQueued = false;
  function requestPaint() {
    if (paintQueued) return;
    paintQueued = true;
    requestAnimationFrame(paint);
  }

  function paint() {
    paintQueued = false;
    const started = performance.now();
    const rows = visibleRows(st.rows, st.scrollTop + RULER_H, st.scrollTop + st.height);
    drawTimeline(ctx, { ...st, rows, labels: st.labels });
    let flowCount = 0;
    let flowsShown = 0;
    if (st.flows) [flowCount, flowsShown] = drawFlows(ctx, st, st.rowById, st.highlight);
    canvas.dataset.t0 = String(Math.round(vp.t0));
    canvas.dataset.t1 = String(Math.round(vp.t1));
    canvas.dataset.flowCount = String(flowCount);
    canvas.dataset.flowsShown = String(flowsShown);
    canvas.dataset.flows = String(st.data ? st.data.flows.length : 0);
    canvas.dataset.paintMs = (performance.now() - started).toFixed(2);
    canvas.dataset.dataT0 = String(st.data ? st.data.t0 : -1);
    canvas.dataset.dataNsPerPx = String(st.data ? st.data.nsPerPx : -1);
    if (st.data && !st.painted) {
      st.painted = true;
      document.body.dataset.ready = '1';
    }
  }

  // What lies under canvas point (x, y): {row, item} for slices, {row, t} for counters.
  function hit(x, y) {
    if (y < RULER_H) return null;
    const row = rowAt(st.rows, y + st.scrollTop);
    if (!row || row.kind === 'group') return null;
    const t = vp.t(x);
    if (row.kind === 'counter') return { row, t };
    const track = st.data?.tracks.get(row.id);
    if (!track) return { row, t };
    // The item under the pointer, else the nearest within 3 px (thin slices are hard to hit).
    const tol = 3 * vp.nsPerPx();
    let best = null;
    let bestDist = Infinity;
    for (const it of track.slices) {
      if (it[1] < t - tol) continue;
      if (it[0] > t + tol) break;
      const dist = t < it[0] ? it[0] - t : t > it[1] ? t - it[1] : 0;
      if (dist < bestDist) {
        best = it;
        bestDist = dist;
      }
    }
    return { row, t, item: best };
  }

  const details = new DetailsPanel($('details'), {
    goTo: (ref) => goTo(ref),
    zoomTo: (a, b) => {
      vp.show(a, b);
      update();
    },
  });

  async function selectSlice(i) {
    st.selection = { slice: i };
    st.marker = null;
    requestPaint();
    try {
      const d = await getJSON(`api/slice?i=${i}`);
      if (st.selection?.slice !== i) return;  // another click came first
      const ids = new Set();
      if (d.flowIn) ids.add(d.flowIn.id);
      for (const f of d.flowsOut) ids.add(f.id);
      st.highlight = ids.size ? ids : null;
      details.showSlice(d);
      requestPaint();
    } catch (e) {
      details.showError(e.message);
    }
  }

  // Select the slice at the other end of a flow: bring its row and time into view.
  function goTo(ref) {
    const id = view === 'proc' ? (ref.proc != null ? `p${ref.proc}` : null)
      : view === 'thread' ? `t${ref.thread}` : ref.fiber ? `g${ref.fiber.index}` : null;
    const row = id && st.rowById.get(id);
    if (row && (row.y < st.scrollTop + RULER_H || row.y + row.h > st.scrollTop + st.height)) {
      scroller.scrollTop = row.y - st.height / 3;
    }
    if (ref.t0 > vp.t1 || ref.t1 < vp.t0 || ref.t1 - ref.t0 < vp.nsPerPx()) vp.show(ref.t0, ref.t1);
    selectSlice(ref.slice);
    update();
  }

  async function click(x, y) {
    const h = hit(x, y);
    if (!h) return;
    if (h.row.kind === 'counter') {
      const c = Number(h.row.id.slice(1));
      const t = Math.max(0, Math.round(h.t));
      st.selection = null;
      st.highlight = null;
      st.marker = t;
      requestPaint();
      try {
        details.showCounter(await getJSON(`api/counter?c=${c}&t=${t}`), h.row.track);
      } catch (e) {
        details.showError(e.message);
      }
      return;
    }
    if (!h.item) {
      st.selection = null;
      st.highlight = null;
      details.clear();
      requestPaint();
      return;
    }
    if (h.item[3] > 1) {
      st.selection = null;
      st.highlight = null;
      details.showMerged(h.item, sliceLabel(h.item, st.data, st.funcs));
      requestPaint();
      return;
    }
    selectSlice(h.item[2]);
  }

  function hover(x, y, cx, cy) {
    st.hoverX = x;
    requestPaint();
    const h = x == null ? null : hit(x, y);
    if (!h || !h.item) {
      tooltip.hidden = true;
      return;
    }
    const it = h.item;
    const name = sliceLabel(it, st.data, st.funcs);
    tooltip.textContent = it[3] > 1 ? `${name} (${it[3]} merged) · ${fmtDuration(it[1] - it[0])}`
      : `${name} · ${fmtDuration(it[1] - it[0])}`;
    tooltip.hidden = false;
    const r = timeline.getBoundingClientRect();
    tooltip.style.left = `${Math.min(cx - r.left + 12, r.width - tooltip.offsetWidth - 4)}px`;
    tooltip.style.top = `${cy - r.top + 14}px`;
  }

  attachInput({
    canvas, scroller, vp, onChange: update, onClick: click, onHover: hover,
    onKey: (e) => {
      if (e.key === 'Escape') {
        st.selection = null;
        st.highlight = null;
        st.marker = null;
        details.clear();
        requestPaint();
      }
    },
  });
  scroller.addEventListener('scroll', update);
  new ResizeObserver(resize).observe(timeline);

  // Controls in the top bar.
  $('view').addEventListener('change', (e) => { location.search = `?view=${e.target.value}`; });
  $('fit').addEventListener('click', () => { vp.fit(); update(); });
  const optButton = $('options-button');
  const optPanel = $('options-panel');
  optButton.addEventListener('click', () => {
    optPanel.hidden = !optPanel.hidden;
    optButton.setAttribute('aria-expanded', String(!optPanel.hidden));
  });
  document.addEventListener('click', (e) => {
    if (!$('options-menu').contains(e.target)) optPanel.hidden = true;
  });
  $('opt-flows').addEventListener('change', (e) => { st.flows = e.target.checked; update(); });
  $('opt-labels').addEventListener('change', (e) => { st.labels = e.target.checked; requestPaint(); });
  $('help-button').addEventListener('click', () => { $('help').hidden = !$('help').hidden; resize(); });
  attachSplitter($('splitter'), $('details'));

  window.ftViewer = {
    viewport: vp,
    // Page x of time t (ns), e.g. to click a counter row where it has samples.
    pageX(t) {
      return canvas.getBoundingClientRect().left + vp.x(t);
    },
    // Brings [t0, t1] (ns since the trace's start) into view, as selecting a slice does.
    show(t0, t1) {
      vp.show(t0, t1);
      update();
    },
    // Slices (not merged runs) on screen, in page coordinates, for tests and scripts.
    sliceRects() {
      const out = [];
      const cr = canvas.getBoundingClientRect();
      for (const row of visibleRows(st.rows, st.scrollTop + RULER_H, st.scrollTop + st.height)) {
        const tr = st.data?.tracks.get(row.id);
        if (!tr || !tr.slices) continue;
        for (const it of tr.slices) {
          const x0 = Math.max(0, vp.x(it[0]));
          const x1 = Math.min(vp.width, vp.x(it[1]));
          if (it[3] !== 1 || x1 <= x0) continue;
          out.push({ slice: it[2], track: row.id, label: sliceLabel(it, st.data, st.funcs),
            x: cr.left + x0, y: cr.top + row.y - st.scrollTop + 4, w: x1 - x0, h: row.h - 8 });
        }
      }
      return out;
    },
  };

  relayout();
  resize();
}

function attachSplitter(splitter, panel) {
  splitter.addEventListener('pointerdown', (e) => {
    const startY = e.clientY;
    const startH = panel.offsetHeight;
    splitter.setPointerCapture(e.pointerId);
    const move = (ev) => {
      const h = Math.max(60, Math.min(window.innerHeight - 160, startH - (ev.clientY - startY)));
      panel.style.height = `${h}px`;
    };
    const up = () => {
      splitter.removeEventListener('pointermove', move);
      splitter.removeEventListener('pointerup', up);
    };
    splitter.addEventListener('pointermove', move);
    splitter.addEventListener('pointerup', up);
  });
}

main().catch(showError);
