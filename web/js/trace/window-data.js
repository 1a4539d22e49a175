// Fetches what the timeline draws from /api/window and keeps the latest answer.
//
// A request covers three screens (one each side of the visible range) so that panning by up to
// a screen needs no round trip, and is repeated only when the view leaves that range, when the
// user zooms in past the fetched resolution (merged slices must split) or far out, or when the
// set of rows changes. At most one request is in flight; the newest wish is sent when it ends,
// so a fast scroll never queues a backlog.

const MAX_WIDTH = 20000;
const MAX_CELLS = 2000000;  // rows x width the server answers (server/api_timeline.cpp)

export class WindowLoader {
  constructor(end, onData, onError) {
    this.end = end;
    this.onData = onData;
    this.onError = onError;
    this.data = null;      // {key, t0, t1, nsPerPx, tracks: Map(id -> track), flows, fibers}
    this.inflight = null;  // {key, t0, t1, nsPerPx}
    this.wish = null;      // latest [trackIds, viewport snapshot] not yet served
  }

  // True when `d` (fetched or in flight) can draw the view.
  covers(d, key, vp) {
    if (!d || d.key !== key) return false;
    const lo = Math.max(0, vp.t0);
    const hi = Math.min(this.end, vp.t1);
    const r = vp.nsPerPx();
    return d.t0 <= lo && d.t1 >= hi && r >= d.nsPerPx / 1.5 && r <= d.nsPerPx * 6;
  }

  // withFlows: whether arrows are wanted (they can be most of a response, so only when drawn).
  want(trackIds, vp, withFlows) {
    const key = `${trackIds.join(',')}|${withFlows ? 1 : 0}`;
    if (this.covers(this.data, key, vp) || this.covers(this.inflight, key, vp)) return;
    this.wish = { trackIds, key, withFlows, t0: vp.t0, t1: vp.t1, width: vp.width };
    if (!this.inflight) this.send();
  }

  async send() {
    const w = this.wish;
    this.wish = null;
    if (!w) return;
    const span = w.t1 - w.t0;
    const nsPerPx = span / Math.max(1, w.width);
    // Many rows: less padding around the view (same resolution) to stay within the server's
    // rows x width budget.
    const maxWidth = Math.max(1, Math.min(MAX_WIDTH, Math.floor(MAX_CELLS / Math.max(1, w.trackIds.length))));
    const pad = Math.max(0, Math.min(span, (maxWidth * nsPerPx - span) / 2));
    const a = Math.max(0, Math.floor(w.t0 - pad));
    // The view may sit in the padding beside the trace: keep a non-empty, valid range.
    const b = Math.max(a + 1, Math.min(this.end, Math.ceil(w.t1 + pad)));
    const width = Math.max(1, Math.min(maxWidth, Math.round((b - a) / nsPerPx)));
    this.inflight = { key: w.key, t0: a, t1: b, nsPerPx: (b - a) / width };
    try {
      if (w.trackIds.length) {
        const url = `api/window?tracks=${w.trackIds.join(',')}&t0=${a}&t1=${b}&width=${width}&flows=${w.withFlows ? 1 : 0}`;
        const res = await fetch(url);
        if (!res.ok) throw new Error(`${url}: ${res.status} ${(await res.text()).trim()}`);
        const json = await res.json();
        this.data = {
          key: w.key, t0: a, t1: b, nsPerPx: json.nsPerPx,
          tracks: new Map(json.tracks.map((t) => [t.id, t])),
          flows: json.flows, fibers: json.fibers,
        };
      } else {
        this.data = { key: w.key, t0: a, t1: b, nsPerPx: (b - a) / width, tracks: new Map(), flows: [], fibers: {} };
      }
      this.onData(this.data);
    } catch (e) {
      this.onError(e);
    } finally {
      this.inflight = null;
      if (this.wish) this.send();
    }
  }
}
