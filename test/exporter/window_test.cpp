#include <catch2/catch.hpp>
#include <stdexcept>

#include "script.hpp"
#include "window.hpp"

using namespace ft::exporter;
using fttest::EventType;

namespace {

Model train(int n, Ns len, Ns gap) {
  return fttest::train(n, len, gap, 1).build();
}

}  // namespace

TEST_CASE("window: slices overlapping the window, in order, unmerged when wide") {
  Model m = train(10, 10, 10);  // slices [100,110], [120,130], ... [280,290]
  WindowQuery q{{{TrackKind::Proc, 0}}, 125, 205, 1000};
  WindowResult r = query_window(m, q);
  REQUIRE(r.tracks.size() == 1);
  auto& v = r.tracks[0].slices;
  REQUIRE(v.size() == 5);  // [120,130] .. [200,210]
  CHECK(v.front().t0 == 120);
  CHECK(v.back().t0 == 200);
  for (auto& w : v) CHECK(w.count == 1);
  // Boundaries are inclusive: a slice ending exactly at t0 is in.
  q.t0 = 130, q.t1 = 130;
  CHECK(query_window(m, q).tracks[0].slices.size() == 1);
}

TEST_CASE("window: sub-pixel slices merge, at most ~2 items per pixel") {
  Model m = train(1000, 10, 10);  // 20 µs of 10 ns slices
  WindowQuery q{{{TrackKind::Proc, 0}, {TrackKind::Fiber, 0}}, 0, m.end, 10};
  WindowResult r = query_window(m, q);
  for (auto& t : r.tracks) {
    REQUIRE(t.slices.size() == 1);  // gaps (10 ns) are below a pixel (~2 µs): one run
    CHECK(t.slices[0].count == 1000);
    CHECK(t.slices[0].fiber == 0);
    CHECK(t.slices[0].t0 == 100);
    CHECK(t.slices[0].t1 == m.slices.back().t1);
  }
  // Zoomed in far enough, every slice is its own item again.
  q.t0 = 100, q.t1 = 300, q.width_px = 2000;
  WindowResult zoomed = query_window(m, q);
  CHECK(zoomed.tracks[0].slices.size() == 11);  // [100,110] .. [300,310]
  for (auto& w : zoomed.tracks[0].slices) CHECK(w.count == 1);
}

TEST_CASE("window: a wide slice stops a merge run, and runs with different fibers lose the fiber") {
  fttest::Script s;
  uint32_t fn = s.func("f");
  s.add(0, EventType::ProcStart, 0, 0, 0, 0);
  for (uint64_t g = 1; g <= 3; g++) s.add(0, EventType::GoCreate, 0, 0, g, fn);
  s.add(10, EventType::GoStart, 0, 0, 1);
  s.add(11, EventType::GoYield, 0, 0, 1);
  s.add(12, EventType::GoStart, 0, 0, 2);
  s.add(13, EventType::GoYield, 0, 0, 2);
  s.add(14, EventType::GoStart, 0, 0, 3);
  s.add(500, EventType::GoYield, 0, 0, 3);
  s.add(501, EventType::GoStart, 0, 0, 1);
  s.add(502, EventType::GoYield, 0, 0, 1);
  Model m = s.build();
  WindowResult r = query_window(m, {{{TrackKind::Proc, 0}}, 0, 1000, 100});  // 10 ns per px
  auto& v = r.tracks[0].slices;
  REQUIRE(v.size() == 3);
  CHECK(v[0].count == 2);
  CHECK(v[0].fiber == kNone);
  CHECK(v[1].count == 1);
  CHECK(v[1].t1 == 500);
  CHECK(v[2].count == 1);
}

TEST_CASE("window: counters keep the value at t0, peaks and the last sample per pixel") {
  fttest::Script s;
  uint32_t fn = s.func("f");
  s.add(0, EventType::ProcStart, 0, 0, 0, 0);
  for (uint64_t g = 1; g <= 50; g++) s.add(g * 10, EventType::GoCreate, 0, 0, g, fn);
  for (uint64_t g = 1; g <= 50; g++)
    s.add(1000 + g * 10, EventType::GoStart, 0, 0, g),
        s.add(1000 + g * 10 + 5, EventType::GoEnd, 0, 0, g);
  Model m = s.build();
  const Counter& c = m.counters[kGoroutines];
  WindowResult r = query_window(m, {{{TrackKind::Counter, kGoroutines}}, 255, 1600, 1});
  auto& v = r.tracks[0].samples;
  REQUIRE(v.size() >= 2);
  CHECK(c.t[v[0]] <= 255);  // value in effect at t0
  CHECK(c.t[v[0] + 1] > 255);
  // The peak (50 runnable at t=500) survives although one pixel covers it all.
  int64_t peak = 0;
  for (uint32_t i : v) peak = std::max(peak, c.value(i, 1));
  CHECK(peak == 50);
  CHECK(v.size() <= 3);
  CHECK(std::is_sorted(v.begin(), v.end()));
}

TEST_CASE("window: flows need both ends on requested tracks and reach into the window") {
  Model m = fttest::daisy(3).build();
  std::vector<TrackRef> all;
  for (uint32_t f = 0; f < m.fibers.size(); f++) all.push_back({TrackKind::Fiber, f});
  WindowResult r = query_window(m, {all, 0, m.end, 1000});
  CHECK(r.flows.size() == m.flows.size());
  // sendFirst (G5) and the last pass (G2): no flow joins those two.
  WindowResult r2 =
      query_window(m, {{{TrackKind::Fiber, m.fiber_index(2)}, {TrackKind::Fiber, m.fiber_index(5)}},
                       0,
                       m.end,
                       1000});
  CHECK(r2.flows.empty());
  // Procs carry everything; a window after the last arrow has none.
  WindowResult r3 = query_window(m, {{{TrackKind::Proc, 0}, {TrackKind::Proc, 1}}, 0, m.end, 1000});
  CHECK(r3.flows.size() == m.flows.size());
  Ns last = 0;
  for (const Flow& f : m.flows) last = std::max(last, m.slices[f.to_slice].t0);
  CHECK(query_window(m, {{{TrackKind::Proc, 0}, {TrackKind::Proc, 1}}, last + 1, m.end, 1000})
            .flows.empty());
}

TEST_CASE("window: bad queries throw invalid_argument") {
  Model m = fttest::daisy(3).build();
  CHECK_THROWS_AS(query_window(m, {{{TrackKind::Proc, 9}}, 0, 10, 10}), std::invalid_argument);
  CHECK_THROWS_AS(query_window(m, {{{TrackKind::Counter, 3}}, 0, 10, 10}), std::invalid_argument);
  CHECK_THROWS_AS(query_window(m, {{{TrackKind::Fiber, 0}}, 10, 5, 10}), std::invalid_argument);
  CHECK_NOTHROW(query_window(m, {{{TrackKind::Fiber, 0}}, 0, 10, 0}));  // width 0 acts as 1
}
