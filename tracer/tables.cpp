// Serialization of the tables into chunks (format.hpp, docs/trace-format.md), and the lookup of
// their addresses' symbols when a session ends.
//
// Return addresses are looked up at pc - 1 so that a call that is the last instruction of a
// function, or of an inlined range, is attributed to the call's line; a start function at its
// entry address. Stacks go out as raw addresses (zigzag deltas from the frame before), so a trace
// is complete without symbols; the modules their addresses fall in go out before them.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "format.hpp"
#include "modules.hpp"
#include "symbolize.hpp"
#include "tables.hpp"

namespace ft::trace::detail {

namespace {

// One table chunk under construction; flushed when it grows past ~1 MiB.
struct ChunkOut {
  std::string& out;
  uint8_t kind;
  std::string payload;
  void flush() {
    if (payload.empty()) return;
    uint8_t hdr[fmt::kChunkHeaderBytes];
    fmt::encode_chunk_header(hdr, kind, payload.data(), payload.size());
    out.append(reinterpret_cast<const char*>(hdr), sizeof hdr);
    out += payload;
    payload.clear();
  }
  void uv(uint64_t v) {
    uint8_t b[10];
    payload.append(reinterpret_cast<const char*>(b), size_t(fmt::put_uv(b, v) - b));
  }
  void str(std::string_view s) {
    uv(s.size());
    payload += s;
  }
  void end_entry() {
    if (payload.size() > (1u << 20)) flush();
  }
};

// The strings interned since the last call, as one chunk. ts.mu held.
void strings_chunk(const TableStore& ts, TableMarks& m, std::string& out) {
  ChunkOut s{out, fmt::kStrings, {}};
  for (; m.strings < ts.strings.size(); m.strings++) {
    s.uv(m.strings);
    s.str(ts.strings[m.strings]);
    s.end_entry();
  }
  s.flush();
}

// Appends the entries of the modules not yet described in this session, once some address
// needs the map: all of them, in id order (readers take ids in order; the map is small).
void describe_modules(TableMarks& m, const std::vector<uint32_t>& ids, std::string& out) {
  ModuleMap& mm = module_map();
  bool needed = false;
  for (uint32_t id : ids) needed |= id && (id >= m.modules.size() || !m.modules[id]);
  if (!needed) return;
  if (m.modules.size() <= mm.size()) m.modules.resize(mm.size() + 1);
  ChunkOut c{out, fmt::kModules, {}};
  for (uint32_t id = 1; id <= mm.size(); id++) {
    if (m.modules[id]) continue;
    m.modules[id] = true;
    const ModuleRec& r = mm.at(id);
    c.uv(id);
    c.str(r.path);
    c.str(r.build_id);
    c.uv(r.base);
    c.uv(r.segs.size());
    for (const ModuleSeg& s : r.segs) {
      c.uv(s.start);
      c.uv(s.size);
      c.uv(s.file_off);
    }
    c.end_entry();
  }
  c.flush();
}

// The writer thread and a flight-recorder dump (on the caller's thread) both serialize; the
// module map, the symbolizer and TableStore::symbols are theirs, under this lock.
std::mutex g_serialize_mu;

std::string lambda_name(const StartFn* fn) {
  std::string enclosing = fn->func ? short_function_name(fn->func) : std::string("lambda");
  return enclosing + ":" + std::to_string(fn->line);
}

}  // namespace

void serialize_new(TableMarks& m, std::string& out) {
  std::lock_guard<std::mutex> serial(g_serialize_mu);
  TableStore& ts = tables();
  std::vector<const StartFn*> funcs;
  std::vector<std::vector<uintptr_t>> stacks;
  size_t first_func, first_stack;
  {
    std::lock_guard<std::mutex> lk(ts.mu);
    strings_chunk(ts, m, out);
    first_func = m.funcs;
    first_stack = m.stacks;
    funcs.assign(ts.funcs.begin() + ptrdiff_t(first_func), ts.funcs.end());
    stacks.assign(ts.stacks.begin() + ptrdiff_t(first_stack), ts.stacks.end());
  }
  m.funcs += funcs.size();
  m.stacks += stacks.size();
  // The modules first, so that a reader meets them before the addresses (not required).
  ModuleMap& mm = module_map();
  std::vector<uint32_t> mods;
  for (const StartFn* fn : funcs)
    if (fn && fn->pc) mods.push_back(mm.find(uintptr_t(fn->pc)));
  for (const auto& st : stacks)
    for (uintptr_t pc : st) mods.push_back(mm.find(pc - 1));
  std::sort(mods.begin(), mods.end());
  mods.erase(std::unique(mods.begin(), mods.end()), mods.end());
  describe_modules(m, mods, out);

  ChunkOut f{out, fmt::kFuncs, {}};
  for (size_t i = 0; i < funcs.size(); i++) {
    const StartFn* fn = funcs[i];
    f.uv(first_func + i);
    // A plain function is named by its address (symbols at stop, or the reader); a lambda by
    // where it was written, which needs no lookup.
    f.str(!fn ? "unknown" : fn->pc ? "" : lambda_name(fn));
    f.uv(fn ? uintptr_t(fn->pc) : 0);
    f.end_entry();
  }
  f.flush();
  ChunkOut k{out, fmt::kStacks, {}};
  for (size_t i = 0; i < stacks.size(); i++) {
    k.uv(first_stack + i);
    k.uv(stacks[i].size());
    uintptr_t prev = 0;
    for (uintptr_t pc : stacks[i]) {
      k.uv(fmt::zigzag(int64_t(pc - prev)));
      prev = pc;
    }
    k.end_entry();
  }
  k.flush();
}

void symbols_chunks(TableMarks& m, std::string& out) {
  std::lock_guard<std::mutex> serial(g_serialize_mu);
  TableStore& ts = tables();
  std::vector<uint64_t> addrs;
  {
    std::lock_guard<std::mutex> lk(ts.mu);
    for (const StartFn* fn : ts.funcs)
      if (fn && fn->pc) addrs.push_back(uintptr_t(fn->pc));
    for (const auto& st : ts.stacks)
      for (uintptr_t pc : st) addrs.push_back(pc - 1);
  }
  std::sort(addrs.begin(), addrs.end());
  addrs.erase(std::unique(addrs.begin(), addrs.end()), addrs.end());
  // The lookups, outside the lock: recording threads may keep interning meanwhile. One
  // Symbolizer per process: a module's file is opened once.
  static Symbolizer* sym = new Symbolizer;
  static uint32_t declared = 0;
  ModuleMap& mm = module_map();
  std::vector<std::pair<uint64_t, std::vector<SymFrame>>> found;
  for (uint64_t a : addrs) {
    if (ts.symbols.count(a)) continue;
    uint32_t mod = mm.find(a);
    for (; declared < mm.size(); declared++) {
      const ModuleRec& r = mm.at(declared + 1);
      sym->add(declared + 1, r.path, r.base, r.build_id);
    }
    found.emplace_back(a, mod ? sym->lookup(mod, a) : std::vector<SymFrame>{});
  }
  {
    std::lock_guard<std::mutex> lk(ts.mu);
    for (auto& [a, frames] : found) {
      std::vector<FrameRec>& recs = ts.symbols[a];
      for (const SymFrame& f : frames)
        recs.push_back({ts.string_locked(f.func), ts.string_locked(f.file), f.line});
    }
    strings_chunk(ts, m, out);
  }
  ChunkOut y{out, fmt::kSymbols, {}};
  for (uint64_t a : addrs) {
    const std::vector<FrameRec>& recs = ts.symbols[a];
    if (recs.empty()) continue;
    y.uv(a);
    y.uv(recs.size());
    for (const FrameRec& f : recs) {
      y.uv(f.func);
      y.uv(f.file);
      y.uv(f.line);
    }
    y.end_entry();
  }
  y.flush();
}

}  // namespace ft::trace::detail
