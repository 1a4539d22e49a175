// Symbolizer (symbolize.hpp) over elfutils' libdwfl: one Dwfl session per module file, opened
// at the first lookup in it and kept. Frames of an address: the DWARF scopes holding it,
// innermost first, each inlined subroutine a frame of its own (its call site gives the file and
// line of the frame outside it), ending at the enclosing subprogram; with no DWARF, the ELF symbol.
#include "symbolize.hpp"

#include <cxxabi.h>
#include <dwarf.h>
#include <elfutils/libdwfl.h>

#include <cstdlib>
#include <cstring>

namespace ft::trace {

namespace detail {

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

}  // namespace detail

struct Symbolizer::Mod {
  std::string path, build_id;
  uint64_t base = 0;
  bool tried = false;
  Dwfl* dwfl = nullptr;
  Dwfl_Module* mod = nullptr;
  std::string problem;
  ~Mod() {
    if (dwfl) dwfl_end(dwfl);
  }
};

Symbolizer::Symbolizer() = default;
Symbolizer::~Symbolizer() = default;

void Symbolizer::add(uint32_t key, std::string path, uint64_t base, std::string build_id) {
  if (key >= mods_.size()) mods_.resize(size_t(key) + 1);
  auto m = std::make_unique<Mod>();
  m->path = std::move(path);
  m->base = base;
  m->build_id = std::move(build_id);
  mods_[key] = std::move(m);
}

Symbolizer::Mod* Symbolizer::open(uint32_t key) {
  if (key >= mods_.size() || !mods_[key]) return nullptr;
  Mod& m = *mods_[key];
  if (m.tried) return m.mod ? &m : nullptr;
  m.tried = true;
  if (m.path.empty()) {
    m.problem = "no file";
    return nullptr;
  }
  static const Dwfl_Callbacks callbacks = {dwfl_build_id_find_elf, dwfl_standard_find_debuginfo,
                                           dwfl_offline_section_address, nullptr};
  m.dwfl = dwfl_begin(&callbacks);
  if (!m.dwfl) {
    m.problem = "out of memory";
    return nullptr;
  }
  dwfl_report_begin(m.dwfl);
  Dwfl_Module* mod = dwfl_report_elf(m.dwfl, m.path.c_str(), m.path.c_str(), -1, m.base, false);
  dwfl_report_end(m.dwfl, nullptr, nullptr);
  if (!mod) {
    m.problem = std::string("cannot read ") + m.path + ": " + dwfl_errmsg(-1);
    return nullptr;
  }
  if (!m.build_id.empty()) {
    const unsigned char* bits = nullptr;
    GElf_Addr vaddr = 0;
    int n = dwfl_module_build_id(mod, &bits, &vaddr);
    if (n != int(m.build_id.size()) || memcmp(bits, m.build_id.data(), size_t(n)) != 0) {
      m.problem = m.path + " is not the file the trace was recorded with (build-id differs)";
      return nullptr;
    }
  }
  m.mod = mod;
  return &m;
}

std::string Symbolizer::problem(uint32_t key) const {
  return key < mods_.size() && mods_[key] ? mods_[key]->problem : std::string("unknown module");
}

namespace {

const char* die_name(Dwarf_Die* die) {
  Dwarf_Attribute attr;
  for (int at : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name})
    if (dwarf_attr_integrate(die, at, &attr))
      if (const char* s = dwarf_formstring(&attr)) return s;
  return dwarf_diename(die);
}

std::string func_name(const char* raw) {
  return raw ? detail::short_function_name(detail::demangle(raw)) : std::string();
}

// A scope's function name. Some linkage names do not demangle (lambdas local to a template's
// instance, as std::apply's closures): then the plain DW_AT_name reads better than the
// mangled text.
std::string scope_name(Dwarf_Die* die) {
  std::string name = func_name(die_name(die));
  if (name.starts_with("_Z"))
    if (const char* plain = dwarf_diename(die)) name = plain;
  return name;
}

uint32_t attr_u(Dwarf_Die* die, int at) {
  Dwarf_Attribute attr;
  Dwarf_Word v = 0;
  if (!dwarf_attr(die, at, &attr) || dwarf_formudata(&attr, &v) != 0) return 0;
  return uint32_t(v);
}

}  // namespace

std::vector<SymFrame> Symbolizer::lookup(uint32_t key, uint64_t addr) {
  std::vector<SymFrame> out;
  Mod* m = open(key);
  if (!m) return out;
  std::string file;
  int line = 0;
  if (Dwfl_Line* l = dwfl_module_getsrc(m->mod, addr))
    if (const char* f = dwfl_lineinfo(l, nullptr, &line, nullptr, nullptr, nullptr)) file = f;
  Dwarf_Addr bias = 0;
  if (Dwarf_Die* cu = dwfl_module_addrdie(m->mod, addr, &bias)) {
    Dwarf_Die* scopes = nullptr;
    int n = dwarf_getscopes(cu, addr - bias, &scopes);
    Dwarf_Files* files = nullptr;
    size_t nfiles = 0;
    if (dwarf_getsrcfiles(cu, &files, &nfiles) != 0) files = nullptr;
    for (int i = 0; i < n;) {
      int tag = dwarf_tag(&scopes[i]);
      if (tag != DW_TAG_inlined_subroutine && tag != DW_TAG_subprogram) {
        i++;
        continue;
      }
      out.push_back({scope_name(&scopes[i]), file, uint32_t(line > 0 ? line : 0)});
      if (tag == DW_TAG_subprogram) break;
      // The frame outside an inlined call is at the call site.
      uint32_t cf = attr_u(&scopes[i], DW_AT_call_file);
      const char* f = files && cf < nfiles ? dwarf_filesrc(files, cf, nullptr, nullptr) : nullptr;
      file = f ? f : "";
      line = int(attr_u(&scopes[i], DW_AT_call_line));
      // dwarf_getscopes continues past an inlined instance with the scopes of its abstract
      // definition (the inlined function's own body), not with the function it was inlined
      // into: the caller's frames would be lost. The concrete chain is the inlined DIE's
      // parents, which dwarf_getscopes_die returns (the DIE itself first).
      Dwarf_Die* outer = nullptr;
      int m = dwarf_getscopes_die(&scopes[i], &outer);
      if (m <= 1) {
        free(outer);
        break;
      }
      free(scopes);
      scopes = outer;
      n = m;
      i = 1;
    }
    free(scopes);
  }
  if (out.empty() || out.back().func.empty()) {
    // No DWARF for it (or an unnamed scope): the ELF symbol names the function.
    std::string sym = func_name(dwfl_module_addrname(m->mod, addr));
    if (out.empty()) out.push_back({sym, file, uint32_t(line > 0 ? line : 0)});
    if (out.back().func.empty()) out.back().func = sym;
    if (out.back().func.empty()) out.clear();
  }
  return out;
}

}  // namespace ft::trace
