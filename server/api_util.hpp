// Helpers shared by the API's translation units (not part of the server's interface): track
// ids, parameter parsing, and the JSON shapes that several endpoints return (stacks, fibers).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "api.hpp"
#include "exporter/chrome_json.hpp"
#include "exporter/window.hpp"
#include "json_writer.hpp"

namespace ft::server::detail {

// "p3" -> {Proc, 3}; nullopt when malformed. Range is checked by the caller (or the query).
std::optional<exporter::TrackRef> parse_track(std::string_view id);
std::string track_id(exporter::TrackRef t);

// Required / optional unsigned integer parameters; throw BadRequest when malformed.
uint64_t param_u64(const Request& r, const std::string& name);
std::optional<uint64_t> opt_u64(const Request& r, const std::string& name);

// [{"func":..,"file":..,"line":..}, ...], innermost frame first; [] for stack 0 or unknown.
void write_stack(JsonWriter& w, const exporter::Model& m, uint32_t stack);
// {"index":i,"id":runtime id,"func":"pass"}
void write_fiber_ref(JsonWriter& w, const exporter::Model& m, uint32_t fiber);

Response json_response(JsonWriter& w);

// The `view` and `goid` parameters of a whole-trace download (trace.json, trace.pftrace):
// view defaults to "proc"; goid needs view=goroutine and must name a fiber of the trace. Checked
// before any byte is sent, since a stream's status cannot change once it has begun.
struct ViewQuery {
  std::string name;  // "proc", "thread" or "goroutine": also the cache key's suffix
  exporter::View view;
  std::optional<uint64_t> goid;
};
ViewQuery view_query(const Request& r, const exporter::Model& m);

}  // namespace ft::server::detail
