// Rows of the timeline: a group header (STATS, PROCS, ...), then its counter or slice rows.
// Positions are in CSS px from the top of the scrolled content; the ruler occupies the first
// RULER_H px and is drawn fixed, so row y values start below it.

export const RULER_H = 26;
export const GROUP_H = 22;
export const COUNTER_H = 44;
export const SLICE_H = 30;
export const BAR_H = 21;  // height of a slice bar inside its row

// tracksResp: /api/tracks. collapsed: Set of group names. Returns {rows, height}.
export function buildRows(tracksResp, collapsed) {
  const rows = [];
  let y = RULER_H;
  for (const g of tracksResp.groups) {
    const isCollapsed = collapsed.has(g.name);
    rows.push({ kind: 'group', name: g.name, y, h: GROUP_H, collapsed: isCollapsed, count: g.tracks.length });
    y += GROUP_H;
    if (isCollapsed) continue;
    for (const t of g.tracks) {
      const h = t.kind === 'counter' ? COUNTER_H : SLICE_H;
      rows.push({ kind: t.kind, track: t, id: t.id, name: t.name, y, h });
      y += h;
    }
  }
  return { rows, height: y + 8 };
}

// Index of the first row whose bottom is below y (binary search; rows are sorted by y).
export function firstRowBelow(rows, y) {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid].y + rows[mid].h <= y) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// Rows intersecting [top, bottom) of the content.
export function visibleRows(rows, top, bottom) {
  const out = [];
  for (let i = firstRowBelow(rows, top); i < rows.length && rows[i].y < bottom; i++) out.push(rows[i]);
  return out;
}

export function rowAt(rows, y) {
  const i = firstRowBelow(rows, y);
  return i < rows.length && rows[i].y <= y ? rows[i] : null;
}
