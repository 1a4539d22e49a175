// `fibertrace stats`: the figures a CI script asserts on, as one JSON object (keys documented
// in docs/cli.md) and as a human-readable report.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "model.hpp"

namespace ft::exporter {

// events, bytes, bytes_per_event, duration_ns, complete, error, fibers, groups (func -> n),
// events_by_kind (type name -> count), procs [{proc, busy_ns, utilization, slices}],
// slices, flows, blocked_ns_by_reason.
nlohmann::json stats_json(const Model& m);
std::string stats_text(const Model& m);

// "GoCreate", ... (the event table's names); "" for a type the table does not define (stats then
// counts it under "type" and its number, e.g. "type40").
std::string_view event_type_name(uint8_t type);

}  // namespace ft::exporter
