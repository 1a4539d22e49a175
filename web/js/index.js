// The index page: the trace's headline figures and the Perfetto hand-over; the section links
// are static HTML so they work before (and without) any API call.
import { fillTopbar, showError } from './api.js';
import { fmtBytes, fmtCount, fmtDuration } from './format.js';
import { openInPerfetto } from './perfetto.js';

function figure(value, label) {
  const d = document.createElement('div');
  d.className = 'figure';
  d.innerHTML = '<div class="v"></div><div class="k"></div>';
  d.querySelector('.v').textContent = value;
  d.querySelector('.k').textContent = label;
  return d;
}

async function main() {
  const meta = await fillTopbar();
  const figs = document.getElementById('figures');
  figs.append(
    figure(fmtDuration(meta.end), 'duration'),
    figure(fmtCount(meta.events), 'events'),
    figure(fmtCount(meta.fibers), 'fibers'),
    figure(fmtCount(meta.procs.length), 'procs'),
    figure(fmtCount(meta.flows), 'flows'),
    figure(fmtBytes(meta.bytes), 'trace size'),
  );
  if (!meta.ok) showError(`The trace is damaged: ${meta.error}. Showing what was valid before it.`);
  if (meta.traces > 1) {
    const note = document.createElement('p');
    note.className = 'lead';
    note.id = 'merged';
    note.textContent = `${meta.traces} traces: "Open in Perfetto UI" and "Download Perfetto trace" ` +
      `show all of them on one timeline; the pages below show ${meta.file}.`;
    figs.after(note);
  }
  const btn = document.getElementById('perfetto');
  btn.addEventListener('click', () => {
    const title = meta.file.replace(/\.[^.]*$/, '') || 'trace';
    openInPerfetto('api/trace.pftrace', `${title}.pftrace`, title, (s) => {
      const el = document.getElementById('error');
      el.textContent = s;
      el.hidden = !s;
    });
  });
  document.body.dataset.ready = '1';
}

main().catch(showError);
