#include "stats.hpp"

#include <cstdio>
#include <map>

#include "analysis.hpp"
#include "json_escape.hpp"

namespace ft::exporter {

using ft::trace::EventType;

std::string_view event_type_name(uint8_t t) {
  std::string_view n = ft::trace::event_name(EventType(t));
  return n == "Unknown" ? std::string_view{} : n;
}

static std::string kind_name(uint8_t t) {
  std::string_view n = event_type_name(t);
  return n.empty() ? "type" + std::to_string(t) : std::string(n);
}

nlohmann::json stats_json(const Model& m) {
  nlohmann::json j;
  j["events"] = m.events;
  j["bytes"] = m.read.bytes;
  j["bytes_per_event"] = m.events ? double(m.read.bytes) / double(m.events) : 0.0;
  j["duration_ns"] = m.end;
  j["complete"] = m.read.ok;
  if (!m.read.ok) {
    j["error"] = valid_utf8(m.read.error);
    j["error_offset"] = m.read.error_offset;
  }
  j["fibers"] = m.fibers.size();
  nlohmann::json groups = nlohmann::json::object();
  for (const Group& g : goroutine_groups(m)) {
    // Two names that differ only in invalid bytes share a key once those become U+FFFD.
    auto& n = groups[valid_utf8(g.name)];
    n = (n.is_null() ? uint64_t(0) : n.get<uint64_t>()) + g.n;
  }
  j["groups"] = groups;
  nlohmann::json kinds = nlohmann::json::object();
  for (int t = 0; t < 256; t++)
    if (m.events_by_type[t]) kinds[kind_name(uint8_t(t))] = m.events_by_type[t];
  j["events_by_kind"] = kinds;
  nlohmann::json procs = nlohmann::json::array();
  for (uint32_t p = 0; p < m.procs.size(); p++) {
    Ns busy = 0;
    for (uint32_t s : m.by_proc.of(p)) busy += m.slices[s].t1 - m.slices[s].t0;
    procs.push_back({{"proc", m.procs[p]},
                     {"busy_ns", busy},
                     {"utilization", m.end ? double(busy) / double(m.end) : 0.0},
                     {"slices", m.by_proc.of(p).size()}});
  }
  j["procs"] = procs;
  j["threads"] = m.threads;
  j["slices"] = m.slices.size();
  j["flows"] = m.flows.size();
  std::array<Ns, kReasons> blocked{};
  for (const StateSpan& s : m.spans)
    if (s.state == FiberState::Blocked)
      blocked[std::min<size_t>(size_t(s.reason), kReasons - 1)] += s.t1 - s.t0;
  nlohmann::json br = nlohmann::json::object();
  for (size_t r = 0; r < kReasons; r++)
    if (blocked[r]) br[std::string(reason_name(ft::trace::Block(r)))] = blocked[r];
  j["blocked_ns_by_reason"] = br;
  return j;
}

std::string stats_text(const Model& m) {
  nlohmann::json j = stats_json(m);
  std::string s;
  char line[256];
  auto add = [&](const char* fmt, auto... a) {
    std::snprintf(line, sizeof line, fmt, a...);
    s += line;
  };
  add("Trace:        %llu events, %llu bytes (%.2f bytes/event), %.6f s%s\n",
      (unsigned long long)m.events, (unsigned long long)m.read.bytes,
      j["bytes_per_event"].get<double>(), double(m.end) / 1e9,
      m.read.ok ? "" : " (damaged: valid prefix only)");
  if (!m.read.ok) s += "Damage:       " + m.read.error + "\n";
  add("Fibers:       %zu in %zu groups; %zu slices, %zu flows\n", m.fibers.size(),
      j["groups"].size(), m.slices.size(), m.flows.size());
  s += "Groups:\n";
  for (const Group& g : goroutine_groups(m))
    add("  %-40s N=%-8llu exec %.3f ms\n", g.name.c_str(), (unsigned long long)g.n,
        double(g.exec) / 1e6);
  s += "Procs:\n";
  for (const auto& p : j["procs"])
    add("  Proc %-4llu utilization %5.1f%%  (%llu slices)\n",
        (unsigned long long)p["proc"].get<uint64_t>(), 100.0 * p["utilization"].get<double>(),
        (unsigned long long)p["slices"].get<uint64_t>());
  s += "Events by kind:\n";
  for (auto& [k, v] : j["events_by_kind"].items())
    add("  %-14s %llu\n", k.c_str(), (unsigned long long)v.get<uint64_t>());
  return s;
}

}  // namespace ft::exporter
