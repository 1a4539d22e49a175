// The module map (modules.hpp): dl_iterate_phdr plus the build-id notes of the mapped headers.
#include "modules.hpp"

#include <elf.h>
#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace ft::trace::detail {

namespace {

std::string self_exe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

// The NT_GNU_BUILD_ID note of a loaded object, read from its PT_NOTE segments in memory.
std::string build_id(const dl_phdr_info* info) {
  for (int i = 0; i < info->dlpi_phnum; i++) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_NOTE) continue;
    auto* p = reinterpret_cast<const uint8_t*>(info->dlpi_addr + ph.p_vaddr);
    const uint8_t* end = p + ph.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      ElfW(Nhdr) nh;
      memcpy(&nh, p, sizeof nh);
      const uint8_t* name = p + sizeof nh;
      const uint8_t* desc = name + ((nh.n_namesz + 3) & ~3u);
      const uint8_t* next = desc + ((nh.n_descsz + 3) & ~3u);
      if (next > end) break;
      if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 && memcmp(name, "GNU", 4) == 0)
        return std::string(reinterpret_cast<const char*>(desc), nh.n_descsz);
      p = next;
    }
  }
  return {};
}

}  // namespace

ModuleMap& module_map() {
  static auto* m = new ModuleMap;  // never destroyed: the atexit stop uses it
  return *m;
}

uint32_t ModuleMap::lookup(uint64_t pc) const {
  auto it = std::upper_bound(ranges_.begin(), ranges_.end(), pc,
                             [](uint64_t v, const Range& r) { return v < r.start; });
  if (it == ranges_.begin()) return 0;
  --it;
  return pc < it->end ? it->id : 0;
}

uint32_t ModuleMap::find(uint64_t pc) {
  if (uint32_t id = lookup(pc)) return id;
  refresh();
  return lookup(pc);
}

void ModuleMap::refresh() {
  struct Ctx {
    ModuleMap* self;
  } ctx{this};
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* p) {
        ModuleMap* self = static_cast<Ctx*>(p)->self;
        ModuleRec rec;
        rec.base = info->dlpi_addr;
        for (int i = 0; i < info->dlpi_phnum; i++) {
          const ElfW(Phdr)& ph = info->dlpi_phdr[i];
          if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
            rec.segs.push_back({info->dlpi_addr + ph.p_vaddr, ph.p_memsz, ph.p_offset});
        }
        if (rec.segs.empty()) return 0;
        // Known already (same object at the same place)? The map only grows: an unloaded
        // object's addresses keep their old module, which is what stacks recorded then meant.
        for (const ModuleRec& m : self->mods_)
          if (m.base == rec.base && m.segs.front().start == rec.segs.front().start) return 0;
        const char* name = info->dlpi_name;
        if (!name || !*name) {
          rec.path = self_exe();  // the executable is the one object without a name
        } else if (name[0] == '/') {
          rec.path = name;
        }  // else "linux-vdso.so.1": no file
        rec.build_id = build_id(info);
        self->mods_.push_back(std::move(rec));
        uint32_t id = uint32_t(self->mods_.size());
        for (const ModuleSeg& s : self->mods_.back().segs)
          self->ranges_.push_back({s.start, s.start + s.size, id});
        return 0;
      },
      &ctx);
  std::sort(ranges_.begin(), ranges_.end(),
            [](const Range& a, const Range& b) { return a.start < b.start; });
}

}  // namespace ft::trace::detail
