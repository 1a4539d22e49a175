// Flow arrows: from the moment a fiber created or woke another (inside the producer's slice)
// to the start of the consumer's next slice. Drawn as a curve with an arrowhead, coloured by
// kind (creation "go" vs unblock), over the slice rows.
//
// Returns [arrows drawn for the visible time range, flows they stand for]: the server merges
// arrows that fall on the same pixels (count > 1). The browser tests compare the first with the
// number of flows in the exported JSON (no merging at daisy's scale).

import { FLOW_COLORS } from '../colors.js';
import { RULER_H } from './layout.js';

// flows: [id, kind, fromTrack, tFrom, toTrack, tTo, fromSlice, toSlice, count] (api/window).
export function drawFlows(ctx, s, rowById, highlight) {
  if (!s.data) return [0, 0];
  let drawn = 0;
  let shown = 0;
  ctx.save();
  ctx.beginPath();
  ctx.rect(0, RULER_H, s.vp.width, s.height - RULER_H);
  ctx.clip();
  for (const f of s.data.flows) {
    const [id, kind, fromTrack, tFrom, toTrack, tTo] = f;
    if (tTo < s.vp.t0 || tFrom > s.vp.t1) continue;
    const a = rowById.get(fromTrack);
    const b = rowById.get(toTrack);
    if (!a || !b) continue;  // a row in a collapsed group
    drawn++;
    shown += f[8] || 1;
    const x0 = s.vp.x(tFrom);
    const x1 = s.vp.x(tTo);
    const y0 = a.y - s.scrollTop + a.h / 2;
    const y1 = b.y - s.scrollTop + b.h / 2;
    const hot = highlight && highlight.has(id);
    ctx.strokeStyle = FLOW_COLORS[kind] || '#555';
    ctx.fillStyle = ctx.strokeStyle;
    ctx.globalAlpha = hot || !highlight ? 0.9 : 0.35;
    ctx.lineWidth = hot ? 2.2 : 1.3;
    arrow(ctx, x0, y0, x1, y1);
  }
  ctx.restore();
  return [drawn, shown];
}

function arrow(ctx, x0, y0, x1, y1) {
  const dx = x1 - x0;
  // Same row: bow upwards so the arrow does not hide under the bars.
  const bow = y0 === y1 ? -Math.min(18, 6 + Math.abs(dx) / 6) : 0;
  const c1x = x0 + dx / 3;
  const c2x = x0 + (2 * dx) / 3;
  ctx.beginPath();
  ctx.moveTo(x0, y0);
  ctx.bezierCurveTo(c1x, y0 + bow, c2x, y1 + bow, x1, y1);
  ctx.stroke();
  // Head along the curve's final tangent.
  let ang = Math.atan2(y1 - (y1 + bow), x1 - c2x);
  if (!Number.isFinite(ang) || (x1 === c2x && bow === 0)) ang = Math.PI / 2;
  const L = 7;
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x1 - L * Math.cos(ang - 0.4), y1 - L * Math.sin(ang - 0.4));
  ctx.lineTo(x1 - L * Math.cos(ang + 0.4), y1 - L * Math.sin(ang + 0.4));
  ctx.closePath();
  ctx.fill();
  // Origin dot.
  ctx.beginPath();
  ctx.arc(x0, y0, 2.2, 0, Math.PI * 2);
  ctx.fill();
}
