// A minimal protobuf encoder (varints and length-delimited fields are all profile.proto needs)
// and the mapping of stacks to pprof's Location / Function tables: one Location per distinct
// (function, file, line), one Function per distinct (function, file); sample locations are
// innermost first, as in the trace's stacks.
#include "pprof.hpp"

#include <map>
#include <tuple>

#include "sink.hpp"

namespace ft::exporter {

namespace {

class Proto {
 public:
  void varint(uint64_t v) {
    while (v >= 0x80) {
      s_.push_back(char(v | 0x80));
      v >>= 7;
    }
    s_.push_back(char(v));
  }
  void tag(uint32_t field, uint32_t wire) { varint(uint64_t(field) << 3 | wire); }
  void u64(uint32_t field, uint64_t v) { tag(field, 0), varint(v); }
  void bytes(uint32_t field, std::string_view b) {
    tag(field, 2);
    varint(b.size());
    s_.append(b);
  }
  void packed(uint32_t field, const std::vector<uint64_t>& v) {
    Proto p;
    for (uint64_t x : v) p.varint(x);
    bytes(field, p.str());
  }
  const std::string& str() const { return s_; }

 private:
  std::string s_;
};

struct Strings {
  std::map<std::string, uint64_t> ids{{"", 0}};
  std::vector<std::string> list{""};
  uint64_t operator()(const std::string& s) {
    auto [it, fresh] = ids.try_emplace(s, list.size());
    if (fresh) list.push_back(s);
    return it->second;
  }
};

}  // namespace

std::string pprof_profile_uncompressed(const Model& m, ProfileKind k) {
  Strings str;
  Proto prof;
  auto value_type = [&](uint32_t field, const char* type, const char* unit) {
    Proto vt;
    vt.u64(1, str(type));
    vt.u64(2, str(unit));
    prof.bytes(field, vt.str());
  };
  value_type(1, "contentions", "count");
  value_type(1, "delay", "nanoseconds");

  std::map<std::pair<std::string, std::string>, uint64_t> funcs;
  std::map<std::tuple<std::string, std::string, uint32_t>, uint64_t> locs;
  Proto functions, locations;
  auto location = [&](const ft::trace::Frame& fr) {
    auto [fit, ffresh] = funcs.try_emplace({fr.func, fr.file}, funcs.size() + 1);
    if (ffresh) {
      Proto f;
      f.u64(1, fit->second);
      f.u64(2, str(fr.func));
      f.u64(3, str(fr.func));
      f.u64(4, str(fr.file));
      functions.bytes(5, f.str());
    }
    auto [lit, lfresh] = locs.try_emplace({fr.func, fr.file, fr.line}, locs.size() + 1);
    if (lfresh) {
      Proto line;
      line.u64(1, fit->second);
      line.u64(2, fr.line);
      Proto l;
      l.u64(1, lit->second);
      l.bytes(4, line.str());
      locations.bytes(4, l.str());
    }
    return lit->second;
  };

  for (const ProfileEntry& e : blocking_profile(m, k)) {
    std::vector<uint64_t> loc_ids;
    if (e.stack < m.tables.stacks.size())
      for (const auto& fr : m.tables.stacks[e.stack]) loc_ids.push_back(location(fr));
    if (loc_ids.empty()) loc_ids.push_back(location({"(no stack)", "", 0}));
    Proto s;
    s.packed(1, loc_ids);
    s.packed(2, {e.count, e.total});
    prof.bytes(2, s.str());
  }
  std::string out = prof.str();
  out += locations.str();
  out += functions.str();
  Proto tail;
  // string_table (6) after every str() call above; then time and period fields.
  for (const std::string& s : str.list) tail.bytes(6, s);
  tail.u64(9, m.tables.start_unix_ns);
  tail.u64(10, m.end);
  Proto pt;
  pt.u64(1, str.ids.at("delay"));
  pt.u64(2, str.ids.at("nanoseconds"));
  tail.bytes(11, pt.str());
  tail.u64(12, 1);
  out += tail.str();
  return out;
}

std::string pprof_profile(const Model& m, ProfileKind k) {
  return gzip(pprof_profile_uncompressed(m, k));
}

}  // namespace ft::exporter
