// Golden facts on real traces of samples/daisy (n = 3 and n = 1000), through the tracer's
// reader: the goroutine groups, handoffs and creations as flows (cross-checked against the
// raw events), model invariants, exact lifetime partitions, and a clean validator in every view.
#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "analysis.hpp"
#include "chrome_json.hpp"
#include "invariants.hpp"
#include "load.hpp"
#include "run.hpp"
#include "tracer/reader.hpp"
#include "validate.hpp"

using namespace ft::exporter;
using ft::trace::Block;
using ft::trace::EventType;

namespace {

std::string trace_daisy(int n) {
  std::string dir = FT_BINARY_DIR "/test/exporter/daisy_tmp";
  std::system(("mkdir -p " + dir).c_str());
  std::string path = dir + "/daisy" + std::to_string(n) + ".trace";
  // Braces: run() sends the group's stderr (daisy prints its result there) to the pipe.
  auto r =
      fttest::run("{ " + std::string(FT_DAISY) + " " + std::to_string(n) + " > " + path + "; }");
  REQUIRE(r.status == 0);
  CHECK(r.out == std::to_string(n) + "\n");
  return path;
}

bool is_chan(Block b) {
  return b == Block::ChanRecv || b == Block::ChanSend;
}

void golden_facts(int n) {
  std::string path = trace_daisy(n);
  Model m = load_trace_file(path);
  INFO("daisy " << n << ": " << m.read.error);
  REQUIRE(m.read.ok);
  fttest::check_model_invariants(m);

  // Groups: pass N=n, sendFirst N=1, one main fiber.
  std::map<std::string, uint64_t> groups;
  for (const Group& g : goroutine_groups(m)) groups[g.name] = g.n;
  CHECK(groups["pass"] == uint64_t(n));
  CHECK(groups["sendFirst"] == 1);
  uint64_t mains = 0;
  for (auto& [name, count] : groups)
    if (name.rfind("main", 0) == 0) mains += count;
  CHECK(mains == 1);

  // Raw events, read again: every handoff is a chan unblock by a fiber.
  std::vector<ft::trace::Event> evs;
  ft::trace::Tables tables;
  std::string bytes = fttest::slurp(path);
  ft::trace::read(std::as_bytes(std::span(bytes.data(), bytes.size())), tables,
                  [&](const ft::trace::Event& e) { evs.push_back(e); });
  uint64_t unblocks = 0, creates = 0, unblocks_then_started = 0;
  std::set<uint64_t> started_after;  // indices of unblocks whose fiber starts again later
  for (size_t i = 0; i < evs.size(); i++) {
    const auto& e = evs[i];
    if (e.type == EventType::GoCreate) creates++;
    if (e.type != EventType::GoUnblock) continue;
    unblocks++;
    CHECK(is_chan(e.reason()));
    CHECK(e.waker() != 0);  // woken by a fiber, not a timer
    for (size_t j = i + 1; j < evs.size(); j++)
      if (evs[j].type == EventType::GoStart && evs[j].g == e.g) {
        unblocks_then_started++;
        break;
      }
  }
  // One handoff per channel: n + 1 channels each carry one value; the first party to arrive
  // on an unbuffered channel blocks and the second wakes it.
  CHECK(unblocks == uint64_t(n) + 1);
  CHECK(creates == uint64_t(n) + 1);

  // One flow per creation and per handoff, also when the woken fiber did not run again before
  // the trace ended (issue 11): its arrow enters a zero-length NeverRan slice at the end.
  uint64_t create_flows = 0, unblock_flows = 0;
  for (const Flow& f : m.flows) {
    if (f.kind == FlowKind::Create)
      create_flows++;
    else {
      unblock_flows++;
      CHECK(is_chan(f.reason));
      CHECK(f.obj != 0);
    }
  }
  CHECK(create_flows == creates);
  CHECK(unblock_flows == unblocks);
  uint64_t never_ran = 0;
  for (const Slice& s : m.slices)
    if (s.end == SliceEnd::NeverRan) {
      never_ran++;
      CHECK(s.t0 == m.end);
      CHECK(s.t1 == m.end);
      CHECK(s.flow_in != kNone);
    }
  CHECK(never_ran == unblocks - unblocks_then_started);

  // Every pass that blocked on a channel and was woken resumes with an unblock flow.
  for (uint32_t f = 0; f < m.fibers.size(); f++) {
    if (m.fiber_func(f) != "pass") continue;
    auto spans = m.fiber_spans(f);
    for (size_t i = 0; i + 1 < spans.size(); i++) {
      if (spans[i].state != FiberState::Blocked) continue;
      CHECK(is_chan(spans[i].reason));
      CHECK(spans[i + 1].state == FiberState::Runnable);
      for (uint32_t s : m.by_fiber.of(f))
        if (m.slices[s].t0 == spans[i + 1].t1) {
          REQUIRE(m.slices[s].flow_in != kNone);
          CHECK(m.flows[m.slices[s].flow_in].kind == FlowKind::Unblock);
        }
    }
    FiberTimes t = fiber_times(m, f);
    CHECK(t.exec + t.sched_wait + t.block_total() + t.syscall + t.unknown == t.lifetime);
  }

  // The JSON of every view (and a --goid focus) passes the validator.
  for (View v : {View::Proc, View::Thread, View::Goroutine}) {
    JsonOptions o;
    o.view = v;
    auto viol = validate_chrome_json(chrome_json(m, o));
    INFO("view " << view_name(v) << "\n" << format_violations(viol));
    CHECK(viol.empty());
  }
  JsonOptions focus;
  focus.view = View::Goroutine;
  focus.goid = m.fibers[m.fiber_index(m.fibers[0].id)].id;
  CHECK(validate_chrome_json(chrome_json(m, focus)).empty());
}

}  // namespace

TEST_CASE("daisy 3: golden facts") {
  golden_facts(3);
}
TEST_CASE("daisy 1000: golden facts") {
  golden_facts(1000);
}

TEST_CASE("daisy: stats --json and export through the CLI") {
  std::string path = trace_daisy(3);
  auto r = fttest::run(std::string(FT_CLI) + " stats --json " + path);
  REQUIRE(r.status == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["groups"]["pass"] == 3);
  CHECK(j["groups"]["sendFirst"] == 1);
  CHECK(j["fibers"] == 5);
  CHECK(j["events"].get<uint64_t>() > 0);
  CHECK(j["bytes"] == fttest::slurp(path).size());
  for (std::string view : {"proc", "thread", "goroutine"}) {
    std::string out = path + "." + view + ".json";
    REQUIRE(fttest::run(std::string(FT_CLI) + " export " + path + " --view=" + view + " -o " + out)
                .status == 0);
    auto viol = validate_chrome_json(fttest::slurp(out));
    INFO(view << "\n" << format_violations(viol));
    CHECK(viol.empty());
  }
  REQUIRE(
      fttest::run(std::string(FT_CLI) + " pprof " + path + " --profile=sync -o " + path + ".pb.gz")
          .status == 0);
  std::string pb = fttest::slurp(path + ".pb.gz");
  REQUIRE(pb.size() > 2);
  CHECK(uint8_t(pb[0]) == 0x1f);
}
