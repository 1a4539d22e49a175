// ft::trace::read: bytes -> events in timestamp order + tables. Two passes:
//  1. Scan: check the header, then each chunk's framing and checksum; parse tables and clock
//     points; decode every event batch once to validate it (and find where it goes bad). The first
//     damage ends the scan: everything before it is kept, the error names its byte offset.
//  2. Merge: a k-way merge over the per-thread batch lists (each list in file order), decoding
//     lazily, so memory stays proportional to the number of threads, not events.
// Ids that no table defines (a trace cut before its tables) are delivered as 0.
// Every read is bounds-checked; every size comes from the input and is checked against it before
// anything is allocated, so garbage can neither crash the reader nor make it allocate much more
// than its input.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <queue>
#include <unordered_map>

#include "format.hpp"
#include "reader.hpp"
#include "table_reader.hpp"

namespace ft::trace {
namespace {

using fmt::get_uv;

struct DecState {
  uint64_t q = 0;
  uint64_t cur_g = 0, last_g = 0, last_obj = 0;
  int32_t proc = -1;
};

struct BatchRef {
  const uint8_t* begin;  // first event
  const uint8_t* end;    // end of valid events
  uint32_t thread;
  DecState st;
};

// Limits every table id read from events or tables, so tables cannot be made huge.
constexpr uint64_t kMaxId = 1u << 26;

template <EventType T, Arg A>
inline void put(Event& ev, uint64_t v) {
  set_arg<T, A>(ev, v);
}

// Decodes one event. ev.ts receives the quantized tick. msg receives a Log's message.
bool decode_one(const uint8_t*& p, const uint8_t* end, DecState& st, Event& ev,
                std::string_view& msg) {
  using E = EventType;
  uint8_t c = *p++;
  uint64_t d, v, w, x, y, z;
  if (!get_uv(p, end, d) || d > (uint64_t(1) << 56)) return false;
  st.q += d;
  ev = Event{};
  ev.ts = st.q;
  ev.proc = st.proc;
  ev.g = st.cur_g;
  auto stack = [&](bool has) {
    if (!has) return true;
    if (!get_uv(p, end, v) || v == 0 || v > kMaxId) return false;
    ev.stack = uint32_t(v);
    return true;
  };
  auto gdelta = [&](uint64_t& g) {
    if (!get_uv(p, end, v)) return false;
    g = st.last_g + uint64_t(fmt::unzigzag(v));
    st.last_g = g;
    return true;
  };
  auto obj = [&](bool same, uint64_t& o) {
    if (!same) {
      if (!get_uv(p, end, v)) return false;
      st.last_obj += uint64_t(fmt::unzigzag(v));
    }
    o = st.last_obj;
    return true;
  };
  auto id = [&](uint64_t& out) { return get_uv(p, end, out) && out <= kMaxId; };
  auto uv = [&](uint64_t& out) { return get_uv(p, end, out); };
  auto proc_arg = [&](uint64_t& out) { return get_uv(p, end, out) && out <= INT32_MAX; };
  if (c >= fmt::kGoStart) {
    if (c & 0x3e) return false;
    ev.type = E::GoStart;
    if (c & 1) {
      ev.g = st.last_g;
    } else if (!gdelta(ev.g)) {
      return false;
    }
    st.cur_g = ev.g;
    return true;
  }
  if (c >= fmt::kGoUnblock) {
    ev.type = E::GoUnblock;
    put<E::GoUnblock, Arg::Reason>(ev, uint64_t(fmt::reason_of_code(c)));
    put<E::GoUnblock, Arg::Waker>(ev, st.cur_g);
    if (!gdelta(ev.g) || !obj(c & 2, x)) return false;
    put<E::GoUnblock, Arg::Object>(ev, x);
    return stack(c & 1);
  }
  if (c >= fmt::kGoBlock) {
    ev.type = E::GoBlock;
    put<E::GoBlock, Arg::Reason>(ev, uint64_t(fmt::reason_of_code(c)));
    st.cur_g = 0;
    if (!obj(c & 2, x)) return false;
    put<E::GoBlock, Arg::Object>(ev, x);
    return stack(c & 1);
  }
  switch (c) {
    case fmt::kProcStart:
      if (!proc_arg(x)) return false;
      ev.type = E::ProcStart;
      st.proc = ev.proc = int32_t(x);
      put<E::ProcStart, Arg::Proc>(ev, x);
      return true;
    case fmt::kProcStop:
      if (!proc_arg(x)) return false;
      ev.type = E::ProcStop;
      put<E::ProcStop, Arg::Proc>(ev, x);
      st.proc = -1;
      return true;
    case fmt::kThreads:
      ev.type = E::Threads;
      if (!uv(x) || !uv(y)) return false;
      put<E::Threads, Arg::Total>(ev, x);
      put<E::Threads, Arg::InSyscall>(ev, y);
      return true;
    case fmt::kHeapAlloc:
      ev.type = E::HeapAlloc;
      if (!uv(x)) return false;
      put<E::HeapAlloc, Arg::Bytes>(ev, x);
      return true;
    case fmt::kProcs:
      ev.type = E::Procs;
      if (!id(x)) return false;
      put<E::Procs, Arg::Count>(ev, x);
      return true;
    case fmt::kGoEnd:
      ev.type = E::GoEnd;
      st.cur_g = 0;
      return true;
    case fmt::kGoSysExit:
      ev.type = E::GoSysExit;
      return true;
    case fmt::kGoSysBlock:
      if (!proc_arg(x)) return false;
      ev.type = E::GoSysBlock;
      put<E::GoSysBlock, Arg::Proc>(ev, x);
      if (st.proc == int32_t(x)) st.proc = -1;
      return true;
    case fmt::kGoCreate:
    case fmt::kGoCreate | 1:
      ev.type = E::GoCreate;
      put<E::GoCreate, Arg::Creator>(ev, st.cur_g);
      if (!gdelta(ev.g) || !id(x)) return false;
      put<E::GoCreate, Arg::StartFn>(ev, x);
      return stack(c & 1);
    case fmt::kGoYield:
    case fmt::kGoYield | 1:
      ev.type = E::GoYield;
      st.cur_g = 0;
      return stack(c & 1);
    case fmt::kGoSysCall:
    case fmt::kGoSysCall | 1:
      ev.type = E::GoSysCall;
      return stack(c & 1);
    case fmt::kGoStatus:
      ev.type = E::GoStatus;
      if (!gdelta(ev.g) || !id(x) || !uv(w) || (w >> fmt::kStatusBits) > fmt::kReasonMask)
        return false;
      put<E::GoStatus, Arg::StartFn>(ev, x);
      put<E::GoStatus, Arg::Status>(ev, w & fmt::kStatusMask);
      put<E::GoStatus, Arg::Reason>(ev, w >> fmt::kStatusBits);
      return true;
    case fmt::kChanName:
      ev.type = E::ChanName;
      if (!uv(x) || !id(y)) return false;
      put<E::ChanName, Arg::Chan>(ev, x);
      put<E::ChanName, Arg::Name>(ev, y);
      return true;
    case fmt::kTaskCreate:
    case fmt::kTaskCreate | 1:
      ev.type = E::TaskCreate;
      if (!uv(x) || !uv(y) || !id(z)) return false;
      put<E::TaskCreate, Arg::Task>(ev, x);
      put<E::TaskCreate, Arg::Parent>(ev, y);
      put<E::TaskCreate, Arg::Name>(ev, z);
      return stack(c & 1);
    case fmt::kTaskEnd:
    case fmt::kTaskEnd | 1:
      ev.type = E::TaskEnd;
      if (!uv(x)) return false;
      put<E::TaskEnd, Arg::Task>(ev, x);
      return stack(c & 1);
    case fmt::kRegionBegin:
    case fmt::kRegionBegin | 1:
    case fmt::kRegionEnd:
    case fmt::kRegionEnd | 1:
      // Both types have (task, name) in the same slots.
      static_assert(arg_slot(E::RegionBegin, Arg::Task) == arg_slot(E::RegionEnd, Arg::Task) &&
                    arg_slot(E::RegionBegin, Arg::Name) == arg_slot(E::RegionEnd, Arg::Name));
      ev.type = (c & ~1) == fmt::kRegionBegin ? E::RegionBegin : E::RegionEnd;
      if (!uv(x) || !id(y)) return false;
      put<E::RegionBegin, Arg::Task>(ev, x);
      put<E::RegionBegin, Arg::Name>(ev, y);
      return stack(c & 1);
    case fmt::kLog:
    case fmt::kLog | 1:
      ev.type = E::Log;
      if (!uv(x) || !id(y) || !uv(z)) return false;
      if (z > 65536 || z > uint64_t(end - p)) return false;
      put<E::Log, Arg::Task>(ev, x);
      put<E::Log, Arg::Category>(ev, y);
      msg = std::string_view(reinterpret_cast<const char*>(p), size_t(z));
      p += z;
      return stack(c & 1);
    default:
      return false;
  }
}

// Nanoseconds of `ticks`, saturated at kMaxTs: a header can claim any tick rate (tsc_hz = 1
// makes every tick a second), and a double beyond uint64_t's range does not convert.
constexpr uint64_t kMaxTs = uint64_t(INT64_MAX);
uint64_t ticks_to_ns(uint64_t ticks, double ns_per_tick) {
  double ns = double(ticks) * ns_per_tick;
  return ns >= 0 && ns < double(kMaxTs) ? uint64_t(ns) : kMaxTs;
}

struct Reader {
  Reader(const uint8_t* b, size_t n, Tables& t) : base(b), size(n), tables(t) {}
  const uint8_t* base;
  size_t size;
  Tables& tables;
  ReadResult res;
  fmt::Header hdr;
  std::unique_ptr<detail::TableReader> tr;            // once the header gave the version
  std::vector<std::pair<uint64_t, uint64_t>> clocks;  // (tick, mono_ns)
  std::vector<BatchRef> batches;                      // file order
  bool ended = false;                                 // saw the end chunk

  bool fail(uint64_t off, const char* what) {
    char buf[200];
    snprintf(buf, sizeof buf, "%s at byte offset %" PRIu64 " (of %zu)", what, off, size);
    res.ok = false;
    res.error = buf;
    res.error_offset = off;
    return false;
  }

  bool header() {
    if (size < 12) return fail(size, "trace truncated inside its header");
    if (memcmp(base, fmt::kMagic, 8) != 0) return fail(0, "not a fibertrace trace (bad magic)");
    uint16_t version = fmt::get_u16(base + 8);
    tables.version = version;
    if (version > fmt::kVersion) {
      char buf[200];
      snprintf(buf, sizeof buf,
               "trace format version %u is newer than this reader supports (versions %u to %u): "
               "read it with a newer fibertrace",
               version, fmt::kOldestVersion, fmt::kVersion);
      res.ok = false;
      res.error = buf;
      res.error_offset = 8;
      return false;
    }
    if (version < fmt::kOldestVersion) {
      char buf[200];
      snprintf(buf, sizeof buf,
               "trace format version %u is older than this reader supports (versions %u to %u)",
               version, fmt::kOldestVersion, fmt::kVersion);
      res.ok = false;
      res.error = buf;
      res.error_offset = 8;
      return false;
    }
    if (fmt::get_u16(base + 10) != fmt::kHeaderBytes) return fail(8, "corrupt trace header");
    if (size < fmt::kHeaderBytes) return fail(size, "trace truncated inside its header");
    if (fmt::crc32c(0, base, 48) != fmt::get_u32(base + 48))
      return fail(0, "corrupt trace header (checksum mismatch)");
    hdr.version = version;
    hdr.tick_shift = base[12];
    hdr.tsc_hz = fmt::get_u64(base + 16);
    hdr.start_tick = fmt::get_u64(base + 24);
    hdr.start_mono_ns = fmt::get_u64(base + 32);
    hdr.start_unix_ns = fmt::get_u64(base + 40);
    if (hdr.tick_shift > 32 || hdr.tsc_hz == 0) return fail(12, "corrupt trace header");
    tables.start_unix_ns = hdr.start_unix_ns;
    tr = std::make_unique<detail::TableReader>(version, tables);
    tables.start_mono_ns = hdr.start_mono_ns;
    return true;
  }

  // Table chunks: entries of each table come with ids 1, 2, 3, ... in order.
  bool table(uint8_t kind, const uint8_t* p, const uint8_t* end) {
    const char* what = nullptr;
    if (const uint8_t* bad = tr->parse(kind, p, end, &what))
      return fail(uint64_t(bad - base), what);
    return true;
  }

  // pid argc (len bytes)*argc. argc is bounded by the payload (each arg takes >= 1 byte).
  bool info(const uint8_t* p, const uint8_t* end) {
    uint64_t pid, argc, n;
    if (!get_uv(p, end, pid) || !get_uv(p, end, argc) || argc > uint64_t(end - p)) return false;
    std::vector<std::string> argv;
    for (uint64_t i = 0; i < argc; i++) {
      if (!get_uv(p, end, n) || n > uint64_t(end - p)) return false;
      argv.emplace_back(reinterpret_cast<const char*>(p), size_t(n));
      p += n;
    }
    tables.pid = pid;
    tables.argv = std::move(argv);
    return true;
  }

  bool events_chunk(const uint8_t* p, const uint8_t* end) {
    BatchRef b;
    uint64_t thread, seq, base_q, proc, cur_g, last_g, last_obj;
    const uint8_t* at = p;
    if (!get_uv(p, end, thread) || !get_uv(p, end, seq) || !get_uv(p, end, base_q) ||
        !get_uv(p, end, proc) || !get_uv(p, end, cur_g) || !get_uv(p, end, last_g) ||
        !get_uv(p, end, last_obj) || thread > UINT32_MAX)
      return fail(uint64_t(at - base), "corrupt event batch header");
    int64_t pr = fmt::unzigzag(proc);
    if (pr < -1 || pr > INT32_MAX) return fail(uint64_t(at - base), "corrupt event batch header");
    b.thread = uint32_t(thread);
    b.st.q = base_q;
    b.st.proc = int32_t(pr);
    b.st.cur_g = cur_g;
    b.st.last_g = last_g;
    b.st.last_obj = last_obj;
    b.begin = p;
    DecState st = b.st;
    Event ev;
    std::string_view msg;
    while (p < end) {
      const uint8_t* ev_at = p;
      if (!decode_one(p, end, st, ev, msg)) {
        b.end = ev_at;
        batches.push_back(b);
        return fail(uint64_t(ev_at - base), "corrupt event");
      }
      res.events++;  // recounted during delivery; here it only checks
    }
    b.end = end;
    batches.push_back(b);
    return true;
  }

  void scan() {
    if (!header()) return;
    size_t off = fmt::kHeaderBytes;
    while (off < size) {
      if (size - off < fmt::kChunkHeaderBytes) {
        fail(off, "trace truncated inside a chunk header");
        return;
      }
      const uint8_t* h = base + off;
      uint8_t kind = h[0];
      uint32_t len = fmt::get_u32(h + 1);
      if (len > fmt::kMaxChunkBytes) {
        fail(off, "corrupt chunk (impossible length)");
        return;
      }
      if (len > size - off - fmt::kChunkHeaderBytes) {
        fail(off, "trace truncated inside a chunk");
        return;
      }
      const uint8_t* p = h + fmt::kChunkHeaderBytes;
      uint32_t crc = fmt::crc32c(fmt::crc32c(0, h, 5), p, len);
      if (crc != fmt::get_u32(h + 5)) {
        fail(off, "corrupt chunk (checksum mismatch)");
        return;
      }
      const uint8_t* end = p + len;
      switch (kind) {
        case fmt::kEvents:
          if (!events_chunk(p, end)) return;
          break;
        case fmt::kStrings:
        case fmt::kFuncs:
        case fmt::kFrames:
        case fmt::kStacks:
        case fmt::kModules:
        case fmt::kSymbols:
          if (!table(kind, p, end)) return;
          break;
        case fmt::kClock: {
          uint64_t tick, mono;
          if (!get_uv(p, end, tick) || !get_uv(p, end, mono)) {
            fail(off + fmt::kChunkHeaderBytes, "corrupt clock chunk");
            return;
          }
          clocks.emplace_back(tick, mono);
          break;
        }
        case fmt::kEnd:
          ended = true;
          break;
        case fmt::kInfo:
          if (!info(p, end)) {
            fail(off + fmt::kChunkHeaderBytes, "corrupt info chunk");
            return;
          }
          break;
        default:
          break;  // a chunk kind from a later minor revision: skipped
      }
      off += fmt::kChunkHeaderBytes + len;
    }
    if (!ended) fail(off, "trace ends without its end marker (cut short, or the program died)");
  }

  // Nanoseconds per tick: from the first and last clock points when they span >= 1 ms,
  // else from the header's estimate.
  double ns_per_tick() const {
    if (clocks.size() >= 2) {
      auto [t0, m0] = clocks.front();
      auto [t1, m1] = clocks.back();
      if (m1 > m0 + 1'000'000 && t1 > t0) return double(m1 - m0) / double(t1 - t0);
    }
    return 1e9 / double(hdr.tsc_hz);
  }

  void deliver(const std::function<void(const Event&)>& on_event) {
    // Per-thread streams, each in file order.
    std::unordered_map<uint32_t, std::vector<const BatchRef*>> by_thread;
    std::vector<uint32_t> order;
    for (const BatchRef& b : batches) {
      auto& v = by_thread[b.thread];
      if (v.empty()) order.push_back(b.thread);
      v.push_back(&b);
    }
    struct Cursor {
      std::vector<const BatchRef*>* list;
      size_t next_batch = 0;
      const uint8_t* p = nullptr;
      const uint8_t* end = nullptr;
      DecState st;
      Event ev;
      std::string_view msg;
    };
    std::vector<Cursor> cur(order.size());
    auto advance = [&](Cursor& c) {
      for (;;) {
        if (c.p < c.end) {
          decode_one(c.p, c.end, c.st, c.ev, c.msg);  // validated by scan()
          return true;
        }
        if (c.next_batch >= c.list->size()) return false;
        const BatchRef* b = (*c.list)[c.next_batch++];
        c.p = b->begin;
        c.end = b->end;
        c.st = b->st;
      }
    };
    using Key = std::pair<uint64_t, size_t>;  // (quantized tick, cursor)
    std::priority_queue<Key, std::vector<Key>, std::greater<Key>> heap;
    for (size_t i = 0; i < order.size(); i++) {
      cur[i].list = &by_thread[order[i]];
      if (advance(cur[i])) heap.emplace(cur[i].ev.ts, i);
    }
    const double scale = ns_per_tick();
    const uint32_t shift = hdr.tick_shift;
    const size_t nstrings = tables.strings.size(), nfuncs = tables.funcs.size();
    const size_t nstacks = tr ? tr->stack_count() : 1;
    std::vector<std::string> messages;
    res.events = 0;
    while (!heap.empty()) {
      size_t i = heap.top().second;
      heap.pop();
      Cursor& c = cur[i];
      Event ev = c.ev;
      ev.thread = c.list->front()->thread;
      uint64_t tick = ev.ts << shift;
      ev.ts = tick > hdr.start_tick ? ticks_to_ns(tick - hdr.start_tick, scale) : 0;
      if (ev.stack >= nstacks) ev.stack = 0;
      // Ids no table defines become 0 (a trace cut before its tables).
      auto clamp = [&](Arg a, size_t limit) {
        int slot = arg_slot(ev.type, a);
        if (slot >= 0 && ev.arg(size_t(slot)) >= limit) ev.set_arg(size_t(slot), 0);
      };
      clamp(Arg::StartFn, nfuncs);
      clamp(Arg::Name, nstrings);
      clamp(Arg::Category, nstrings);
      if (ev.type == EventType::Log) {
        put<EventType::Log, Arg::Message>(ev, nstrings + messages.size());
        messages.emplace_back(c.msg);
      }
      res.events++;
      on_event(ev);
      if (advance(c)) heap.emplace(c.ev.ts, i);
    }
    for (auto& m : messages) tables.strings.push_back(std::move(m));
  }

  void finish_tables() {
    if (tr)
      tr->finish();
    else
      tables.stacks.assign(1, {});  // no header: no tables, but id 0 is always there
  }
};

}  // namespace

ReadResult read(std::span<const std::byte> data, Tables& tables,
                const std::function<void(const Event&)>& on_event) {
  tables = Tables{};
  tables.strings = {""};
  tables.funcs = {"unknown"};
  tables.func_pcs = {0};
  tables.modules.resize(1);
  Reader r(reinterpret_cast<const uint8_t*>(data.data()), data.size(), tables);
  r.res.bytes = data.size();
  r.scan();
  r.deliver(on_event);
  r.finish_tables();
  return r.res;
}

}  // namespace ft::trace
