#include <catch2/catch.hpp>

#include "analysis.hpp"
#include "script.hpp"
#include "stats.hpp"

using namespace ft::exporter;
using fttest::Block;
using fttest::EventType;

TEST_CASE("analysis: goroutine groups of daisy") {
  Model m = fttest::daisy(3).build();
  auto groups = goroutine_groups(m);
  std::map<std::string, uint64_t> n;
  for (const Group& g : groups) n[g.name] = g.n;
  CHECK(n == std::map<std::string, uint64_t>{{"main", 1}, {"pass", 3}, {"sendFirst", 1}});
  for (size_t i = 1; i < groups.size(); i++) CHECK(groups[i - 1].exec >= groups[i].exec);
  Ns exec = 0;
  for (const Slice& s : m.slices) exec += s.t1 - s.t0;
  Ns sum = 0;
  for (const Group& g : groups) sum += g.exec;
  CHECK(sum == exec);
  auto j = groups_json(m);
  REQUIRE(j.size() == 3);
  CHECK(j[0].contains("exec_ns"));
}

TEST_CASE("analysis: per-fiber times partition the lifetime exactly") {
  for (int n : {1, 3, 50}) {
    Model m = fttest::daisy(n).build();
    for (uint32_t f = 0; f < m.fibers.size(); f++) {
      FiberTimes t = fiber_times(m, f);
      CHECK(t.exec + t.sched_wait + t.block_total() + t.syscall + t.unknown == t.lifetime);
      CHECK(t.lifetime == m.fibers[f].died - m.fibers[f].born);
    }
    // Every pass blocks on chan recv only; main also spends its print in a syscall.
    FiberTimes pass = fiber_times(m, m.fiber_index(2));
    CHECK(pass.block[size_t(Block::ChanRecv)] > 0);
    CHECK(pass.block_total() == pass.block[size_t(Block::ChanRecv)]);
    FiberTimes main = fiber_times(m, m.fiber_index(1));
    CHECK(main.syscall == 5);
    CHECK(main.unknown == 0);
    auto fj = fiber_json(m, m.fiber_index(2));
    CHECK(fj["block_by_reason_ns"]["chan recv"] == pass.block[size_t(Block::ChanRecv)]);
    CHECK(fibers_json(m, m.fibers[m.fiber_index(2)].func).size() == size_t(n));
  }
}

TEST_CASE("analysis: blocking profiles aggregate by stack") {
  Model m = fttest::daisy(3).build();
  auto sync = blocking_profile(m, ProfileKind::Sync);
  // Two blocking stacks: main's recv and pass's recv.
  REQUIRE(sync.size() == 2);
  Ns total = 0;
  uint64_t count = 0;
  for (const auto& e : sync) total += e.total, count += e.count;
  Ns blocked = 0;
  for (const StateSpan& s : m.spans)
    if (s.state == FiberState::Blocked) blocked += s.t1 - s.t0;
  CHECK(total == blocked);
  CHECK(count == 4);
  auto pass_entry = std::find_if(sync.begin(), sync.end(), [&](auto& e) {
    return m.tables.stacks[e.stack][1].func == "pass";
  });
  REQUIRE(pass_entry != sync.end());
  CHECK(pass_entry->count == 3);
  auto sys = blocking_profile(m, ProfileKind::Syscall);
  REQUIRE(sys.size() == 1);
  CHECK(sys[0].total == 5);
  CHECK(m.tables.stacks[sys[0].stack][0].func == "write");
  // Sched: everything runnable, keyed by where it was created or blocked.
  Ns runnable = 0;
  for (const StateSpan& s : m.spans)
    if (s.state == FiberState::Runnable) runnable += s.t1 - s.t0;
  Ns sched = 0;
  for (auto& e : blocking_profile(m, ProfileKind::Sched)) sched += e.total;
  CHECK(sched == runnable);
  CHECK(blocking_profile(m, ProfileKind::IO).empty());
  CHECK(blocking_profile(m, ProfileKind::Sleep).empty());
  auto pj = profile_json(m, ProfileKind::Sync);
  CHECK(pj[0]["stack"][0]["func"] == "ft::Chan<int>::recv");
  CHECK(parse_profile("sched") == ProfileKind::Sched);
  CHECK_FALSE(parse_profile("heap"));
}

TEST_CASE("stats: the keys CI scripts assert on") {
  Model m = fttest::daisy(3).build();
  auto j = stats_json(m);
  CHECK(j["events"] == m.events);
  CHECK(j["fibers"] == 5);
  CHECK(j["groups"]["pass"] == 3);
  CHECK(j["groups"]["sendFirst"] == 1);
  CHECK(j["duration_ns"] == m.end);
  CHECK(j["events_by_kind"]["GoCreate"] == 4);
  CHECK(j["events_by_kind"]["GoStart"] == 8);
  CHECK(j["procs"].size() == 2);
  double u = j["procs"][0]["utilization"];
  CHECK(u > 0.0);
  CHECK(u <= 1.0);
  CHECK(j.contains("bytes"));
  CHECK(j.contains("bytes_per_event"));
  CHECK(j["flows"] == 8);
  std::string text = stats_text(m);
  CHECK(text.find("pass") != std::string::npos);
  CHECK(text.find("Proc 1") != std::string::npos);
}
