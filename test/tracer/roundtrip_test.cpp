// Round trip of every event kind through the recorder and the reader, called directly from
// plain threads (no runtime), plus stack symbolization and start-function names.
#include <catch2/catch.hpp>
#include <thread>

#include "trace_util.hpp"
#include "tracer/record.hpp"

using namespace ft::trace;
using ft_test::capture;
using ft_test::read_bytes;

namespace {

__attribute__((noinline)) void pass_fn() {
  asm volatile("");
}

const StartFn kPassFn{reinterpret_cast<const void*>(&pass_fn), "int main()", "daisy.cpp", 10};
const StartFn kLambdaFn{nullptr, "int main()", "daisy.cpp", 23};
const StartFn kMemberFn{nullptr, "void ns::Server::run(int) const", "s.cpp", 7};

__attribute__((noinline)) void blocking_function_for_stack() {
  rec::go_block(Block::ChanRecv, 77);
  asm volatile("");  // keeps the call from becoming a tail jump
}

__attribute__((noinline)) void outer_caller_for_stack() {
  blocking_function_for_stack();
  asm volatile("");
}

// Two callers of the same shape, called through one call site: the frames of memo_leaf and
// of go_block then sit at the same addresses whichever caller runs, and only a frame further
// down tells the stacks apart (the recorder's memo of the last walk must notice).
__attribute__((noinline)) void memo_leaf() {
  rec::go_block(Block::ChanRecv, 78);
  asm volatile("");
}
__attribute__((noinline)) void memo_caller_a() {
  memo_leaf();
  asm volatile("");
}
__attribute__((noinline)) void memo_caller_b() {
  memo_leaf();
  asm volatile("");
}

std::vector<Event> of_type(const std::vector<Event>& evs, EventType t) {
  std::vector<Event> out;
  for (const auto& e : evs)
    if (e.type == t) out.push_back(e);
  return out;
}

bool has_frame(const Tables& t, uint32_t stack, const std::string& func) {
  if (stack >= t.stacks.size()) return false;
  for (const auto& f : t.stacks[stack])
    if (f.func == func) return true;
  return false;
}

}  // namespace

TEST_CASE("every event kind round-trips") {
  alignas(64) static char fiber_stack[1];  // bounds only; the walk uses the thread's stack
  (void)fiber_stack;
  auto bytes = capture([] {
    std::thread th([] {
      rec::proc_start(3);
      rec::threads(5, 1);
      rec::chan_name(900, "ping");
      rec::go_create(10, &kPassFn);
      rec::go_create(11, &kLambdaFn);
      rec::go_start(10, nullptr, nullptr);
      rec::go_unblock(11, Block::ChanSend, 900);
      rec::syscall_enter();
      rec::syscall_exit();
      rec::syscall_block(3);
      rec::proc_start(3);
      {
        Task parent("parent-task");
        Task child(parent, "child-task");
        {
          Region r(child, "outer-region");
          Region r2("inner-region");
          log(child, "cat", "hello world");
        }
        log("cat2", std::string(5000, 'x'));
      }
      rec::go_yield();
      rec::go_start(10, nullptr, nullptr);
      outer_caller_for_stack();
      rec::go_start(11, nullptr, nullptr);
      rec::go_end();
      rec::go_status(12, &kMemberFn, ft::trace::FiberStatus::Blocked, Block::Mutex);
      rec::proc_stop(3);
    });
    th.join();
  });
  REQUIRE(!bytes.empty());
  auto r = read_bytes(bytes);
  INFO(r.res.error);
  REQUIRE(r.res.ok);
  const auto& ev = r.events;
  const auto& t = r.tables;
  CHECK(r.res.events == ev.size());

  // Timestamps never go backwards.
  for (size_t i = 1; i < ev.size(); i++) CHECK(ev[i - 1].ts <= ev[i].ts);

  // The user thread's events, in order (the writer thread adds HeapAlloc on its own thread).
  std::vector<Event> mine;
  for (const auto& e : ev)
    if (e.type != EventType::HeapAlloc) mine.push_back(e);
  std::vector<EventType> want = {
      EventType::ProcStart,  EventType::Threads,     EventType::ChanName,    EventType::GoCreate,
      EventType::GoCreate,   EventType::GoStart,     EventType::GoUnblock,   EventType::GoSysCall,
      EventType::GoSysExit,  EventType::GoSysBlock,  EventType::ProcStart,   EventType::TaskCreate,
      EventType::TaskCreate, EventType::RegionBegin, EventType::RegionBegin, EventType::Log,
      EventType::RegionEnd,  EventType::RegionEnd,   EventType::Log,         EventType::TaskEnd,
      EventType::TaskEnd,    EventType::GoYield,     EventType::GoStart,     EventType::GoBlock,
      EventType::GoStart,    EventType::GoEnd,       EventType::GoStatus,    EventType::ProcStop};
  REQUIRE(mine.size() == want.size());
  for (size_t i = 0; i < want.size(); i++) {
    INFO("event " << i << " " << event_name(mine[i].type));
    CHECK(mine[i].type == want[i]);
  }
  uint32_t thread = mine[0].thread;
  for (const auto& e : mine) CHECK(e.thread == thread);

  CHECK(mine[0].proc_id() == 3);
  CHECK(mine[0].proc == 3);
  CHECK(mine[1].threads_total() == 5);
  CHECK(mine[1].threads_in_syscall() == 1);
  CHECK(mine[2].chan_id() == 900);
  CHECK(t.strings.at(mine[2].name()) == "ping");
  // GoCreate: created fiber, start function, creator (none: no fiber running), creator's stack.
  CHECK(mine[3].g == 10);
  CHECK(t.funcs.at(mine[3].start_fn()) == "pass_fn");
  CHECK(mine[3].creator() == 0);
  CHECK(mine[3].stack != 0);
  CHECK(mine[4].g == 11);
  CHECK(t.funcs.at(mine[4].start_fn()) == "main:23");
  CHECK(mine[5].g == 10);
  // GoUnblock: woken fiber, reason, channel, waker.
  CHECK(mine[6].g == 11);
  CHECK(mine[6].reason() == Block::ChanSend);
  CHECK(mine[6].chan_id() == 900);
  CHECK(mine[6].waker() == 10);
  CHECK(mine[7].g == 10);
  CHECK(mine[7].stack != 0);
  CHECK(mine[8].g == 10);
  CHECK(mine[9].proc_id() == 3);
  CHECK(mine[9].proc == 3);
  CHECK(mine[10].proc == 3);
  // Tasks, regions and logs.
  uint64_t parent = mine[11].task_id(), child = mine[12].task_id();
  CHECK(parent != 0);
  CHECK(mine[11].parent_task() == 0);
  CHECK(t.strings.at(mine[11].name()) == "parent-task");
  CHECK(mine[12].parent_task() == parent);
  CHECK(t.strings.at(mine[12].name()) == "child-task");
  CHECK(mine[13].task_id() == child);
  CHECK(t.strings.at(mine[13].name()) == "outer-region");
  CHECK(mine[14].task_id() == 0);
  CHECK(t.strings.at(mine[14].name()) == "inner-region");
  CHECK(mine[15].task_id() == child);
  CHECK(t.strings.at(mine[15].category()) == "cat");
  CHECK(t.strings.at(mine[15].message()) == "hello world");
  CHECK(mine[15].g == 10);
  CHECK(mine[15].stack != 0);
  CHECK(t.strings.at(mine[16].name()) == "inner-region");
  CHECK(t.strings.at(mine[17].name()) == "outer-region");
  CHECK(t.strings.at(mine[18].message()).size() == 4000);
  CHECK(mine[19].task_id() == child);
  CHECK(mine[20].task_id() == parent);
  CHECK(mine[21].g == 10);
  // GoBlock: reason, object, and the stack of where it blocked.
  const Event& blk = mine[23];
  CHECK(blk.g == 10);
  CHECK(blk.reason() == Block::ChanRecv);
  CHECK(blk.object() == 77);
  REQUIRE(blk.stack != 0);
  REQUIRE(blk.stack < t.stacks.size());
  REQUIRE(!t.stacks[blk.stack].empty());
  CHECK(t.stacks[blk.stack][0].func == "blocking_function_for_stack");
  CHECK(t.stacks[blk.stack][0].file.find("roundtrip_test.cpp") != std::string::npos);
  CHECK(t.stacks[blk.stack][0].line > 0);
  CHECK(has_frame(t, blk.stack, "outer_caller_for_stack"));
  CHECK(mine[24].g == 11);
  CHECK(mine[25].g == 11);
  CHECK(mine[26].g == 12);
  CHECK(t.funcs.at(mine[26].start_fn()) == "ns::Server::run:7");
  CHECK(mine[26].status() == ft::trace::FiberStatus::Blocked);
  CHECK(mine[26].reason() == Block::Mutex);
  CHECK(mine[27].proc_id() == 3);

  // The writer samples the heap.
  CHECK(!of_type(ev, EventType::HeapAlloc).empty());
}

TEST_CASE("stacks can be turned off") {
  Options o;
  o.stacks = false;
  auto bytes = capture([] { outer_caller_for_stack(); }, o);
  auto r = read_bytes(bytes);
  REQUIRE(r.res.ok);
  auto blocks = of_type(r.events, EventType::GoBlock);
  REQUIRE(blocks.size() == 1);
  CHECK(blocks[0].stack == 0);
}

TEST_CASE("a stack walked again from the same frame follows a changed caller") {
  void (*volatile callers[4])() = {memo_caller_a, memo_caller_b, memo_caller_a, memo_caller_a};
  auto bytes = capture([&] {
    for (auto* f : callers) f();
  });
  auto r = read_bytes(bytes);
  REQUIRE(r.res.ok);
  auto blocks = of_type(r.events, EventType::GoBlock);
  REQUIRE(blocks.size() == 4);
  for (const auto& b : blocks) REQUIRE(b.stack != 0);
  CHECK(has_frame(r.tables, blocks[0].stack, "memo_caller_a"));
  CHECK(!has_frame(r.tables, blocks[0].stack, "memo_caller_b"));
  CHECK(has_frame(r.tables, blocks[1].stack, "memo_caller_b"));
  CHECK(!has_frame(r.tables, blocks[1].stack, "memo_caller_a"));
  CHECK(blocks[1].stack != blocks[0].stack);
  CHECK(blocks[2].stack == blocks[0].stack);
  CHECK(blocks[3].stack == blocks[0].stack);
}

TEST_CASE("When::Last stamps an event with the previous event's time") {
  auto bytes = capture([] {
    std::thread th([] {
      // The first event of a thread in a session reads the clock even when asked to reuse.
      rec::go_start(40, nullptr, nullptr, rec::When::Last);
      for (int i = 0; i < 1000; i++) asm volatile("");
      rec::go_unblock(41, Block::ChanSend, 5);
      rec::go_block(Block::ChanRecv, 5, rec::When::Last);
      rec::go_start(41, nullptr, nullptr, rec::When::Last);
      rec::go_end();
    });
    th.join();
  });
  auto r = read_bytes(bytes);
  REQUIRE(r.res.ok);
  std::vector<Event> mine;
  for (const auto& e : r.events)
    if (e.type == EventType::GoStart || e.type == EventType::GoUnblock ||
        e.type == EventType::GoBlock || e.type == EventType::GoEnd)
      mine.push_back(e);
  REQUIRE(mine.size() == 5);
  CHECK(mine[0].g == 40);
  CHECK(mine[0].ts > 0);
  CHECK(mine[1].type == EventType::GoUnblock);
  CHECK(mine[2].type == EventType::GoBlock);
  CHECK(mine[2].g == 40);
  CHECK(mine[2].ts == mine[1].ts);
  CHECK(mine[3].type == EventType::GoStart);
  CHECK(mine[3].g == 41);
  CHECK(mine[3].ts == mine[1].ts);
  CHECK(mine[4].type == EventType::GoEnd);
  CHECK(mine[4].g == 41);
  CHECK(mine[4].ts >= mine[3].ts);
}

TEST_CASE("names") {
  CHECK(block_name(Block::ChanRecv) == "chan recv");
  CHECK(block_name(Block::WaitGroup) == "wait group");
  CHECK(event_name(EventType::GoCreate) == "GoCreate");
  CHECK(event_name(EventType::Log) == "Log");
}

// The info chunk names the recording process, so merged traces can be told apart.
TEST_CASE("a trace records its pid and command line") {
  auto r = ft_test::read_bytes(ft_test::capture([] {}));
  REQUIRE(r.res.ok);
  CHECK(r.tables.pid == uint64_t(getpid()));
  REQUIRE(!r.tables.argv.empty());
  CHECK(r.tables.argv[0].find("tracer_roundtrip_test") != std::string::npos);
  CHECK(r.tables.start_mono_ns > 0);
}
