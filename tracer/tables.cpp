// Symbolization (writer thread) and serialization of the tables into chunks.
//
// Symbolization uses GCC's libbacktrace, which reads the executable's DWARF (and the symbol
// table as a fallback) in-process; its state is created once and kept for the process's life
// (libbacktrace has no destroy). Return addresses are looked up at pc-1 so that a call that is the
// last instruction of a function, or of an inlined range, is attributed to the call's line.
// Inlined calls expand to several frames, innermost first, as libbacktrace reports them.
#include <backtrace.h>
#include <cxxabi.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "format.hpp"
#include "tables.hpp"

namespace ft::trace::detail {

namespace {

backtrace_state* bt_state() {
  static backtrace_state* st = backtrace_create_state(
      nullptr, /*threaded=*/1, [](void*, const char*, int) {}, nullptr);
  return st;
}

struct RawFrame {
  std::string func, file;
  uint32_t line = 0;
};

void syminfo_name(uintptr_t pc, std::string& out) {
  backtrace_syminfo(
      bt_state(), pc,
      [](void* data, uintptr_t, const char* sym, uintptr_t, uintptr_t) {
        if (sym) *static_cast<std::string*>(data) = sym;
      },
      [](void*, const char*, int) {}, &out);
}

std::vector<RawFrame> pc_frames(uintptr_t pc) {
  std::vector<RawFrame> out;
  backtrace_pcinfo(
      bt_state(), pc,
      [](void* data, uintptr_t, const char* file, int line, const char* fn) -> int {
        auto* v = static_cast<std::vector<RawFrame>*>(data);
        RawFrame f;
        if (fn) f.func = short_function_name(demangle(fn));
        if (file) f.file = file;
        f.line = line > 0 ? uint32_t(line) : 0;
        v->push_back(std::move(f));
        return 0;
      },
      [](void*, const char*, int) {}, &out);
  if (out.empty() || out.front().func.empty()) {
    std::string sym;
    syminfo_name(pc, sym);
    if (out.empty()) out.emplace_back();
    if (!sym.empty()) {
      out.front().func = short_function_name(demangle(sym.c_str()));
    } else {
      char hex[32];
      snprintf(hex, sizeof hex, "0x%zx", size_t(pc));
      out.front().func = hex;
    }
  }
  return out;
}

std::string func_display_name(const StartFn* fn) {
  if (!fn) return "unknown";
  if (fn->pc) {
    auto frames = pc_frames(uintptr_t(fn->pc));
    // The entry pc of a function is never inside an inlined range: the outermost frame is it.
    return frames.back().func;
  }
  std::string enclosing = fn->func ? short_function_name(fn->func) : std::string("lambda");
  return enclosing + ":" + std::to_string(fn->line);
}

// Symbolized pcs, kept for the process: symbolization is the expensive part.
std::unordered_map<uintptr_t, std::vector<RawFrame>>& pc_cache() {
  static auto* m = new std::unordered_map<uintptr_t, std::vector<RawFrame>>;
  return *m;
}

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

}  // namespace

std::string demangle(const char* name) {
  int status = 0;
  char* d = abi::__cxa_demangle(name, nullptr, nullptr, &status);
  if (status != 0 || !d) return name;
  std::string s(d);
  free(d);
  return s;
}

// "void ns::f<int>(int) [with T = int]" -> "ns::f<int>"; "main()::<lambda()>" -> "main";
// "ft::Chan<int>::recv(int&) const" -> "ft::Chan<int>::recv"; "operator()" is kept.
std::string short_function_name(std::string_view s) {
  static constexpr std::string_view kAnon = "(anonymous namespace)";
  int depth = 0;
  size_t cut = s.size();
  for (size_t i = 0; i < s.size(); i++) {
    if (s.compare(i, kAnon.size(), kAnon) == 0) {
      i += kAnon.size() - 1;
      continue;
    }
    char c = s[i];
    if (c == '(' && depth == 0) {
      if (i >= 8 && s.substr(i - 8, 8) == "operator" && i + 1 < s.size() && s[i + 1] == ')') {
        i++;
        continue;
      }
      cut = i;
      break;
    }
    if (c == '<' || c == '(' || c == '{' || c == '[') depth++;
    if ((c == '>' || c == ')' || c == '}' || c == ']') && depth > 0) depth--;
  }
  std::string_view head = s.substr(0, cut);
  // Drop a leading return type: the last space outside brackets.
  depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < head.size(); i++) {
    if (head.compare(i, kAnon.size(), kAnon) == 0) {
      i += kAnon.size() - 1;
      continue;
    }
    char c = head[i];
    if (c == '<' || c == '(' || c == '{' || c == '[') depth++;
    if ((c == '>' || c == ')' || c == '}' || c == ']') && depth > 0) depth--;
    if (c == ' ' && depth == 0) start = i + 1;
  }
  std::string r(head.substr(start));
  return r.empty() ? std::string(s) : r;
}

void symbolize_pending() {
  TableStore& ts = tables();
  std::vector<const StartFn*> fns;
  std::vector<std::vector<uintptr_t>> stacks;
  size_t first_stack;
  {
    std::lock_guard<std::mutex> lk(ts.mu);
    fns.assign(ts.funcs.begin() + ptrdiff_t(ts.func_names.size()), ts.funcs.end());
    first_stack = ts.stack_frames.size();
    stacks.assign(ts.stacks.begin() + ptrdiff_t(first_stack), ts.stacks.end());
  }
  if (fns.empty() && stacks.empty()) return;
  // The slow part, outside the lock: recording threads may keep interning meanwhile.
  std::vector<std::string> names;
  for (const StartFn* fn : fns) names.push_back(func_display_name(fn));
  auto& cache = pc_cache();
  for (const auto& st : stacks)
    for (uintptr_t pc : st)
      if (!cache.count(pc)) cache.emplace(pc, pc_frames(pc - 1));

  std::lock_guard<std::mutex> lk(ts.mu);
  for (auto& n : names) ts.func_names.push_back(std::move(n));
  for (const auto& st : stacks) {
    std::vector<uint32_t> ids;
    for (uintptr_t pc : st) {
      // One frame record per (pc, inline level), made the first time the pc is seen.
      auto [it, added] = ts.pc_frame_ids.try_emplace(pc);
      if (added) {
        for (const RawFrame& f : cache[pc]) {
          ts.frames.push_back(FrameRec{ts.string_locked(f.func), ts.string_locked(f.file), f.line});
          it->second.push_back(uint32_t(ts.frames.size() - 1));
        }
      }
      ids.insert(ids.end(), it->second.begin(), it->second.end());
    }
    ts.stack_frames.push_back(std::move(ids));
  }
}

void serialize_new(TableMarks& m, std::string& out) {
  TableStore& ts = tables();
  std::lock_guard<std::mutex> lk(ts.mu);
  ChunkOut s{out, fmt::kStrings, {}};
  for (; m.strings < ts.strings.size(); m.strings++) {
    s.uv(m.strings);
    s.str(ts.strings[m.strings]);
    s.end_entry();
  }
  s.flush();
  ChunkOut f{out, fmt::kFuncs, {}};
  for (; m.funcs < ts.func_names.size(); m.funcs++) {
    f.uv(m.funcs);
    f.str(ts.func_names[m.funcs]);
    f.end_entry();
  }
  f.flush();
  ChunkOut p{out, fmt::kFrames, {}};
  for (; m.frames < ts.frames.size(); m.frames++) {
    const FrameRec& fr = ts.frames[m.frames];
    p.uv(m.frames);
    p.uv(fr.func);
    p.uv(fr.file);
    p.uv(fr.line);
    p.end_entry();
  }
  p.flush();
  ChunkOut k{out, fmt::kStacks, {}};
  for (; m.stacks < ts.stack_frames.size(); m.stacks++) {
    const auto& ids = ts.stack_frames[m.stacks];
    k.uv(m.stacks);
    k.uv(ids.size());
    for (uint32_t id : ids) k.uv(id);
    k.end_entry();
  }
  k.flush();
}

}  // namespace ft::trace::detail
