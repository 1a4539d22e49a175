// Symbolization of code addresses from the modules' files: ELF symbol tables and DWARF (line
// tables, inlined calls) through elfutils' libdwfl, one module at a time.
//
// Used off the hot path only: by the writer thread when a session stops (for the addresses of the
// stacks and start functions the trace holds), and by readers (resolve_symbols, reader.hpp) for a
// trace whose symbols were not written (a program killed with SIGKILL). Only modules that some
// looked-up address falls in are opened, and within one, libdw reads the debug information of
// the compilation units holding those addresses: no module's debug info is read for a frame
// nobody shows. A module whose file's build-id differs from the recorded one is not used (its
// addresses would name the wrong code).
//
// Measured (dynamically linked daisy 100 000, traced, this shared 2-core machine under load):
// before, libbacktrace in every writer cycle was ~9 % of all samples (inflating libc's debug
// info), 2 682 mmap calls contending with the workers' stack faults, and nothing reached the
// file for the first ~0.7 s; now no symbolization runs while the program does (traced/untraced
// 1.02, was 1.68), the whole traced run makes 345 mmap calls (most of them libdw's, at stop),
// and the lookup at stop costs ~0.4 s of wall after the program's own work (elfutils reading
// the executable's DWARF for the trace's ~100 addresses).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ft::trace {

struct SymFrame {
  std::string func;  // demangled, without parameter list
  std::string file;  // "" when unknown
  uint32_t line = 0;
};

class Symbolizer {
 public:
  Symbolizer();
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // Declares module `key`: its file, load bias (run-time address = ELF address + base) and
  // build-id (raw bytes; "" = unchecked). The file is opened at the first lookup in it.
  void add(uint32_t key, std::string path, uint64_t base, std::string build_id);
  // Frames for the run-time address `addr` of module `key`, innermost first (inlined calls
  // expand to several frames); empty when the module's file is missing, of another build, or has
  // nothing for the address. Look return addresses up at pc - 1 (the call, not the next line).
  std::vector<SymFrame> lookup(uint32_t key, uint64_t addr);
  // Why module `key` gave nothing, or "" when it was usable (after a lookup in it).
  std::string problem(uint32_t key) const;

 private:
  struct Mod;
  Mod* open(uint32_t key);
  std::vector<std::unique_ptr<Mod>> mods_;
};

namespace detail {
// "void ns::f<int>(int) [with T = int]" -> "ns::f<int>"; "main()::<lambda()>" -> "main";
// "ft::Chan<int>::recv(int&) const" -> "ft::Chan<int>::recv"; "operator()" is kept.
std::string short_function_name(std::string_view demangled_or_pretty);
std::string demangle(const char* name);
}  // namespace detail

}  // namespace ft::trace
