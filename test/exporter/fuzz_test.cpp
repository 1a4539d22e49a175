// Random event sequences (any type, any order, small id ranges so ids collide, clock steps
// backwards now and then): the builder must keep every Model invariant, the JSON of every view
// must pass the validator, and per-fiber times must still partition each lifetime.
#include <catch2/catch.hpp>
#include <random>

#include "analysis.hpp"
#include "chrome_json.hpp"
#include "exporter/perfetto/writer.hpp"
#include "exporter/rows.hpp"
#include "invariants.hpp"
#include "perfetto/decode.hpp"
#include "script.hpp"
#include "validate.hpp"
#include "window.hpp"

using namespace ft::exporter;
using fttest::EventType;

namespace {

fttest::Script random_script(uint32_t seed, int n) {
  std::mt19937_64 rng(seed);
  auto r = [&](uint64_t k) { return rng() % k; };
  fttest::Script s;
  s.func("a");
  s.func("b");
  s.str("name");
  s.stack({{"f", "x.cpp", 1}});
  static const EventType types[] = {
      EventType::ProcStart, EventType::ProcStop,    EventType::Threads,   EventType::HeapAlloc,
      EventType::GoCreate,  EventType::GoStart,     EventType::GoEnd,     EventType::GoBlock,
      EventType::GoUnblock, EventType::GoYield,     EventType::GoStatus,  EventType::GoSysCall,
      EventType::GoSysExit, EventType::GoSysBlock,  EventType::ChanName,  EventType::TaskCreate,
      EventType::TaskEnd,   EventType::RegionBegin, EventType::RegionEnd, EventType::Log,
      EventType(77)};
  uint64_t t = 0;
  for (int i = 0; i < n; i++) {
    t = r(20) == 0 ? (t > 30 ? t - r(30) : 0) : t + r(50);
    EventType ty = types[r(std::size(types))];
    // GoStart dominates real traces; weight it so slices actually form.
    if (r(3) == 0) ty = EventType::GoStart;
    s.add(t, ty, uint32_t(r(3)), int32_t(r(4)) - 1, r(6), r(4), r(6), r(6), uint32_t(r(3)));
  }
  return s;
}

}  // namespace

TEST_CASE("fuzz: random event sequences keep the model and JSON invariants") {
  for (uint32_t seed = 1; seed <= 150; seed++) {
    INFO("seed " << seed);
    Model m = random_script(seed, 300).build();
    fttest::check_model_invariants(m);
    for (View v : {View::Proc, View::Thread, View::Goroutine}) {
      JsonOptions o;
      o.view = v;
      auto viol = validate_chrome_json(chrome_json(m, o));
      INFO("view " << view_name(v) << "\n" << format_violations(viol));
      CHECK(viol.empty());
      // The Perfetto export of the same model breaks none of its format's rules (our decoder
      // records each one it finds broken) and holds every slice of the view.
      ft::exporter::perfetto::Options po;
      po.view = v;
      auto pt = fttest::pftrace::decode(ft::exporter::perfetto::perfetto_trace(m, po));
      for (const std::string& e : pt.errors) FAIL_CHECK(e);
      Rows rows = make_rows(m, v, std::nullopt);
      size_t shown = 0, begun = 0;
      for (const Slice& sl : m.slices) shown += rows.slice(sl) != 0;
      for (const auto& d : pt.slices) begun += d.args.count("func");
      CHECK(begun == shown);
    }
    for (uint32_t f = 0; f < m.fibers.size(); f++) {
      FiberTimes t = fiber_times(m, f);
      CHECK(t.exec + t.sched_wait + t.block_total() + t.syscall + t.unknown == t.lifetime);
    }
    std::vector<TrackRef> tracks;
    for (uint32_t p = 0; p < m.procs.size(); p++) tracks.push_back({TrackKind::Proc, p});
    for (uint32_t c = 0; c < kCounters; c++) tracks.push_back({TrackKind::Counter, c});
    auto w = query_window(m, {tracks, m.end / 3, m.end / 2, 7});
    for (auto& tr : w.tracks)
      for (size_t i = 1; i < tr.slices.size(); i++) CHECK(tr.slices[i - 1].t1 <= tr.slices[i].t0);
  }
}
