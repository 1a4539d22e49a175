// The visible time range and its mapping to canvas pixels. All times are ns since trace start.
//
// Invariants: t1 - t0 >= MIN_SPAN (zooming in stops at a few ns per screen), and the range
// stays within the trace padded by 5% on each side, so the user cannot lose the trace by
// panning or zooming out too far.

const MIN_SPAN = 50;

export class Viewport {
  constructor(end) {
    this.end = Math.max(end, MIN_SPAN);
    this.width = 1;  // canvas width in CSS px
    this.fit();
  }

  // The whole trace with a small margin, like Go's viewer's initial view.
  fit() {
    const pad = this.end * 0.02;
    this.t0 = -pad;
    this.t1 = this.end + pad;
  }

  span() { return this.t1 - this.t0; }
  nsPerPx() { return this.span() / Math.max(1, this.width); }
  x(t) { return ((t - this.t0) / this.span()) * this.width; }
  t(x) { return this.t0 + (x / this.width) * this.span(); }

  // factor < 1 zooms in; the time under anchorX stays under it.
  zoom(factor, anchorX = this.width / 2) {
    const ta = this.t(anchorX);
    const limit = this.end * 1.1;
    let span = Math.min(Math.max(this.span() * factor, MIN_SPAN), limit);
    const frac = anchorX / Math.max(1, this.width);
    this.t0 = ta - frac * span;
    this.t1 = this.t0 + span;
    this.clamp();
  }

  // Moves the view by dx pixels (positive: later times come into view).
  pan(dx) {
    const dt = dx * this.nsPerPx();
    this.t0 += dt;
    this.t1 += dt;
    this.clamp();
  }

  // Shows [a, b] with a margin, e.g. to bring a selected slice into view.
  show(a, b) {
    const span = Math.max(b - a, MIN_SPAN);
    this.t0 = a - span * 0.5;
    this.t1 = b + span * 0.5;
    this.clamp();
  }

  clamp() {
    const lo = -this.end * 0.05;
    const hi = this.end * 1.05;
    const span = Math.min(this.span(), hi - lo);
    if (this.t0 < lo) this.t0 = lo;
    if (this.t0 + span > hi) this.t0 = hi - span;
    this.t1 = this.t0 + span;
  }
}
