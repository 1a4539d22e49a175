// Sortable tables for the report pages. Columns: {key, label, value(row) -> sortable value,
// render(row) -> Node|string, numeric, title}. Clicking a header sorts by it (numbers descend
// first, text ascends first); a second click reverses. Only the first `limit` rows are put in
// the DOM, so a group of 100 000 fibers stays usable; the note says how many are hidden.

export function sortableTable(columns, rows, { sortKey, limit = 2000, onSort } = {}) {
  const wrap = document.createElement('div');
  const table = document.createElement('table');
  table.className = 'data';
  const note = document.createElement('p');
  note.className = 'note';
  let key = sortKey ?? columns[0].key;
  let asc = !columns.find((c) => c.key === key)?.numeric;

  const thead = table.createTHead();
  const hr = thead.insertRow();
  const ths = columns.map((c) => {
    const th = document.createElement('th');
    th.textContent = c.label;
    th.className = `sortable${c.numeric ? '' : ' l'}`;
    th.dataset.key = c.key;
    if (c.title) th.title = c.title;
    th.addEventListener('click', () => {
      if (key === c.key) asc = !asc;
      else {
        key = c.key;
        asc = !c.numeric;
      }
      render();
      if (onSort) onSort(key, asc);
    });
    hr.append(th);
    return th;
  });
  const tbody = table.createTBody();

  function render() {
    const col = columns.find((c) => c.key === key);
    const sorted = rows.slice().sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      const r = va < vb ? -1 : va > vb ? 1 : 0;
      return asc ? r : -r;
    });
    ths.forEach((th) => {
      th.classList.toggle('sorted', th.dataset.key === key);
      th.classList.toggle('asc', th.dataset.key === key && asc);
    });
    const frag = document.createDocumentFragment();
    for (const row of sorted.slice(0, limit)) {
      const tr = document.createElement('tr');
      for (const c of columns) {
        const td = document.createElement('td');
        if (!c.numeric) td.className = 'l';
        const v = c.render ? c.render(row) : c.value(row);
        td.append(v instanceof Node ? v : document.createTextNode(String(v)));
        tr.append(td);
      }
      frag.append(tr);
    }
    tbody.replaceChildren(frag);
    note.textContent = rows.length > limit ? `Showing the first ${limit} of ${rows.length} rows in this order.` : '';
  }

  render();
  wrap.append(table, note);
  return wrap;
}
