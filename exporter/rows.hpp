// The rows of a timeline view, shared by the writers: which row (1-based; 0 = not shown) each
// slice, instant and log lands on, and each row's name and sort index. The rules are those of
// docs/json-format.md: proc view = one row per proc, plus "Thread N (no proc)" rows for work
// done without a proc and a "Timers" row; thread view = one row per OS thread; goroutine view
// = one row per fiber (with --goid, the focus and the fibers linked to it only).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "chrome_json.hpp"
#include "model.hpp"

namespace ft::exporter {

struct Rows {
  struct Row {
    std::string name;
    int64_t sort = 0;
  };
  View view = View::Proc;
  std::vector<Row> rows;  // row r (1-based) is rows[r - 1]

  uint32_t slice(const Slice& s) const;
  uint32_t instant(const Instant& i) const;
  uint32_t log(const Log& l) const;
  bool flow(const Model& m, const Flow& f) const {
    return slice(m.slices[f.from_slice]) && slice(m.slices[f.to_slice]);
  }
  bool fiber_shown(uint32_t f) const { return view != View::Goroutine || fiber_row[f]; }

  std::vector<uint32_t> fiber_row;   // goroutine view: row per fiber, 0 = not shown
  std::vector<uint32_t> noproc_row;  // proc view: per thread, the row of its proc-less events
  uint32_t timers_row = 0;
};

// Throws std::invalid_argument when goid names no fiber of the trace.
Rows make_rows(const Model& m, View view, std::optional<uint64_t> goid);

}  // namespace ft::exporter
