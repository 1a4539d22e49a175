// Chrome Trace Event JSON from a Model, streamed (memory does not grow with the output).
// The mapping and the rules it keeps (what Perfetto's importer and the classic viewer accept)
// are documented in docs/json-format.md and checked by exporter/validate.hpp:
//  * {"traceEvents":[...],"displayTimeUnit":"ns","stackFrames":{...},"otherData":{...},
//    "metadata":{same as otherData}}
//  * ts/dur in µs with exactly 3 decimals from integer ns; every event (M too) has ts; all
//    events in ts order.
//  * pid 1 STATS (counters), pid 2 the rows of the view (Proc N / Thread N / G<id> <func>),
//    pid 3 TASKS (user tasks and regions as async b/e with cat and id2.local); tids from 1.
//  * One X per execution slice; a flow leaves from a zero-length X child ("go" or the unblock
//    reason) placed inside the producing slice at the creation/unblock time, and enters on the
//    consumer X (bind_id + flow_out / flow_in): a slice can send many arrows and receive one.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "model.hpp"
#include "sink.hpp"

namespace ft::exporter {

enum class View : uint8_t { Proc, Thread, Goroutine };
std::optional<View> parse_view(std::string_view s);  // "proc", "thread", "goroutine"
std::string_view view_name(View v);

inline constexpr int kStatsPid = 1, kRowsPid = 2, kTasksPid = 3;

struct JsonOptions {
  View view = View::Proc;
  // Goroutine view only: show just this fiber (runtime id) and the fibers it touched (its
  // creator, the fibers it created, woke or was woken by).
  std::optional<uint64_t> goid;
  std::function<void(double)> progress;  // fraction written, called now and then
};

struct JsonSummary {
  uint64_t events = 0;  // entries in traceEvents
  uint64_t slices = 0, flows = 0, bytes = 0;
};

// Throws std::invalid_argument when opt.goid names no fiber of the trace.
JsonSummary write_chrome_json(const Model& m, const JsonOptions& opt, Sink& out);
std::string chrome_json(const Model& m, const JsonOptions& opt = {});

// The fibers shown by --goid: the focus and every fiber linked to it by creation or a flow.
// Returns an empty vector when the id is unknown.
std::vector<uint32_t> related_fibers(const Model& m, uint64_t goid);

}  // namespace ft::exporter
