// Human-readable numbers for times (integer nanoseconds everywhere in the API) and sizes.

const UNITS = [
  [1e9, 's'],
  [1e6, 'ms'],
  [1e3, 'µs'],
  [1, 'ns'],
];

// 1234567 -> "1.235 ms". Three significant decimals at most, no trailing noise.
export function fmtDuration(ns) {
  if (!Number.isFinite(ns)) return '–';
  const a = Math.abs(ns);
  for (const [div, unit] of UNITS) {
    if (a >= div || div === 1) {
      const v = ns / div;
      const digits = div === 1 ? 0 : Math.abs(v) >= 100 ? 1 : Math.abs(v) >= 10 ? 2 : 3;
      return `${Number(v.toFixed(digits))} ${unit}`;
    }
  }
  return `${ns} ns`;
}

// A ruler label for time t when ticks are `step` ns apart: as many decimals as the step needs,
// in the unit that suits unitStep (by default the step itself).
export function fmtTick(t, step, unitStep = step) {
  let div = 1;
  let unit = 'ns';
  for (const [d, u] of UNITS) {
    if (unitStep >= d / 10 || d === 1) {
      div = d;
      unit = u;
      break;
    }
  }
  const decimals = Math.max(0, Math.ceil(-Math.log10(step / div) + 1e-9));
  return `${(t / div).toFixed(Math.min(decimals, 6))} ${unit}`;
}

export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

export function fmtCount(n) {
  return Number(n).toLocaleString('en-US');
}

export function fmtPercent(part, whole) {
  if (!whole) return '–';
  return `${((100 * part) / whole).toFixed(1)}%`;
}
