// The reader's half for table chunks (strings, start functions, stacks, modules, symbols; and
// version 1's frames): parses them as they come, and once every chunk is seen builds
// Tables::stacks, funcs and modules. Separate from reader.cpp, which does the framing, the events
// and their merge.
//
// Bounds: every entry's ids come in order (id == entries so far) and every count is checked
// against the bytes left before anything is allocated; a version-2 stack holds at most
// fmt::kMaxFrames addresses and an address at most kMaxInline frames, so what finish() builds is
// bounded by the input times a constant.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "reader.hpp"

namespace ft::trace::detail {

// Which module's executable segments hold an address (binary search over the segments).
class ModuleIndex {
 public:
  explicit ModuleIndex(const Tables& t);
  uint32_t find(uint64_t pc) const;  // module id, 0 = none

 private:
  struct Range {
    uint64_t start, end;
    uint32_t id;
  };
  std::vector<Range> ranges_;
};

// How an unsymbolized address shows: "libc.so.6+0x2a3f0" (file name, offset from the load
// bias), or "0x7f..." outside every known module.
std::string module_offset_name(const Tables& t, uint32_t module, uint64_t pc);

class TableReader {
 public:
  static constexpr uint64_t kMaxInline = 16;

  TableReader(uint16_t version, Tables& t) : version_(version), t_(t) {}
  // Parses one table chunk's payload. On damage returns the offending entry's start (else
  // nullptr) and sets *what.
  const uint8_t* parse(uint8_t kind, const uint8_t* p, const uint8_t* end, const char** what);
  // Fills t.stacks, t.funcs (names from the symbols when the table has none), t.func_pcs and
  // t.modules.
  void finish();
  size_t stack_count() const { return stacks_.size(); }  // ids below it are defined

 private:
  struct RawFrame {
    uint64_t func, file, line;
  };
  bool module(const uint8_t*& p, const uint8_t* end, uint64_t id);
  bool symbols(const uint8_t*& p, const uint8_t* end);

  uint16_t version_;
  Tables& t_;
  std::vector<RawFrame> frames_{RawFrame{0, 0, 0}};  // version 1
  std::vector<std::vector<uint64_t>> stacks_{{}};    // v1: frame ids; v2: return addresses
  std::unordered_map<uint64_t, std::vector<RawFrame>> symbols_;  // v2: address -> frames
};

}  // namespace ft::trace::detail
