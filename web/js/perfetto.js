// "Open in Perfetto UI": the UI accepts a trace posted to its window once it has answered a
// PING with PONG (https://perfetto.dev/docs/visualization/deep-linking-to-perfetto-ui). It
// trusts pages served from 127.0.0.1, which is where `fibertrace view` listens.

export const PERFETTO_ORIGIN = 'https://ui.perfetto.dev';

// Opens the UI at once (inside the click, so the popup is allowed), then fetches the trace
// and posts it after the handshake. The trace is the protobuf export (api/trace.pftrace):
// several times smaller than the JSON and read much faster by the UI. `fileName` is how the UI
// names it (its extension tells the UI the format); `status` reports progress to the page.
export function openInPerfetto(traceUrl, fileName, title, status = () => {}) {
  const win = window.open(`${PERFETTO_ORIGIN}/#!/?referrer=fibertrace`);
  if (!win) {
    status('The browser blocked the Perfetto window; allow pop-ups for this page.');
    return;
  }
  const bufferPromise = fetch(traceUrl).then((r) => {
    if (!r.ok) throw new Error(`${traceUrl}: ${r.status}`);
    return r.arrayBuffer();
  });
  status('Waiting for the Perfetto UI…');
  let done = false;
  const onMessage = async (ev) => {
    if (ev.source !== win || ev.data !== 'PONG' || done) return;
    done = true;
    clearInterval(timer);
    window.removeEventListener('message', onMessage);
    try {
      const buffer = await bufferPromise;
      win.postMessage({ perfetto: { buffer, title, fileName } }, PERFETTO_ORIGIN);
      status('');
    } catch (e) {
      status(String(e.message || e));
    }
  };
  window.addEventListener('message', onMessage);
  // The UI only listens once it has loaded: ping until it answers, give up after a minute.
  let tries = 0;
  const timer = setInterval(() => {
    if (win.closed || ++tries > 120) {
      clearInterval(timer);
      window.removeEventListener('message', onMessage);
      if (!done) status(win.closed ? '' : 'The Perfetto UI did not answer (offline?).');
      return;
    }
    win.postMessage('PING', PERFETTO_ORIGIN);
  }, 500);
}
