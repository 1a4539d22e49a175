// TableReader (table_reader.hpp): the table chunks of both format versions.
#include "table_reader.hpp"

#include <algorithm>
#include <cstdio>

#include "format.hpp"

namespace ft::trace::detail {

namespace {

using fmt::get_uv;
constexpr uint64_t kMaxId = 1u << 26;  // as the reader's: tables cannot be made huge

bool get_bytes(const uint8_t*& p, const uint8_t* end, std::string& out) {
  uint64_t n;
  if (!get_uv(p, end, n) || n > uint64_t(end - p)) return false;
  out.assign(reinterpret_cast<const char*>(p), size_t(n));
  p += n;
  return true;
}

}  // namespace

std::string module_offset_name(const Tables& t, uint32_t module, uint64_t pc) {
  char buf[64];
  if (module == 0 || module >= t.modules.size()) {
    snprintf(buf, sizeof buf, "0x%llx", (unsigned long long)pc);
    return buf;
  }
  const Module& m = t.modules[module];
  std::string_view name = m.path;
  if (size_t slash = name.rfind('/'); slash != std::string_view::npos)
    name = name.substr(slash + 1);
  snprintf(buf, sizeof buf, "+0x%llx", (unsigned long long)(pc - m.base));
  return std::string(name.empty() ? "?" : name) + buf;
}

ModuleIndex::ModuleIndex(const Tables& t) {
  for (size_t i = 1; i < t.modules.size(); i++)
    for (const Module::Seg& s : t.modules[i].segs)
      if (s.size) ranges_.push_back({s.start, s.start + s.size, uint32_t(i)});
  std::sort(ranges_.begin(), ranges_.end(),
            [](const Range& a, const Range& b) { return a.start < b.start; });
}

uint32_t ModuleIndex::find(uint64_t pc) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), pc,
                             [](uint64_t v, const Range& r) { return v < r.start; });
  if (it == ranges_.begin()) return 0;
  --it;
  return pc < it->end ? it->id : 0;
}

bool TableReader::module(const uint8_t*& p, const uint8_t* end, uint64_t id) {
  Module m;
  uint64_t nseg;
  if (id != t_.modules.size() || !get_bytes(p, end, m.path) || !get_bytes(p, end, m.build_id) ||
      !get_uv(p, end, m.base) || !get_uv(p, end, nseg) || nseg > uint64_t(end - p))
    return false;
  for (uint64_t i = 0; i < nseg; i++) {
    Module::Seg s;
    if (!get_uv(p, end, s.start) || !get_uv(p, end, s.size) || !get_uv(p, end, s.file_off))
      return false;
    m.segs.push_back(s);
  }
  t_.modules.push_back(std::move(m));
  return true;
}

bool TableReader::symbols(const uint8_t*& p, const uint8_t* end) {
  uint64_t addr, n;
  if (!get_uv(p, end, addr) || !get_uv(p, end, n) || n == 0 || n > kMaxInline) return false;
  std::vector<RawFrame> fr;
  for (uint64_t i = 0; i < n; i++) {
    RawFrame f;
    if (!get_uv(p, end, f.func) || !get_uv(p, end, f.file) || !get_uv(p, end, f.line) ||
        f.func > kMaxId || f.file > kMaxId || f.line > UINT32_MAX)
      return false;
    fr.push_back(f);
  }
  symbols_[addr] = std::move(fr);  // a later entry for the same address wins
  return true;
}

const uint8_t* TableReader::parse(uint8_t kind, const uint8_t* p, const uint8_t* end,
                                  const char** what) {
  uint64_t id, n, a, b, c;
  while (p < end) {
    const uint8_t* at = p;
    *what = "corrupt table entry";
    if (kind == fmt::kSymbols) {
      *what = "corrupt symbol entry";
      if (!symbols(p, end)) return at;
      continue;
    }
    if (!get_uv(p, end, id)) return at;
    switch (kind) {
      case fmt::kStrings: {
        if (id != t_.strings.size() || !get_bytes(p, end, t_.strings.emplace_back())) return at;
        break;
      }
      case fmt::kFuncs: {
        std::string name;
        uint64_t pc = 0;
        if (id != t_.funcs.size() || !get_bytes(p, end, name)) return at;
        if (version_ >= 2 && !get_uv(p, end, pc)) return at;
        t_.funcs.push_back(std::move(name));
        t_.func_pcs.push_back(pc);
        break;
      }
      case fmt::kFrames:
        *what = "corrupt frame entry";
        if (id != frames_.size() || !get_uv(p, end, a) || !get_uv(p, end, b) ||
            !get_uv(p, end, c) || a > kMaxId || b > kMaxId || c > UINT32_MAX)
          return at;
        frames_.push_back({a, b, c});
        break;
      case fmt::kStacks: {
        *what = "corrupt stack entry";
        if (id != stacks_.size() || !get_uv(p, end, n) || n > uint64_t(end - p)) return at;
        if (version_ >= 2 && n > fmt::kMaxFrames) return at;
        std::vector<uint64_t> v;
        v.reserve(size_t(n));
        uint64_t pc = 0;
        for (uint64_t i = 0; i < n; i++) {
          if (!get_uv(p, end, a)) return at;
          if (version_ >= 2) {
            pc += uint64_t(fmt::unzigzag(a));
            v.push_back(pc);
          } else {
            if (a > kMaxId) return at;
            v.push_back(a);
          }
        }
        stacks_.push_back(std::move(v));
        break;
      }
      case fmt::kModules:
        *what = "corrupt module entry";
        if (!module(p, end, id)) return at;
        break;
      default:
        return nullptr;
    }
  }
  return nullptr;
}

void TableReader::finish() {
  auto str = [&](uint64_t id) -> std::string {
    return id < t_.strings.size() ? t_.strings[id] : std::string();
  };
  t_.stacks.assign(stacks_.size(), {});
  if (version_ < 2) {
    std::vector<Frame> resolved(frames_.size());
    for (size_t i = 1; i < frames_.size(); i++)
      resolved[i] = Frame{str(frames_[i].func), str(frames_[i].file), uint32_t(frames_[i].line)};
    for (size_t s = 1; s < stacks_.size(); s++)
      for (uint64_t f : stacks_[s])
        t_.stacks[s].push_back(f < resolved.size() && f ? resolved[f] : Frame{"?", "", 0});
    return;
  }
  ModuleIndex index(t_);
  for (size_t s = 1; s < stacks_.size(); s++) {
    for (uint64_t pc : stacks_[s]) {
      uint32_t mod = index.find(pc);
      auto it = symbols_.find(pc - 1);
      if (it == symbols_.end()) {
        t_.stacks[s].push_back(Frame{module_offset_name(t_, mod, pc), "", 0, mod, pc, false});
        continue;
      }
      for (const RawFrame& f : it->second)
        t_.stacks[s].push_back(Frame{str(f.func), str(f.file), uint32_t(f.line), mod, pc, true});
    }
  }
  for (size_t i = 1; i < t_.funcs.size(); i++) {
    uint64_t pc = t_.func_pcs[i];
    if (!t_.funcs[i].empty() || !pc) continue;
    auto it = symbols_.find(pc);
    t_.funcs[i] = it != symbols_.end() ? str(it->second.back().func)
                                       : module_offset_name(t_, index.find(pc), pc);
  }
}

}  // namespace ft::trace::detail
