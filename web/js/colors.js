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

// name -> palette slot. A name whose hashed slot is taken by another name probes to the next
// free slot, so the first PALETTE.length functions always get distinct colours; pages register
// the trace's start functions up front (registerFuncs) so the order, and thus the colours,
// are the same on every page of one trace.
const byName = new Map();
const used = new Set();
export function funcColor(name) {
  let slot = byName.get(name);
  if (slot === undefined) {
    slot = hash(name) % PALETTE.length;
    if (used.size < PALETTE.length) {
      while (used.has(slot)) slot = (slot + 1) % PALETTE.length;
    }
    used.add(slot);
    byName.set(name, slot);
  }
  return PALETTE[slot];
}

export function registerFuncs(names) {
  for (const n of names) funcColor(n);
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
