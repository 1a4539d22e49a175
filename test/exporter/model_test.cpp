#include <catch2/catch.hpp>

#include "invariants.hpp"
#include "script.hpp"

using namespace ft::exporter;
using fttest::Block;
using fttest::EventType;

namespace {

std::vector<const Flow*> flows_of(const Model& m, FlowKind k) {
  std::vector<const Flow*> v;
  for (const Flow& f : m.flows)
    if (f.kind == k) v.push_back(&f);
  return v;
}

}  // namespace

TEST_CASE("daisy model: fibers, slices, flows") {
  Model m = fttest::daisy(3).build();
  fttest::check_model_invariants(m);
  REQUIRE(m.fibers.size() == 5);
  REQUIRE(m.procs == std::vector<uint32_t>{0, 1});
  CHECK(m.fiber_func(m.fiber_index(1)) == "main");
  CHECK(m.fiber_func(m.fiber_index(2)) == "pass");
  CHECK(m.fiber_func(m.fiber_index(5)) == "sendFirst");
  CHECK(m.fiber_index(99) == kNone);
  // main: 2 slices, each pass: 2, sendFirst: 1.
  CHECK(m.slices.size() == 9);
  CHECK(m.by_fiber.of(m.fiber_index(1)).size() == 2);
  for (uint64_t g = 2; g <= 4; g++) CHECK(m.by_fiber.of(m.fiber_index(g)).size() == 2);
  // One creation flow per ft::go, all from main's first slice, each to the fiber's first slice.
  auto creates = flows_of(m, FlowKind::Create);
  REQUIRE(creates.size() == 4);
  for (const Flow* f : creates) {
    CHECK(m.slices[f->from_slice].fiber == m.fiber_index(1));
    uint32_t to = m.slices[f->to_slice].fiber;
    CHECK(m.by_fiber.of(to)[0] == f->to_slice);
  }
  // One unblock flow per handoff: sendFirst->pass4->pass3->pass2->main, each "chan recv".
  auto unblocks = flows_of(m, FlowKind::Unblock);
  REQUIRE(unblocks.size() == 4);
  uint64_t expect_from[] = {5, 4, 3, 2}, expect_to[] = {4, 3, 2, 1};
  for (size_t i = 0; i < 4; i++) {
    const Flow* f = unblocks[i];
    CHECK(m.fibers[m.slices[f->from_slice].fiber].id == expect_from[i]);
    CHECK(m.fibers[m.slices[f->to_slice].fiber].id == expect_to[i]);
    CHECK(f->reason == Block::ChanRecv);
    CHECK(f->obj == expect_to[i]);  // channel id == woken fiber's id in the script
  }
  CHECK(m.chan_name(1) == "leftmost");
  CHECK(m.chan_name(2).empty());
}

TEST_CASE("daisy model: slice end reasons and stacks") {
  Model m = fttest::daisy(3).build();
  auto main_slices = m.by_fiber.of(m.fiber_index(1));
  const Slice& first = m.slices[main_slices[0]];
  CHECK(first.end == SliceEnd::Block);
  CHECK(first.reason == Block::ChanRecv);
  CHECK(slice_end_name(first.end, first.reason) == "chan recv");
  CHECK(m.tables.stacks[first.end_stack][1].func == "main");
  const Slice& last = m.slices[main_slices[1]];
  CHECK(last.end == SliceEnd::Exit);
  // The resumed slice starts at the stack where main blocked.
  CHECK(last.start_stack == first.end_stack);
  // Every pass blocks exactly once, on chan recv, and is woken by a handoff.
  for (uint64_t g = 2; g <= 4; g++) {
    uint32_t f = m.fiber_index(g);
    int blocked = 0;
    for (const StateSpan& s : m.fiber_spans(f))
      if (s.state == FiberState::Blocked) {
        blocked++;
        CHECK(s.reason == Block::ChanRecv);
        CHECK(s.obj == g);
      }
    CHECK(blocked == 1);
    uint32_t second = m.by_fiber.of(f)[1];
    REQUIRE(m.slices[second].flow_in != kNone);
    CHECK(m.flows[m.slices[second].flow_in].kind == FlowKind::Unblock);
  }
}

TEST_CASE("daisy model: counters") {
  Model m = fttest::daisy(3).build();
  const Counter& g = m.counters[kGoroutines];
  REQUIRE(g.keys == std::vector<std::string>{"Running", "Runnable", "Waiting", "InSyscall"});
  // After the 4 creations (t=45) and before main blocks (t=55): main running, 4 runnable.
  auto at = [&](const Counter& c, Ns t) {
    size_t i = size_t(std::upper_bound(c.t.begin(), c.t.end(), t) - c.t.begin()) - 1;
    return i;
  };
  size_t i = at(g, 50);
  CHECK(g.value(i, 0) == 1);
  CHECK(g.value(i, 1) == 4);
  CHECK(g.value(i, 2) == 0);
  // While main is in its syscall: InSyscall 1, Running 0.
  Ns sys = 0;
  for (const Instant& x : m.instants)
    if (x.kind == InstantKind::Syscall) sys = x.t;
  REQUIRE(sys > 0);
  i = at(g, sys);
  CHECK(g.value(i, 3) == 1);
  CHECK(g.value(i, 0) == 0);
  // At the end everything is gone.
  CHECK(g.value(g.t.size() - 1, 0) + g.value(g.t.size() - 1, 1) + g.value(g.t.size() - 1, 2) == 0);
  const Counter& th = m.counters[kThreads];
  CHECK(th.value(at(th, 1), 0) == 2);        // both procs running
  CHECK(th.value(th.t.size() - 1, 0) == 0);  // both stopped
  const Counter& heap = m.counters[kHeap];
  REQUIRE(heap.t.size() == 1);
  CHECK(heap.value(0, 0) == 1 << 20);
}

TEST_CASE("builder: yield, hand-off syscall, early wake, timers, user annotations") {
  fttest::Script s;
  uint32_t fn = s.func("worker");
  uint32_t task = s.str("job"), region = s.str("step"), cat = s.str("cat"), msg = s.str("hello");
  s.add(0, EventType::ProcStart, 0, 0, 0, 0);
  s.add(1, EventType::GoCreate, 0, 0, 10, fn, 0);
  s.add(2, EventType::GoStart, 0, 0, 10);
  s.add(3, EventType::TaskCreate, 0, 0, 10, 7, 0, task);
  s.add(4, EventType::RegionBegin, 0, 0, 10, 7, region);
  s.add(5, EventType::Log, 0, 0, 10, 7, cat, msg);
  s.add(6, EventType::GoYield, 0, 0, 10);
  s.add(8, EventType::GoStart, 0, 0, 10);
  s.add(9, EventType::GoSysCall, 0, 0, 10);
  s.add(20, EventType::GoSysBlock, 1, -1, 10, 0);
  s.add(30, EventType::GoSysExit, 1, -1, 10);
  s.add(35, EventType::GoStart, 0, 0, 10);
  // Woken (by a timer) before its block is recorded: the block must not leave it blocked.
  s.add(40, EventType::GoUnblock, 0, 0, 10, uint64_t(Block::Sleep), 0, 0);
  s.add(41, EventType::GoBlock, 0, 0, 10, uint64_t(Block::Sleep), 0);
  s.add(50, EventType::GoStart, 0, 0, 10);
  s.add(55, EventType::RegionEnd, 0, 0, 10, 7, region);
  s.add(56, EventType::TaskEnd, 0, 0, 10, 7);
  s.add(60, EventType::GoEnd, 0, 0, 10);
  Model m = s.build();
  fttest::check_model_invariants(m);
  REQUIRE(m.fibers.size() == 1);
  auto sl = m.by_fiber.of(0);
  REQUIRE(sl.size() == 4);
  CHECK(m.slices[sl[0]].end == SliceEnd::Yield);
  CHECK(m.slices[sl[1]].end == SliceEnd::Syscall);
  CHECK(m.slices[sl[1]].t1 == 20);
  CHECK(m.slices[sl[2]].end == SliceEnd::Block);
  CHECK(m.slices[sl[3]].end == SliceEnd::Exit);
  std::vector<std::pair<FiberState, Ns>> states;
  for (const StateSpan& x : m.fiber_spans(0)) states.push_back({x.state, x.t0});
  std::vector<std::pair<FiberState, Ns>> want = {
      {FiberState::Runnable, 1}, {FiberState::Running, 2},   {FiberState::Runnable, 6},
      {FiberState::Running, 8},  {FiberState::Syscall, 9},   {FiberState::Runnable, 30},
      {FiberState::Running, 35}, {FiberState::Runnable, 41}, {FiberState::Running, 50}};
  CHECK(states == want);
  // Threads.InSyscall counts the hand-off from 20 to 30.
  const Counter& th = m.counters[kThreads];
  bool saw = false;
  for (size_t i = 0; i < th.t.size(); i++)
    if (th.t[i] == 20) {
      saw = true;
      CHECK(th.value(i, 1) == 1);
    }
  CHECK(saw);
  CHECK(th.value(th.t.size() - 1, 1) == 0);
  REQUIRE(m.tasks.size() == 1);
  CHECK(m.tasks[0].t0 == 3);
  CHECK(m.tasks[0].t1 == 56);
  REQUIRE(m.regions.size() == 1);
  CHECK(m.regions[0].t1 == 55);
  CHECK(m.str(m.regions[0].name) == "step");
  REQUIRE(m.logs.size() == 1);
  CHECK(m.str(m.logs[0].message) == "hello");
  bool timer = false;
  for (const Instant& x : m.instants) timer |= x.kind == InstantKind::TimerWake;
  CHECK(timer);
}

TEST_CASE("builder: missing stops and clock steps keep the invariants") {
  fttest::Script s;
  uint32_t fn = s.func("f");
  s.add(0, EventType::GoCreate, 0, 0, 1, fn);
  s.add(0, EventType::GoCreate, 0, 0, 2, fn);
  s.add(5, EventType::GoStart, 0, 0, 1);
  s.add(7, EventType::GoStart, 0, 0, 2);                          // 1 never stopped: evicted
  s.add(4, EventType::GoBlock, 0, 0, 2, uint64_t(Block::Mutex));  // time went backwards
  s.add(9, EventType::GoStart, 1, 0, 1);
  s.add(10, EventType::ProcStop, 1, 0, 0, 0);
  Model m = s.build();
  fttest::check_model_invariants(m);
  CHECK(m.slices[0].end == SliceEnd::Replaced);
  CHECK(m.slices[1].t1 == 7);  // clamped to the latest time seen
  CHECK(m.slices[2].end == SliceEnd::Stopped);
  CHECK(m.end == 10);
}

TEST_CASE("builder: empty input gives an empty model") {
  Model m = fttest::Script().build();
  fttest::check_model_invariants(m);
  CHECK(m.fibers.empty());
  CHECK(m.slices.empty());
  CHECK(m.end == 0);
}
