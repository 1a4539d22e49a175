// resolve_symbols (reader.hpp): the reader's symbolization of a trace that lacks its symbols
// chunk, from the modules' files on this machine (Symbolizer: only files of the recorded
// build-id, only the modules the unsymbolized frames fall in).
#include <map>
#include <unordered_map>

#include "reader.hpp"
#include "symbolize.hpp"
#include "table_reader.hpp"

namespace ft::trace {

size_t resolve_symbols(Tables& t, std::string* why) {
  Symbolizer sym;
  for (size_t i = 1; i < t.modules.size(); i++)
    sym.add(uint32_t(i), t.modules[i].path, t.modules[i].base, t.modules[i].build_id);
  std::unordered_map<uint64_t, std::vector<SymFrame>> memo;  // address -> frames
  auto look = [&](uint32_t mod, uint64_t addr) -> const std::vector<SymFrame>& {
    auto [it, added] = memo.try_emplace(addr);
    if (added && mod) it->second = sym.lookup(mod, addr);
    return it->second;
  };
  size_t left = 0;
  std::map<uint32_t, size_t> unresolved;  // module -> frames left
  for (auto& stack : t.stacks) {
    bool any = false;
    for (const Frame& f : stack) any |= !f.symbolized;
    if (!any) continue;
    std::vector<Frame> out;
    for (Frame& f : stack) {
      const std::vector<SymFrame>* fr = f.symbolized ? nullptr : &look(f.module, f.pc - 1);
      if (!fr || fr->empty()) {
        if (fr) left++, unresolved[f.module]++;
        out.push_back(std::move(f));
        continue;
      }
      for (const SymFrame& s : *fr)
        out.push_back(Frame{s.func, s.file, s.line, f.module, f.pc, true});
    }
    stack = std::move(out);
  }
  detail::ModuleIndex index(t);
  for (size_t i = 1; i < t.funcs.size() && i < t.func_pcs.size(); i++) {
    uint64_t pc = t.func_pcs[i];
    if (!pc) continue;
    uint32_t mod = index.find(pc);
    if (t.funcs[i] != detail::module_offset_name(t, mod, pc)) continue;  // has its name
    const std::vector<SymFrame>& fr = look(mod, pc);
    if (fr.empty()) {
      left++, unresolved[mod]++;
      continue;
    }
    t.funcs[i] = fr.back().func;
  }
  if (why) {
    why->clear();
    for (auto [mod, n] : unresolved) {
      if (!why->empty()) *why += "; ";
      std::string problem = mod ? sym.problem(mod) : "outside every module";
      std::string name = mod && mod < t.modules.size() ? t.modules[mod].path : "";
      *why += std::to_string(n) + " in " + (name.empty() ? "?" : name) + ": " +
              (problem.empty() ? "no symbols for those addresses" : problem);
    }
  }
  return left;
}

}  // namespace ft::trace
