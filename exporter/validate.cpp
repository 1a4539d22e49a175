// The validator parses with nlohmann's SAX interface so that the raw text of every ts/dur is
// kept (a DOM keeps only the double, and "3 decimals" is a property of the text), builds the
// DOM alongside, then checks the rules listed in validate.hpp over the events in file order.
#include "validate.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "json_out.hpp"

namespace ft::exporter {

using nlohmann::json;

namespace {

// Forwards to nlohmann's DOM builder and records the text of ts/dur of each event (depth 3:
// root object > traceEvents array > event object).
struct Sax {
  json& root;
  nlohmann::detail::json_sax_dom_parser<json> dom;
  int depth = 0;
  bool in_events = false;
  std::string cur_key, top_key;
  std::vector<std::string> ts_raw, dur_raw;  // per event; "" = absent, "int" = integer text
  std::string error;

  explicit Sax(json& r) : root(r), dom(r, false) {}

  void number(const std::string& text) {
    if (in_events && depth == 3) {
      if (cur_key == "ts") ts_raw.back() = text;
      if (cur_key == "dur") dur_raw.back() = text;
    }
  }
  bool null() { return dom.null(); }
  bool boolean(bool v) { return dom.boolean(v); }
  bool number_integer(json::number_integer_t v) {
    number("int");
    return dom.number_integer(v);
  }
  bool number_unsigned(json::number_unsigned_t v) {
    number("int");
    return dom.number_unsigned(v);
  }
  bool number_float(json::number_float_t v, const std::string& s) {
    number(s);
    return dom.number_float(v, s);
  }
  bool string(std::string& v) { return dom.string(v); }
  bool binary(json::binary_t& v) { return dom.binary(v); }
  bool start_object(size_t n) {
    depth++;
    if (in_events && depth == 3) ts_raw.emplace_back(), dur_raw.emplace_back();
    return dom.start_object(n);
  }
  bool key(std::string& k) {
    if (depth == 1) top_key = k;
    cur_key = k;
    return dom.key(k);
  }
  bool end_object() {
    depth--;
    return dom.end_object();
  }
  bool start_array(size_t n) {
    depth++;
    if (depth == 2 && top_key == "traceEvents") in_events = true;
    if (in_events && depth == 3) ts_raw.emplace_back(), dur_raw.emplace_back();  // array entry
    return dom.start_array(n);
  }
  bool end_array() {
    if (depth == 2) in_events = false;
    depth--;
    return dom.end_array();
  }
  bool parse_error(size_t pos, const std::string&, const nlohmann::detail::exception& e) {
    error = "at byte " + std::to_string(pos) + ": " + e.what();
    return false;
  }
};

// "123.456" -> 123456 ns; false when the text is not digits '.' three digits.
bool parse_us3(const std::string& s, int64_t& ns) {
  size_t dot = s.find('.');
  if (dot == std::string::npos || dot == 0 || s.size() - dot - 1 != 3) return false;
  int64_t v = 0;
  for (size_t i = 0; i < s.size(); i++) {
    if (i == dot) continue;
    if (s[i] < '0' || s[i] > '9' || v > INT64_MAX / 10 - 10) return false;
    v = v * 10 + (s[i] - '0');
  }
  ns = v;
  return true;
}

struct Checker {
  size_t limit;
  std::vector<Violation> out;
  void add(std::string rule, std::string msg, int64_t ev = -1) {
    if (out.size() < limit) out.push_back({std::move(rule), std::move(msg), ev});
  }
};

bool is_uint_in(const json& v, uint64_t lo, uint64_t hi) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() >= lo && v.get<uint64_t>() <= hi;
  if (v.is_number_integer())
    return v.get<int64_t>() >= int64_t(lo) && uint64_t(v.get<int64_t>()) <= hi;
  return false;
}

std::string id_text(const json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

std::vector<Violation> validate_chrome_json(std::string_view text, size_t limit) {
  Checker c{limit, {}};
  json root;
  Sax sax(root);
  bool parsed = json::sax_parse(text.begin(), text.end(), &sax);
  if (!parsed || !sax.error.empty()) {
    c.add("json", sax.error.empty() ? "not valid JSON" : sax.error);
    return c.out;
  }
  if (!root.is_object() || !root.contains("traceEvents") || !root["traceEvents"].is_array()) {
    c.add("top-level", "expected an object with a traceEvents array");
    return c.out;
  }
  if (!root.contains("displayTimeUnit") || !root["displayTimeUnit"].is_string() ||
      (root["displayTimeUnit"] != "ns" && root["displayTimeUnit"] != "ms"))
    c.add("display-time-unit", "displayTimeUnit must be \"ns\" or \"ms\"");

  const json& evs = root["traceEvents"];
  struct XSlice {
    int64_t t0, t1;
    int64_t ev;
    double fts, fend;  // ts and ts + dur as a reader adding doubles sees them
  };
  std::map<std::pair<uint64_t, uint64_t>, std::vector<XSlice>> xs;  // (pid, tid) -> slices
  struct FlowEnd {
    int64_t ts, ev;
  };
  std::map<std::string, FlowEnd> flow_out, flow_in;
  struct CounterSeries {
    std::set<std::string> keys;
    std::string cat;
  };
  std::map<std::pair<uint64_t, std::string>, CounterSeries> counters;
  std::map<std::tuple<uint64_t, std::string, std::string>, int64_t> async_open;
  std::vector<std::tuple<uint64_t, uint64_t, int64_t, int64_t>> stf;  // pid, tid, ts, event
  int64_t last_x_ts = INT64_MIN;
  static const std::string known = "XBEiICMbensft";

  for (size_t i = 0; i < evs.size(); i++) {
    const json& e = evs[i];
    int64_t ev = int64_t(i);
    if (!e.is_object()) {
      c.add("event", "not an object", ev);
      continue;
    }
    if (!e.contains("name") || !e["name"].is_string() || !e.contains("ph") ||
        !e["ph"].is_string()) {
      c.add("event", "missing string name or ph", ev);
      continue;
    }
    std::string ph = e["ph"];
    std::string name = e["name"];
    if (ph.size() != 1 || known.find(ph[0]) == std::string::npos) {
      c.add("phase", "phase '" + ph + "' is dropped or unknown", ev);
      continue;
    }
    char p = ph[0];
    int64_t ts = 0;
    bool has_ts = e.contains("ts");
    if (!has_ts) {
      c.add("ts", "event '" + name + "' (" + ph + ") has no ts", ev);
    } else if (!parse_us3(sax.ts_raw[i], ts)) {
      c.add("time-format",
            "ts '" + (sax.ts_raw[i] == "int" ? e["ts"].dump() : sax.ts_raw[i]) +
                "' is not µs with exactly 3 decimals",
            ev);
      ts = e["ts"].is_number() ? int64_t(std::llround(e["ts"].get<double>() * 1000)) : 0;
    }
    for (const char* k : {"pid", "tid"}) {
      if (p == 'M' && std::string_view(k) == "tid" && name.rfind("process_", 0) == 0 &&
          !e.contains(k))
        continue;  // process metadata may omit tid
      if (!e.contains(k) || !is_uint_in(e[k], 1, 0xffffffffu)) {
        c.add("pid-tid",
              std::string(k) + " must be an integer in 1..2^32-1, got " +
                  (e.contains(k) ? e[k].dump() : "nothing"),
              ev);
      }
    }
    // Track identity for the per-track rules, even when the ids broke pid-tid (Go writes 0).
    bool track_ok = e.contains("pid") && e["pid"].is_number_integer() &&
                    (!e.contains("tid") || e["tid"].is_number_integer());
    uint64_t pid = track_ok ? e["pid"].get<uint64_t>() : 0;
    uint64_t tid = track_ok && e.contains("tid") ? e["tid"].get<uint64_t>() : 0;

    if (e.contains("bind_id")) {
      const json& b = e["bind_id"];
      bool in = e.value("flow_in", false), outf = e.value("flow_out", false);
      if (p != 'X') c.add("flow", "bind_id on a '" + ph + "' event; only X binds flows here", ev);
      if (!is_uint_in(b, 1, UINT64_MAX)) c.add("flow", "bind_id must be a non-zero integer", ev);
      if (!in && !outf) c.add("flow", "bind_id without flow_in or flow_out", ev);
      std::string id = id_text(b);
      if (outf && !flow_out.emplace(id, FlowEnd{ts, ev}).second)
        c.add("flow", "flow id " + id + " leaves twice", ev);
      if (in && !flow_in.emplace(id, FlowEnd{ts, ev}).second)
        c.add("flow", "flow id " + id + " enters twice", ev);
    }

    switch (p) {
      case 'X': {
        if (has_ts && ts < last_x_ts)
          c.add("x-order",
                "X at " + std::to_string(ts) + " ns after one at " + std::to_string(last_x_ts), ev);
        last_x_ts = std::max(last_x_ts, ts);
        int64_t dur = 0;
        if (!e.contains("dur") || !e["dur"].is_number() || e["dur"].get<double>() < 0) {
          c.add("x-dur", "X without a non-negative dur", ev);
        } else if (!parse_us3(sax.dur_raw[i], dur)) {
          // Also allowed: the float-safe form (JsonOut::dur), where three decimals would make
          // ts + dur exceed the end in doubles.
          dur = int64_t(std::llround(e["dur"].get<double>() * 1000));
          bool safe =
              sax.dur_raw[i] != "int" && ts >= 0 && dur >= 0 &&
              e["dur"].get<double>() == JsonOut::float_safe_dur(uint64_t(ts), uint64_t(ts + dur));
          if (!safe)
            c.add("time-format",
                  "dur '" + (sax.dur_raw[i] == "int" ? e["dur"].dump() : sax.dur_raw[i]) +
                      "' is not µs with exactly 3 decimals",
                  ev);
        }
        if (track_ok) {
          double fts = has_ts && e["ts"].is_number() ? e["ts"].get<double>() : 0;
          double fd = e.contains("dur") && e["dur"].is_number() ? e["dur"].get<double>() : 0;
          xs[{pid, tid}].push_back({ts, ts + dur, ev, fts, fts + fd});
        }
        break;
      }
      case 'M': {
        const json* a = e.contains("args") && e["args"].is_object() ? &e["args"] : nullptr;
        if (name == "process_name" || name == "thread_name") {
          if (!a || !a->contains("name") || !(*a)["name"].is_string())
            c.add("metadata", name + " without args.name string", ev);
        } else if (name == "process_sort_index" || name == "thread_sort_index") {
          if (!a || !a->contains("sort_index") || !(*a)["sort_index"].is_number_integer())
            c.add("metadata", name + " without integer args.sort_index", ev);
        } else {
          c.add("metadata", "unknown metadata event '" + name + "'", ev);
        }
        break;
      }
      case 'C': {
        const json* a = e.contains("args") && e["args"].is_object() ? &e["args"] : nullptr;
        if (!a || a->empty()) {
          c.add("counter", "counter '" + name + "' without args", ev);
          break;
        }
        std::set<std::string> keys;
        for (auto& [k, v] : a->items()) {
          keys.insert(k);
          if (!v.is_number())
            c.add("counter", "counter '" + name + "' key " + k + " is not a number", ev);
        }
        std::string cat =
            e.contains("cat") && e["cat"].is_string() ? e["cat"].get<std::string>() : "";
        if (cat.empty()) c.add("counter", "counter '" + name + "' without cat", ev);
        auto [it, fresh] = counters.try_emplace({pid, name}, CounterSeries{keys, cat});
        if (!fresh && it->second.keys != keys)
          c.add("counter", "counter '" + name + "' changes its keys", ev);
        if (!fresh && it->second.cat != cat)
          c.add("counter", "counter '" + name + "' changes its cat", ev);
        break;
      }
      case 'b':
      case 'e': {
        bool ok = e.contains("cat") && e["cat"].is_string() && e.contains("id2") &&
                  e["id2"].is_object() && e["id2"].contains("local");
        if (!ok) {
          c.add("async", "async '" + ph + "' needs cat and id2.local", ev);
          break;
        }
        auto key = std::make_tuple(pid, e["cat"].get<std::string>(), id_text(e["id2"]["local"]));
        if (p == 'b') {
          if (!async_open.emplace(key, ev).second) c.add("async", "async id begun twice", ev);
        } else if (!async_open.erase(key)) {
          c.add("async", "async end without a begin", ev);
        }
        break;
      }
      case 's':
      case 't':
      case 'f':
        if (track_ok) stf.emplace_back(pid, tid, ts, ev);
        break;
      default:
        break;
    }
  }

  for (auto& [track, v] : xs) {
    std::stable_sort(v.begin(), v.end(), [](const XSlice& a, const XSlice& b) {
      return a.t0 != b.t0 ? a.t0 < b.t0 : a.t1 > b.t1;
    });
    std::vector<const XSlice*> stack;  // the open enclosing slices
    for (const XSlice& s : v) {
      while (!stack.empty() && stack.back()->t1 <= s.t0 &&
             !(stack.back()->t1 == s.t0 && s.t1 == s.t0)) {
        // A slice that ended before this one began must not end after it in doubles either.
        if (stack.back()->fend > s.fts)
          c.add("float-sum",
                "ts + dur of the slice ending at " + std::to_string(stack.back()->t1) +
                    " ns exceeds, in doubles, the ts of the next at " + std::to_string(s.t0) +
                    " ns",
                s.ev);
        stack.pop_back();
      }
      if (!stack.empty() && s.t1 > stack.back()->t1)
        c.add("nesting",
              "slice [" + std::to_string(s.t0) + "," + std::to_string(s.t1) +
                  "] ns overlaps its enclosing slice ending at " +
                  std::to_string(stack.back()->t1) + " on pid " + std::to_string(track.first) +
                  " tid " + std::to_string(track.second),
              s.ev);
      else
        stack.push_back(&s);
    }
  }
  for (auto& [pid, tid, ts_bound, ev] : stf) {
    auto it = xs.find({pid, tid});
    // A plain copy: clang before 16 does not let a lambda capture a structured binding.
    const int64_t ts = ts_bound;
    bool inside =
        it != xs.end() && std::any_of(it->second.begin(), it->second.end(),
                                      [&](const XSlice& s) { return s.t0 < ts && ts < s.t1; });
    if (!inside)
      c.add("flow-phase",
            "flow event at " + std::to_string(ts) + " ns is not strictly inside an X on its tid",
            ev);
  }
  for (auto& [id, in] : flow_in) {
    auto it = flow_out.find(id);
    if (it == flow_out.end())
      c.add("flow", "flow id " + id + " enters but never leaves", in.ev);
    else if (in.ts < it->second.ts)
      c.add("flow", "flow id " + id + " enters before it leaves", in.ev);
  }
  for (auto& [id, o] : flow_out)
    if (!flow_in.count(id)) c.add("flow", "flow id " + id + " leaves but never enters", o.ev);
  for (auto& [key, ev] : async_open) c.add("async", "async begin never ended", ev);
  return c.out;
}

std::string format_violations(const std::vector<Violation>& v) {
  std::string s;
  for (const Violation& x : v) {
    s += x.rule + ": " + x.message;
    if (x.event >= 0) s += " (event " + std::to_string(x.event) + ")";
    s += '\n';
  }
  return s;
}

}  // namespace ft::exporter
