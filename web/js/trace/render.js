// Draws the timeline on a canvas: row backgrounds, counter rows as stacked step areas, slice
// rows as coloured bars with labels, the selection, a time marker, and the ruler. Flow arrows
// are drawn by flows.js on top. Pure drawing: everything comes in through `s`, nothing is
// fetched or stored here.
//
// s = {vp, rows (visible), scrollTop, height, data (WindowLoader.data), funcs (names),
//      selection {slice} | null, marker (ns) | null, hoverX | null, labels (bool)}

import { funcColor, MIXED_COLOR, seriesColor } from '../colors.js';
import { fmtTick } from '../format.js';
import { BAR_H, RULER_H } from './layout.js';

const FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';

export function sliceLabel(item, data, funcs) {
  const fiber = item[4];
  if (fiber >= 0) {
    const f = data.fibers[fiber];
    if (f) return f[2]; // the model's label, sent by the server
  }
  return `${item[3]} slices`;
}

export function sliceColor(item, data, funcs) {
  const fiber = item[4];
  const f = fiber >= 0 ? data.fibers[fiber] : null;
  return f ? funcColor(funcs[f[1]] ?? 'unknown') : MIXED_COLOR;
}

// The longest prefix of text (with an ellipsis) that fits maxW px, or '' if nothing does.
function fitText(ctx, text, maxW) {
  if (ctx.measureText(text).width <= maxW) return text;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ctx.measureText(text.slice(0, mid) + '…').width <= maxW) lo = mid;
    else hi = mid - 1;
  }
  return lo >= 2 ? text.slice(0, lo) + '…' : '';
}

function drawCounter(ctx, s, row, y) {
  const t = s.data?.tracks.get(row.id);
  const keys = row.track.keys;
  const max = Math.max(1, row.track.max);
  const top = y + 4;
  const h = row.h - 6;
  if (!t || !t.samples.length) return;
  const samples = t.samples;
  const w = s.vp.width;
  // Each sample holds until the next one; the last holds until the end of the fetched range.
  for (let i = 0; i < samples.length; i++) {
    const smp = samples[i];
    const x0 = Math.max(-1, s.vp.x(smp[0]));
    const tNext = i + 1 < samples.length ? samples[i + 1][0] : Math.min(s.data.t1, s.vp.end);
    const x1 = Math.min(w + 1, s.vp.x(tNext));
    if (x1 < 0 || x0 > w) continue;
    const width = Math.max(x1 - x0, 0.5);
    let base = 0;
    for (let k = 0; k < keys.length; k++) {
      const v = smp[k + 1];
      if (v <= 0) continue;
      const yTop = top + h - ((base + v) / max) * h;
      const yBot = top + h - (base / max) * h;
      ctx.fillStyle = seriesColor(keys[k], k);
      ctx.fillRect(x0, yTop, width, yBot - yTop);
      base += v;
    }
  }
}

function drawSlices(ctx, s, row, y) {
  const t = s.data?.tracks.get(row.id);
  if (!t) return;
  const w = s.vp.width;
  const barY = y + Math.floor((row.h - BAR_H) / 2);
  ctx.font = FONT;
  ctx.textBaseline = 'middle';
  for (const item of t.slices) {
    let x0 = s.vp.x(item[0]);
    let x1 = s.vp.x(item[1]);
    if (x1 < 0 || x0 > w) continue;
    x0 = Math.max(x0, -2);
    x1 = Math.min(x1, w + 2);
    const bw = Math.max(x1 - x0, 1);
    ctx.fillStyle = sliceColor(item, s.data, s.funcs);
    ctx.globalAlpha = item[3] > 1 ? 0.7 : 1;
    ctx.fillRect(x0, barY, bw, BAR_H);
    ctx.globalAlpha = 1;
    const selected = s.selection && item[3] === 1 && item[2] === s.selection.slice;
    if (selected) {
      ctx.strokeStyle = '#1d2330';
      ctx.lineWidth = 2;
      ctx.strokeRect(x0 + 1, barY + 1, Math.max(bw - 2, 1), BAR_H - 2);
    }
    if (s.labels && bw > 36) {
      const visX0 = Math.max(x0, 0);
      const visW = Math.min(x1, w) - visX0;
      const text = fitText(ctx, sliceLabel(item, s.data, s.funcs), visW - 8);
      if (text) {
        ctx.fillStyle = '#1d2330';
        ctx.textAlign = 'center';
        ctx.fillText(text, visX0 + visW / 2, barY + BAR_H / 2 + 0.5);
      }
    }
  }
}

function niceStep(raw) {
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function drawRuler(ctx, s) {
  const w = s.vp.width;
  ctx.fillStyle = '#f5f6f8';
  ctx.fillRect(0, 0, w, RULER_H);
  ctx.fillStyle = '#d9dde4';
  ctx.fillRect(0, RULER_H - 1, w, 1);
  const step = niceStep(s.vp.nsPerPx() * 90);
  const first = Math.ceil(s.vp.t0 / step) * step;
  ctx.font = '11px system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'left';
  for (let t = first; t <= s.vp.t1; t += step) {
    const x = Math.round(s.vp.x(t)) + 0.5;
    ctx.fillStyle = '#9aa3b2';
    ctx.fillRect(x, RULER_H - 9, 1, 8);
    ctx.fillStyle = '#5b6577';
    ctx.fillText(fmtTick(t, step), x + 3, 9);
    // Minor ticks: four between majors.
    for (let k = 1; k < 5; k++) {
      const xm = Math.round(s.vp.x(t + (k * step) / 5)) + 0.5;
      ctx.fillStyle = '#c3c9d3';
      ctx.fillRect(xm, RULER_H - 5, 1, 4);
    }
  }
  if (s.hoverX != null) {
    const t = s.vp.t(s.hoverX);
    const text = fmtTick(t, step / 100, step);
    const tw = ctx.measureText(text).width + 8;
    const x = Math.min(Math.max(s.hoverX - tw / 2, 0), w - tw);
    ctx.fillStyle = '#1d2330';
    ctx.fillRect(x, 1, tw, 15);
    ctx.fillStyle = '#fff';
    ctx.fillText(text, x + 4, 9);
  }
}

// Vertical grid lines at the major ticks, behind the rows' content.
function drawGrid(ctx, s) {
  const step = niceStep(s.vp.nsPerPx() * 90);
  const first = Math.ceil(s.vp.t0 / step) * step;
  ctx.fillStyle = '#eceef2';
  for (let t = first; t <= s.vp.t1; t += step) ctx.fillRect(Math.round(s.vp.x(t)), RULER_H, 1, s.height);
}

export function drawTimeline(ctx, s) {
  const w = s.vp.width;
  ctx.clearRect(0, 0, w, s.height);
  // Outside the trace: a light shade, so the ends of the trace are visible.
  ctx.fillStyle = '#f3f4f6';
  const xs = s.vp.x(0);
  const xe = s.vp.x(s.vp.end);
  if (xs > 0) ctx.fillRect(0, RULER_H, xs, s.height);
  if (xe < w) ctx.fillRect(xe, RULER_H, w - xe, s.height);
  drawGrid(ctx, s);
  let alt = false;
  for (const row of s.rows) {
    const y = row.y - s.scrollTop;
    if (row.kind === 'group') {
      ctx.fillStyle = '#eceff3';
      ctx.fillRect(0, y, w, row.h);
      alt = false;
      continue;
    }
    if (alt) {
      ctx.fillStyle = 'rgba(236, 239, 243, 0.45)';
      ctx.fillRect(0, y, w, row.h);
    }
    alt = !alt;
    if (row.kind === 'counter') drawCounter(ctx, s, row, y);
    else drawSlices(ctx, s, row, y);
  }
  if (s.marker != null) {
    const x = Math.round(s.vp.x(s.marker)) + 0.5;
    ctx.fillStyle = '#2a62c9';
    ctx.fillRect(x, RULER_H, 1, s.height);
  }
  if (s.hoverX != null) {
    ctx.fillStyle = 'rgba(29, 35, 48, 0.25)';
    ctx.fillRect(Math.round(s.hoverX), RULER_H, 1, s.height);
  }
  drawRuler(ctx, s);
}
