// The row labels left of the canvas, as DOM elements (readable, selectable, linkable), created
// only for the rows in view so a view with 100 000 fiber rows stays light.

function labelFor(row, view, onToggleGroup) {
  const d = document.createElement('div');
  d.className = `label ${row.kind}`;
  d.style.top = `${row.y}px`;
  d.style.height = `${row.h}px`;
  if (row.kind === 'group') {
    d.textContent = `${row.name}${row.collapsed ? ` (${row.count})` : ''}`;
    if (row.collapsed) d.classList.add('collapsed');
    d.title = row.collapsed ? 'Expand' : 'Collapse';
    d.addEventListener('click', () => onToggleGroup(row.name));
    return d;
  }
  d.dataset.track = row.id;
  d.title = row.name;
  if (row.track.goid != null) {
    // A fiber row links to that fiber's own timeline (it and the fibers it touched).
    const a = document.createElement('a');
    a.href = `trace.html?view=goroutine&goid=${row.track.goid}`;
    a.textContent = row.name;
    d.append(a);
  } else {
    d.textContent = row.name;
  }
  return d;
}

export class Labels {
  constructor(container, view, onToggleGroup) {
    this.container = container;
    this.view = view;
    this.onToggleGroup = onToggleGroup;
    this.key = '';
  }

  // Re-creates the labels only when the set of visible rows changed.
  update(rows) {
    const key = rows.length ? `${rows[0].y}:${rows.length}:${rows[rows.length - 1].y}` : '';
    if (key === this.key) return;
    this.key = key;
    this.container.replaceChildren(...rows.map((r) => labelFor(r, this.view, this.onToggleGroup)));
  }

  invalidate() {
    this.key = '';
  }
}
