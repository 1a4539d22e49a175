// A checker for the Chrome Trace Event JSON rules of docs/json-format.md: what both the Perfetto
// importer and the classic catapult viewer accept without dropping, moving or warning.
// Used by the tests on every export, and usable on any file (it flags Go's own output).
//
// Rules (Violation::rule):
//   json              not parseable JSON
//   top-level         not an object with a "traceEvents" array
//   display-time-unit displayTimeUnit missing, or neither "ms" nor "ns"
//   event             an entry of traceEvents is not an object, or lacks a string name / ph
//   phase             ph is one Perfetto drops (S F p O N D) or T, or not a known phase
//   ts                an event (M included) without ts
//   time-format       ts or dur not written as a number with exactly three decimals
//   pid-tid           pid or tid missing, not an integer, or outside 1 .. 2^32-1
//   x-order           X events not sorted by ts
//   x-dur             X without a non-negative dur
//   nesting           two X slices on one pid/tid that overlap without one containing the other
//   metadata          M not one of process_name, thread_name, process/thread_sort_index, or
//                     without the matching args (name string / sort_index integer)
//   counter           C whose args are not all numbers, whose key set differs from the first
//                     sample of that counter, or whose cat is missing or changes
//   flow              bind_id zero or not an integer, used without flow_in/flow_out, on a non-X
//                     event, reused, without its other end, or consumer before producer
//   flow-phase        s/t/f not strictly inside an X slice on its pid/tid
//   async             b/e without cat, pid or id2.local; e without an open b; b never ended
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ft::exporter {

struct Violation {
  std::string rule;     // one of the names above
  std::string message;  // what is wrong, with the values involved
  int64_t event = -1;   // index in traceEvents, -1 when about the file
};

// Stops collecting after `limit` violations (the count of the rest is not kept).
std::vector<Violation> validate_chrome_json(std::string_view text, size_t limit = 100);

std::string format_violations(const std::vector<Violation>& v);  // one per line, for messages

}  // namespace ft::exporter
