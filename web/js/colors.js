// Colours: one per start function (so every `pass` fiber looks alike, as in Go's viewer), and
// fixed ones for counter series. The function colour comes from a hash of the name, not its id,
// so the same function keeps its colour across traces and views.

// Light enough for dark text on top, distinct enough side by side.
const PALETTE = [
  '#8cc4e8', '#f4a582', '#a6d88f', '#c5a3e0', '#f7d26a', '#7fd1c1', '#f59ab5', '#b8c97a',
  '#9fb3f0', '#e6b17e', '#86d6a0', '#e09ad0', '#a8c2cf', '#f0c0a0', '#c0d880', '#d0a8ff',
];

function hash(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

const byName = new Map();
export function funcColor(name) {
  let c = byName.get(name);
  if (!c) {
    c = PALETTE[hash(name) % PALETTE.length];
    byName.set(name, c);
  }
  return c;
}

// A run of sub-pixel slices from several fibers: no single function to colour it by.
export const MIXED_COLOR = '#b9c0cc';

// Counter series, by key name; unknown keys fall back to the palette.
const SERIES = {
  Running: '#5cb85c',
  Runnable: '#6aa9e9',
  Waiting: '#d6dae0',
  InSyscall: '#b07cd8',
  Allocated: '#f0a35e',
};
export function seriesColor(key, i = 0) {
  return SERIES[key] || PALETTE[(i * 5) % PALETTE.length];
}

export const FLOW_COLORS = { go: '#6b4fbb', unblock: '#d9480f' };
