// Perfetto's native trace format (a protobuf `Trace` of `TracePacket`s carrying `TrackEvent`s)
// from one or several Models, streamed: packets are encoded into a batch of ~256 KiB, which is
// deflated into one `compressed_packets` packet (Perfetto's own compression, read natively by
// its UI and trace processor) or written as is, then handed to the Sink. Memory does not grow
// with the output, only with the number of distinct names and stacks (the interning tables).
//
// The mapping (docs/perfetto.md) follows the JSON export view for view (docs/json-format.md):
//  * tracks: a process track per group, STATS (counters), PROCS / THREADS / GOROUTINES (one
//    child track per row, with the JSON's names and sort order: child_ordering EXPLICIT and
//    sibling_order_rank = the JSON's sort index) and TASKS (a track per user task, regions on a
//    child track per task and fiber). Several traces: one process per trace, named after its
//    file, with STATS / rows / TASKS as its child groups.
//  * one SLICE_BEGIN / SLICE_END pair per execution slice, named "G<id> <function>" (interned),
//    debug annotations g, func, end (and proc outside the proc view), the start stack as an
//    interned callstack on the begin and the end stack on the end;
//  * every creation / wake-up: an instant named "go" or the wake-up reason inside the producing
//    slice at its time, carrying flow_ids = [flow index + 1] (plus the flows of the traces before
//    it when merging: ids are global in a Perfetto trace), and terminating_flow_ids on the
//    woken slice's begin;
//  * counters: one counter track per counter key ("Goroutines Running"), a value when it changes;
//  * logs and the model's instants: instants on the rows, logs with their category.
// Each input trace is its own packet sequence (trusted_packet_sequence_id = 1, 2, ...): its
// first packet sets SEQ_INCREMENTAL_STATE_CLEARED, and every packet that refers to interned
// data sets SEQ_NEEDS_INCREMENTAL_STATE and comes after the entries it uses (each new entry is
// emitted in the first packet that needs it).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "exporter/chrome_json.hpp"
#include "exporter/model.hpp"
#include "exporter/sink.hpp"

namespace ft::exporter::perfetto {

struct Source {
  const Model* model = nullptr;
  std::string name;  // display name of the trace (its file name), used when merging
  Ns offset = 0;     // added to every timestamp: where this trace starts on the shared timeline
};

struct Options {
  View view = View::Proc;
  std::optional<uint64_t> goid;  // as in JsonOptions (one trace only)
  bool compress = true;          // deflate batches into compressed_packets
  std::function<void(double)> progress;
};

struct Summary {
  uint64_t packets = 0, slices = 0, flows = 0, counter_values = 0, bytes = 0;
};

// Several traces on one timeline: each starts at its header's wall-clock start
// (Tables::start_unix_ns) relative to the earliest, or every one at 0 with align_zero.
std::vector<Source> timeline(std::span<const Model> models, std::span<const std::string> names,
                             bool align_zero);

// Throws std::invalid_argument when opt.goid names no fiber of a trace.
Summary write_perfetto(std::span<const Source> traces, const Options& opt, Sink& out);
std::string perfetto_trace(const Model& m, const Options& opt = {});

}  // namespace ft::exporter::perfetto
