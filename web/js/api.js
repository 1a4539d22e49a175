// Talking to the fibertrace server: every page fetches through here so that errors surface the
// same way (an Error with the server's message) and paths stay relative, which keeps the viewer
// working behind any prefix.

export async function getJSON(path, { signal } = {}) {
  const res = await fetch(path, { signal });
  if (!res.ok) {
    const text = (await res.text()).trim();
    throw new Error(`${path}: ${res.status} ${text || res.statusText}`);
  }
  return res.json();
}

// Reads the page's query string into a plain object.
export function pageParams() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

// Shows a failure in the page's #error element (or the body) instead of failing silently.
export function showError(err) {
  const el = document.getElementById('error');
  const msg = err instanceof Error ? err.message : String(err);
  if (el) {
    el.textContent = msg;
    el.hidden = false;
  } else {
    const p = document.createElement('p');
    p.className = 'error';
    p.textContent = msg;
    document.body.append(p);
  }
}

// The trace's summary: file name, size, span, counts. Fetched once per page.
let metaPromise = null;
export function getMeta() {
  if (!metaPromise) metaPromise = getJSON('api/meta');
  return metaPromise;
}

// Fills the shared top bar (file name) once the summary is in.
export async function fillTopbar() {
  const meta = await getMeta();
  const el = document.getElementById('file');
  if (el) el.textContent = meta.file;
  document.title = `${document.title.split(' — ')[0]} — ${meta.file}`;
  return meta;
}
