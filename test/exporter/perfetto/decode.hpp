// A small protobuf reader of our own for the tests: parses a Perfetto trace written by
// exporter/perfetto back into tracks, slices, instants, flows and counter values, applying
// the format's rules the way a trace processor would (interning per sequence, slices nested
// per track by begin/end order, compressed_packets inflated). Every rule it finds broken is
// recorded in `errors` rather than thrown, so a test can show them all.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace fttest::pftrace {

struct Field {
  uint32_t num = 0;
  int wire = 0;
  uint64_t v = 0;        // varint or fixed64
  std::string_view len;  // length-delimited
};

// Iterates the fields of one message; ok() turns false on malformed input.
class Reader {
 public:
  explicit Reader(std::string_view d) : p_(d.data()), e_(d.data() + d.size()) {}
  bool next(Field& f) {
    if (p_ >= e_) return false;
    uint64_t key;
    if (!varint(key)) return fail();
    f.num = uint32_t(key >> 3);
    f.wire = int(key & 7);
    f.len = {};
    switch (f.wire) {
      case 0:
        return varint(f.v) || fail();
      case 1:
        if (e_ - p_ < 8) return fail();
        f.v = 0;
        for (int i = 0; i < 8; i++) f.v |= uint64_t(uint8_t(p_[i])) << (8 * i);
        p_ += 8;
        return true;
      case 2: {
        uint64_t n;
        if (!varint(n) || n > uint64_t(e_ - p_)) return fail();
        f.len = {p_, size_t(n)};
        p_ += n;
        return true;
      }
      default:
        return fail();
    }
  }
  bool ok() const { return ok_; }

 private:
  bool varint(uint64_t& out) {
    out = 0;
    for (int s = 0; s < 70 && p_ < e_; s += 7) {
      uint8_t b = uint8_t(*p_++);
      out |= uint64_t(b & 0x7f) << s;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool fail() {
    ok_ = false;
    p_ = e_;
    return false;
  }
  const char* p_;
  const char* e_;
  bool ok_ = true;
};

inline std::string inflate_all(std::string_view in, bool& ok) {
  std::string out;
  z_stream z{};
  ok = inflateInit(&z) == Z_OK;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = uInt(in.size());
  char buf[1 << 16];
  int rc = Z_OK;
  while (ok && rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) ok = false;
    out.append(buf, sizeof buf - z.avail_out);
  }
  inflateEnd(&z);
  return out;
}

struct Track {
  uint64_t uuid = 0, parent = 0;
  std::string name;
  int64_t pid = -1, rank = 0;
  bool counter = false, explicit_children = false;
  std::vector<std::string> cmdline;
};

using Args = std::map<std::string, std::string>;  // annotation name -> value as text

struct Slice {
  uint64_t track = 0;
  std::string name;
  uint64_t t0 = 0, t1 = 0;
  bool ended = false;
  Args args;  // begin's and end's annotations together
  std::vector<uint64_t> terminating_flows, flows;
  std::string stack, end_stack;  // frames outermost first, joined by " > "
  int parent = -1;               // index of the enclosing slice on the track
};

struct Instant {
  uint64_t track = 0, t = 0;
  std::string name, category, stack;
  Args args;
  std::vector<uint64_t> flows;
  int parent = -1;  // index into slices of the slice open on the track, -1 = none
};

struct CounterValue {
  uint64_t t = 0;
  int64_t v = 0;
};

struct Trace {
  std::map<uint64_t, Track> tracks;
  std::vector<Slice> slices;
  std::vector<Instant> instants;
  std::map<uint64_t, std::vector<CounterValue>> counters;  // track uuid -> values in order
  std::vector<std::string> errors;
  uint64_t packets = 0, compressed_packets = 0;

  const Track* track_named(std::string_view n) const {
    for (auto& [u, t] : tracks)
      if (t.name == n) return &t;
    return nullptr;
  }
};

class Decoder {
 public:
  Trace t;

  void trace(std::string_view data) {
    packets(data);
    for (auto& [track, stack] : open_)
      if (!stack.empty()) err("slice left open on track " + std::to_string(track));
  }

 private:
  struct Seq {
    bool cleared = false;
    std::map<uint64_t, std::string> tab[8];  // by InternedData field index (see intern())
    std::map<uint64_t, std::pair<uint64_t, uint32_t>> frames;  // iid -> (function iid, line)
    std::map<uint64_t, std::vector<uint64_t>> callstacks;
  };
  std::map<uint64_t, Seq> seqs_;
  std::map<uint64_t, std::vector<int>> open_;  // track -> open slice indices

  void packets(std::string_view data) {
    Reader r(data);
    Field f;
    while (r.next(f))
      if (f.num == 1 && f.wire == 2) packet(f.len);
    if (!r.ok()) err("malformed Trace message");
  }

  void err(std::string e) {
    if (t.errors.size() < 20) t.errors.push_back(std::move(e));
  }
  static int table_of(uint32_t field) {
    switch (field) {
      case 1:
        return 0;  // event_categories
      case 2:
        return 1;  // event_names
      case 3:
        return 2;  // debug_annotation_names
      case 29:
        return 3;  // debug_annotation_string_values
      case 5:
        return 4;  // function_names
      default:
        return -1;
    }
  }
  std::string lookup(Seq& s, int tab, uint64_t iid) {
    auto it = s.tab[tab].find(iid);
    if (it == s.tab[tab].end()) {
      err("interned id " + std::to_string(iid) + " of table " + std::to_string(tab) +
          " used before it was defined");
      return "?";
    }
    return it->second;
  }
  std::string stack_text(Seq& s, uint64_t iid) {
    auto it = s.callstacks.find(iid);
    if (it == s.callstacks.end()) {
      err("callstack " + std::to_string(iid) + " used before it was defined");
      return "?";
    }
    std::string out;
    for (uint64_t fr : it->second) {
      auto f = s.frames.find(fr);
      if (f == s.frames.end()) {
        err("frame used before it was defined");
        continue;
      }
      if (!out.empty()) out += " > ";
      out += lookup(s, 4, f->second.first);
    }
    return out;
  }

  void interned(Seq& s, std::string_view d) {
    Reader r(d);
    Field f;
    while (r.next(f)) {
      uint64_t iid = 0, a = 0;
      uint32_t line = 0;
      std::string str;
      std::vector<uint64_t> ids;
      Reader e(f.len);
      Field g;
      while (e.next(g)) {
        if (g.num == 1) iid = g.v;
        if (f.num == 6 && g.num == 2) a = g.v;
        if (f.num == 6 && g.num == 6) line = uint32_t(g.v);
        if (f.num == 7 && g.num == 2) ids.push_back(g.v);
        if (f.num != 6 && f.num != 7 && g.num == 2) str = std::string(g.len);
      }
      if (iid == 0) err("interned entry without iid");
      if (f.num == 6) {
        s.frames[iid] = {a, line};
      } else if (f.num == 7) {
        s.callstacks[iid] = ids;
      } else if (int tab = table_of(f.num); tab >= 0) {
        auto [it, fresh] = s.tab[tab].emplace(iid, str);
        if (!fresh && it->second != str) err("interned id " + std::to_string(iid) + " redefined");
      }
    }
  }

  void descriptor(std::string_view d) {
    Track tr;
    Reader r(d);
    Field f;
    while (r.next(f)) {
      if (f.num == 1) tr.uuid = f.v;
      if (f.num == 5) tr.parent = f.v;
      if (f.num == 2) tr.name = std::string(f.len);
      if (f.num == 8) tr.counter = true;
      if (f.num == 11) tr.explicit_children = f.v == 3;
      if (f.num == 12) tr.rank = int64_t(f.v);
      if (f.num == 3) {
        Reader p(f.len);
        Field g;
        while (p.next(g)) {
          if (g.num == 1) tr.pid = int64_t(g.v);
          if (g.num == 6) tr.name = std::string(g.len);
          if (g.num == 2) tr.cmdline.emplace_back(g.len);
        }
      }
    }
    if (t.tracks.count(tr.uuid)) err("track " + std::to_string(tr.uuid) + " described twice");
    t.tracks[tr.uuid] = tr;
  }

  void packet(std::string_view d) {
    t.packets++;
    Reader r(d);
    Field f;
    uint64_t ts = 0, seq = 0, flags = 0;
    bool has_ts = false;
    std::string_view te, idata, desc, compressed;
    while (r.next(f)) {
      switch (f.num) {
        case 8:
          ts = f.v, has_ts = true;
          break;
        case 10:
          seq = f.v;
          break;
        case 13:
          flags = f.v;
          break;
        case 11:
          te = f.len;
          break;
        case 12:
          idata = f.len;
          break;
        case 60:
          desc = f.len;
          break;
        case 50:
          compressed = f.len;
          break;
        default:
          break;
      }
    }
    if (!r.ok()) return err("malformed TracePacket");
    if (!compressed.empty()) {
      t.packets--;
      t.compressed_packets++;
      if (compressed.size() >= 512 * 1024) err("compressed packet of 512 KiB or more");
      bool ok;
      std::string inner = inflate_all(compressed, ok);
      if (!ok) return err("compressed_packets do not inflate");
      return packets(inner);
    }
    if (seq == 0) return err("packet without trusted_packet_sequence_id");
    Seq& s = seqs_[seq];
    if (flags & 1) s = Seq{}, s.cleared = true;
    if (!idata.empty()) {
      if (!s.cleared) err("interned data before SEQ_INCREMENTAL_STATE_CLEARED");
      interned(s, idata);
    }
    if (!desc.empty()) descriptor(desc);
    if (te.empty()) return;
    if (!has_ts) err("track event without timestamp");
    bool needs = flags & 2;
    event(s, ts, te, needs);
  }

  void event(Seq& s, uint64_t ts, std::string_view d, bool needs) {
    uint64_t type = 0, track = 0, name_iid = 0, stack = 0;
    int64_t value = 0;
    std::vector<uint64_t> flows, term, cats, extra_tracks, extra_values;
    Args args;
    bool used_interning = false;
    Reader r(d);
    Field f;
    while (r.next(f)) {
      switch (f.num) {
        case 9:
          type = f.v;
          break;
        case 11:
          track = f.v;
          break;
        case 10:
          name_iid = f.v, used_interning = true;
          break;
        case 30:
          value = int64_t(f.v);
          break;
        case 47:
          flows.push_back(f.v);
          break;
        case 48:
          term.push_back(f.v);
          break;
        case 3:
          cats.push_back(f.v), used_interning = true;
          break;
        case 56:
          stack = f.v, used_interning = true;
          break;
        case 31:
          extra_tracks.push_back(f.v);
          break;
        case 12:
          extra_values.push_back(f.v);
          break;
        case 4: {
          used_interning = true;
          Reader a(f.len);
          Field g;
          std::string key, val;
          while (a.next(g)) {
            if (g.num == 1) key = lookup(s, 2, g.v);
            if (g.num == 3 || g.num == 4) val = std::to_string(g.v);
            if (g.num == 6) val = std::string(g.len);
            if (g.num == 17) val = lookup(s, 3, g.v);
          }
          args[key] = val;
          break;
        }
        default:
          break;
      }
    }
    if (used_interning && !needs)
      err("event uses interned data without SEQ_NEEDS_INCREMENTAL_STATE");
    if (!t.tracks.count(track)) err("event on undescribed track " + std::to_string(track));
    if (extra_values.size() > extra_tracks.size()) err("more extra counter values than tracks");
    for (size_t i = 0; i < extra_values.size() && i < extra_tracks.size(); i++) {
      if (!t.tracks.count(extra_tracks[i]) || !t.tracks[extra_tracks[i]].counter)
        err("extra counter value for a track that is not a counter");
      t.counters[extra_tracks[i]].push_back({ts, int64_t(extra_values[i])});
    }
    auto& open = open_[track];
    switch (type) {
      case 1: {  // begin
        Slice sl;
        sl.track = track;
        sl.name = name_iid ? lookup(s, 1, name_iid) : "";
        sl.t0 = ts;
        sl.args = args;
        sl.flows = flows;
        sl.terminating_flows = term;
        if (stack) sl.stack = stack_text(s, stack);
        sl.parent = open.empty() ? -1 : open.back();
        open.push_back(int(t.slices.size()));
        t.slices.push_back(std::move(sl));
        break;
      }
      case 2: {  // end
        if (open.empty()) return err("slice end without a begin on track " + std::to_string(track));
        Slice& sl = t.slices[open.back()];
        open.pop_back();
        if (ts < sl.t0) err("slice ends before it begins");
        sl.t1 = ts;
        sl.ended = true;
        for (auto& [k, v] : args) sl.args[k] = v;
        if (stack) sl.end_stack = stack_text(s, stack);
        break;
      }
      case 3: {  // instant
        Instant in;
        in.track = track;
        in.t = ts;
        in.name = name_iid ? lookup(s, 1, name_iid) : "";
        if (!cats.empty()) in.category = lookup(s, 0, cats[0]);
        in.args = args;
        in.flows = flows;
        if (stack) in.stack = stack_text(s, stack);
        in.parent = open.empty() ? -1 : open.back();
        t.instants.push_back(std::move(in));
        break;
      }
      case 4:
        if (!t.tracks[track].counter) err("counter value on a track that is not a counter");
        t.counters[track].push_back({ts, value});
        break;
      default:
        err("track event of unknown type " + std::to_string(type));
    }
  }
};

inline Trace decode(std::string_view data) {
  Decoder d;
  d.trace(data);
  return std::move(d.t);
}

}  // namespace fttest::pftrace
