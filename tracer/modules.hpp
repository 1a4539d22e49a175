// The process's module map, as the trace records it: for each loaded ELF object its path,
// GNU build-id, load bias and executable segments. Stacks are recorded as raw return addresses;
// a reader turns an address into (module, offset) with this map and, when symbols are wanted,
// looks the offset up in the module's file (checked against the build-id).
//
// Cost: a refresh walks the loader's list (dl_iterate_phdr: no system call, no file read, no
// mmap) and reads each object's build-id note from its mapped headers. The writer thread refreshes
// only when a stack holds an address outside every known module (at the first stacks, and after
// a dlopen), never on the recording threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ft::trace::detail {

struct ModuleSeg {
  uint64_t start = 0;  // run-time address
  uint64_t size = 0;
  uint64_t file_off = 0;  // offset of the segment in the file (p_offset)
};

struct ModuleRec {
  std::string path;             // absolute path of the file; "" when there is none (vdso)
  std::string build_id;         // raw NT_GNU_BUILD_ID bytes; "" when the object has none
  uint64_t base = 0;            // load bias: run-time address = ELF address + base
  std::vector<ModuleSeg> segs;  // executable PT_LOAD segments, ascending
};

// Writer thread only (not thread-safe).
class ModuleMap {
 public:
  // Module id (1-based, stable for the process) whose executable segments hold pc; 0 when none,
  // after one refresh of the map.
  uint32_t find(uint64_t pc);
  const ModuleRec& at(uint32_t id) const { return mods_[id - 1]; }
  uint32_t size() const { return uint32_t(mods_.size()); }

 private:
  uint32_t lookup(uint64_t pc) const;
  void refresh();
  std::vector<ModuleRec> mods_;
  struct Range {
    uint64_t start, end;
    uint32_t id;
  };
  std::vector<Range> ranges_;  // sorted by start
};
ModuleMap& module_map();

}  // namespace ft::trace::detail
