// The Perfetto export read back with our own decoder (decode.hpp): tracks, slices, flows,
// counters, tasks and names must equal the model's, for hand-built models and for every
// sample program traced for real (FT_SAMPLES_DIR), in every view. No byte-exact goldens.
#include <unistd.h>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "decode.hpp"
#include "exporter/load.hpp"
#include "exporter/perfetto/writer.hpp"
#include "exporter/rows.hpp"
#include "run.hpp"
#include "script.hpp"

using namespace ft::exporter;
namespace pft = fttest::pftrace;

namespace {

// The slice and row names are the model's labels, spelled out here so that a change to them
// shows.
std::string fiber_label(const Model& m, uint32_t f) {
  return "G" + std::to_string(m.fibers[f].id) + " " + std::string(m.fiber_func(f));
}

// Tracks whose parent is `parent`, by uuid.
std::vector<const pft::Track*> children(const pft::Trace& t, uint64_t parent) {
  std::vector<const pft::Track*> v;
  for (auto& [u, tr] : t.tracks)
    if (tr.parent == parent) v.push_back(&tr);
  return v;
}

// A stack as the decoder prints it: frames outermost first, named like the JSON's stackFrames.
std::string stack_text(const Model& m, uint32_t id) {
  if (id == 0 || id >= m.tables.stacks.size()) return "";
  std::string out;
  const auto& st = m.tables.stacks[id];
  for (size_t i = st.size(); i-- > 0;) {
    std::string name = st[i].func.empty() ? "?" : st[i].func;
    if (!st[i].file.empty()) {
      name += " " + st[i].file.substr(st[i].file.find_last_of('/') + 1);
      if (st[i].line) name += ":" + std::to_string(st[i].line);
    }
    out += (out.empty() ? "" : " > ") + name;
  }
  return out;
}

struct Expect {
  uint64_t slices = 0, flows = 0;
};

// Checks one trace's export (already decoded, under `root`: 0 for a single trace, else the
// trace's process track) against its model.
Expect check_against(const Model& m, const pft::Trace& t, View view, std::optional<uint64_t> goid,
                     uint64_t root, uint64_t flow_base,
                     std::map<uint64_t, std::pair<int, int>>& flow_ends) {
  Rows rows = make_rows(m, view, goid);
  static const char* rows_name[] = {"PROCS", "THREADS", "GOROUTINES"};
  const pft::Track* group = nullptr;
  const pft::Track* stats = nullptr;
  for (auto& [u, tr] : t.tracks) {
    if (root ? tr.parent != root : tr.pid < 0) continue;
    if (tr.name == rows_name[int(view)]) group = &tr;
    if (tr.name == "STATS") stats = &tr;
  }
  REQUIRE(group);
  REQUIRE(stats);
  CHECK(group->explicit_children);
  // Rows: the JSON's names and sort order.
  std::map<uint64_t, uint32_t> row_of_track;
  auto row_tracks = children(t, group->uuid);
  REQUIRE(row_tracks.size() == rows.rows.size());
  for (const pft::Track* tr : row_tracks) {
    auto it = std::find_if(rows.rows.begin(), rows.rows.end(),
                           [&](const Rows::Row& r) { return r.name == tr->name; });
    REQUIRE(it != rows.rows.end());
    CHECK(tr->rank == it->sort);
    row_of_track[tr->uuid] = uint32_t(it - rows.rows.begin() + 1);
  }

  // Slices on the rows, in the model's order.
  std::vector<int> dec;  // decoded index of each shown model slice
  for (size_t i = 0; i < t.slices.size(); i++)
    if (row_of_track.count(t.slices[i].track)) dec.push_back(int(i));
  std::vector<int> model_to_dec(m.slices.size(), -1);
  size_t k = 0;
  Expect e;
  for (uint32_t i = 0; i < m.slices.size(); i++) {
    const Slice& s = m.slices[i];
    uint32_t row = rows.slice(s);
    if (!row) continue;
    REQUIRE(k < dec.size());
    const pft::Slice& d = t.slices[dec[k]];
    model_to_dec[i] = dec[k++];
    INFO("slice " << i);
    CHECK(d.ended);
    CHECK(d.parent == -1);
    CHECK(row_of_track.at(d.track) == row);
    CHECK(d.name == fiber_label(m, s.fiber));
    CHECK(d.t0 == s.t0);
    CHECK(d.t1 == s.t1);
    CHECK(d.args.at("g") == std::to_string(m.fibers[s.fiber].id));
    CHECK(d.args.at("func") == m.fiber_func(s.fiber));
    CHECK(d.args.at("end") == slice_end_name(s.end, s.reason));
    CHECK(d.stack == stack_text(m, s.start_stack));
    CHECK(d.end_stack == stack_text(m, s.end_stack));
    e.slices++;
  }
  CHECK(k == dec.size());

  // Flows: the source is an instant inside the producing slice at the flow's time; the
  // woken slice terminates it.
  for (uint32_t i = 0; i < m.flows.size(); i++) {
    const Flow& f = m.flows[i];
    if (!rows.flow(m, f)) continue;
    e.flows++;
    auto it = flow_ends.find(flow_base + i + 1);
    INFO("flow " << i);
    REQUIRE(it != flow_ends.end());
    const pft::Instant& src = t.instants[it->second.first];
    CHECK(src.t == f.t_from);
    CHECK(src.name ==
          (f.kind == FlowKind::Create ? std::string("go") : std::string(reason_name(f.reason))));
    CHECK(src.args.at("g") == std::to_string(m.fibers[m.slices[f.to_slice].fiber].id));
    CHECK(src.parent == model_to_dec[f.from_slice]);
    CHECK(it->second.second == model_to_dec[f.to_slice]);
    flow_ends.erase(it);
  }

  // Counters: one track per key; a value at each sample where it changed.
  for (uint32_t c = 0; c < kCounters; c++) {
    const Counter& ctr = m.counters[c];
    for (size_t j = 0; j < ctr.keys.size(); j++) {
      const pft::Track* tr = nullptr;
      for (const pft::Track* x : children(t, stats->uuid))
        if (x->name == ctr.name + " " + ctr.keys[j]) tr = x;
      REQUIRE(tr);
      CHECK(tr->counter);
      std::vector<pft::CounterValue> want;
      for (size_t i = 0; i < ctr.t.size(); i++)
        if (i == 0 || ctr.value(i, j) != ctr.value(i - 1, j))
          want.push_back({ctr.t[i], ctr.value(i, j)});
      auto got =
          t.counters.count(tr->uuid) ? t.counters.at(tr->uuid) : std::vector<pft::CounterValue>{};
      REQUIRE(got.size() == want.size());
      for (size_t i = 0; i < want.size(); i++) {
        CHECK(got[i].t == want[i].t);
        CHECK(got[i].v == want[i].v);
      }
    }
  }

  // Tasks: a track per task under TASKS, the task as one slice on it.
  if (!m.tasks.empty()) {
    const pft::Track* tasks = nullptr;
    for (auto& [u, tr] : t.tracks)
      if (tr.name == "TASKS" && (root ? tr.parent == root : tr.pid >= 0)) tasks = &tr;
    REQUIRE(tasks);
    auto task_tracks = children(t, tasks->uuid);
    size_t n = 0;
    for (const Task& task : m.tasks) {
      for (const pft::Slice& s : t.slices) {
        if (std::none_of(task_tracks.begin(), task_tracks.end(),
                         [&](const pft::Track* x) { return x->uuid == s.track; }))
          continue;
        if (s.args.count("task") && s.args.at("task") == std::to_string(task.id)) {
          CHECK(s.t0 == task.t0);
          CHECK(s.t1 == task.t1);
          CHECK(s.name == (m.str(task.name).empty() ? "task" : m.str(task.name)));
          n++;
        }
      }
    }
    CHECK(n == m.tasks.size());
  }
  return e;
}

// Flow id -> (source instant, terminating slice), from the decoded trace.
std::map<uint64_t, std::pair<int, int>> flow_ends(const pft::Trace& t) {
  std::map<uint64_t, std::pair<int, int>> ends;
  for (size_t i = 0; i < t.instants.size(); i++)
    for (uint64_t id : t.instants[i].flows) {
      CHECK(!ends.count(id));
      ends[id] = {int(i), -1};
    }
  for (size_t i = 0; i < t.slices.size(); i++)
    for (uint64_t id : t.slices[i].terminating_flows) {
      REQUIRE(ends.count(id));
      CHECK(ends[id].second == -1);
      ends[id].second = int(i);
    }
  return ends;
}

// The three worked queries of docs/perfetto.md, evaluated over the decoded trace the way
// their SQL joins the trace processor's tables (slice, flow, args), and compared with the same
// figures computed from the model (its state spans, the source of `fibertrace stats` and the
// goroutine analysis). The trace processor cannot run here; this checks the queries' logic.
void check_queries(const Model& m, const pft::Trace& t, const Rows& rows) {
  // slice_in -> wake-up instant (flow.slice_out); a fiber's slices in time order (by arg g).
  std::map<uint64_t, int> term;
  for (size_t k = 0; k < t.slices.size(); k++)
    for (uint64_t id : t.slices[k].terminating_flows) term[id] = int(k);
  std::map<int, const pft::Instant*> wake;
  for (const pft::Instant& i : t.instants)
    for (uint64_t id : i.flows) wake[term.at(id)] = &i;
  std::map<std::string, std::vector<int>> by_g;
  for (size_t k = 0; k < t.slices.size(); k++)
    if (t.slices[k].parent == -1 && t.slices[k].args.count("func"))
      by_g[t.slices[k].args.at("g")].push_back(int(k));
  // 1. Time blocked per function: from a slice's end to the wake-up of the fiber's next slice
  //    (wake-ups named "go" are creations, not blocks).
  std::map<std::string, uint64_t> blocked, want_blocked;
  // 3. Runnable-to-running latency per worker: next slice's start minus its wake-up.
  std::map<std::string, uint64_t> latency, want_latency;
  for (auto& [g, ks] : by_g)
    for (size_t j = 0; j < ks.size(); j++) {
      auto w = wake.find(ks[j]);
      if (w == wake.end()) continue;
      const pft::Slice& n = t.slices[ks[j]];
      latency[t.tracks.at(n.track).name] += n.t0 - w->second->t;
      if (j > 0 && w->second->name != "go")
        blocked[n.args.at("func")] += w->second->t - t.slices[ks[j - 1]].t1;
    }
  // The model's side: the Blocked state span that each wake-up ended.
  for (const Flow& f : m.flows) {
    uint32_t fiber = m.slices[f.to_slice].fiber;
    if (f.kind != FlowKind::Unblock) continue;
    for (const StateSpan& sp : m.fiber_spans(fiber))
      if (sp.state == FiberState::Blocked && sp.t1 == f.t_from)
        want_blocked[std::string(m.fiber_func(fiber))] += sp.t1 - sp.t0;
  }
  for (const Slice& s : m.slices)
    if (s.flow_in != kNone)
      want_latency[rows.rows[rows.slice(s) - 1].name] += s.t0 - m.flows[s.flow_in].t_from;
  CHECK(blocked == want_blocked);
  CHECK(latency == want_latency);
  // 2. Longest handoff chain: flows joined consumer-to-producer (the source instant's parent).
  std::map<int, int> hops;
  int longest = 0;
  for (const pft::Instant& i : t.instants)  // instants are in time order, so producers first
    for (uint64_t id : i.flows) {
      int k = term.at(id);
      hops[k] = std::max(hops[k], hops[i.parent] + 1);
      longest = std::max(longest, hops[k]);
    }
  std::vector<int> len(m.slices.size(), 0);
  int want_longest = 0;
  for (const Flow& f : m.flows) {
    len[f.to_slice] = std::max(len[f.to_slice], len[f.from_slice] + 1);
    want_longest = std::max(want_longest, len[f.to_slice]);
  }
  CHECK(longest == want_longest);
}

void check_model(const Model& m, View view, std::optional<uint64_t> goid = {}) {
  for (bool compress : {true, false}) {
    perfetto::Options o;
    o.view = view;
    o.goid = goid;
    o.compress = compress;
    std::string bytes = perfetto::perfetto_trace(m, o);
    pft::Trace t = pft::decode(bytes);
    INFO("view " << view_name(view) << (compress ? " compressed" : " plain"));
    for (const std::string& e : t.errors) FAIL_CHECK(e);
    CHECK((t.compressed_packets > 0) == compress);
    auto ends = flow_ends(t);
    check_against(m, t, view, goid, 0, 0, ends);
    CHECK(ends.empty());  // no flow the model does not have
    if (view == View::Proc && m.slices.size() < 20000)
      check_queries(m, t, make_rows(m, view, goid));
  }
}

}  // namespace

TEST_CASE("perfetto: the daisy chain read back in every view") {
  Model m = fttest::daisy(5).build();
  REQUIRE(m.flows.size() > 5);
  for (View v : {View::Proc, View::Thread, View::Goroutine}) check_model(m, v);
  check_model(m, View::Goroutine, m.fibers[2].id);
}

TEST_CASE("perfetto: tasks, regions and logs") {
  fttest::Script s;
  uint32_t fn = s.func("worker");
  uint32_t task = s.str("job"), region = s.str("step"), cat = s.str("cat"), msg = s.str("hello");
  s.add(0, fttest::EventType::ProcStart, 3, 0, 0, 0);
  s.add(1, fttest::EventType::GoCreate, 3, 0, 10, fn);
  s.add(2, fttest::EventType::GoStart, 3, 0, 10);
  s.add(3, fttest::EventType::TaskCreate, 3, 0, 10, 7, 0, task);
  s.add(4, fttest::EventType::RegionBegin, 3, 0, 10, 7, region);
  s.add(4, fttest::EventType::RegionBegin, 3, 0, 10, 7, region);
  s.add(5, fttest::EventType::Log, 3, 0, 10, 7, cat, msg);
  s.add(6, fttest::EventType::RegionEnd, 3, 0, 10, 7, region);
  s.add(9, fttest::EventType::GoEnd, 3, 0, 10);
  Model m = s.build();
  check_model(m, View::Thread);
  pft::Trace t = pft::decode(perfetto::perfetto_trace(m));
  // The two regions nest on their fiber's region track, under the task's track.
  std::vector<const pft::Slice*> regions;
  for (const pft::Slice& x : t.slices)
    if (x.name == "step") regions.push_back(&x);
  REQUIRE(regions.size() == 2);
  CHECK(regions[0]->track == regions[1]->track);
  CHECK(regions[1]->parent >= 0);
  CHECK(t.tracks.at(t.tracks.at(regions[0]->track).parent).name == "job");
  bool logged = false;
  for (const pft::Instant& i : t.instants)
    if (i.name == "cat") logged = i.category == "cat" && i.args.at("message") == "hello";
  CHECK(logged);
}

TEST_CASE("perfetto: an unknown --goid is refused") {
  Model m = fttest::daisy(2).build();
  perfetto::Options o;
  o.view = View::Goroutine;
  o.goid = 999;
  CHECK_THROWS_AS(perfetto::perfetto_trace(m, o), std::invalid_argument);
}

TEST_CASE("perfetto: two traces merged have exactly the slices and flows of both") {
  Model a = fttest::daisy(3).build(), b = fttest::daisy(6).build();
  a.tables.pid = 41, b.tables.pid = 41;  // equal pids must still give two processes
  a.tables.argv = {"daisy", "3"};
  perfetto::Source src[2] = {{&a, "a.out", 0}, {&b, "b.out", 1000}};
  StringSink out;
  perfetto::write_perfetto(src, {}, out);
  pft::Trace t = pft::decode(out.str());
  for (const std::string& e : t.errors) FAIL_CHECK(e);
  std::vector<const pft::Track*> procs;
  for (auto& [u, tr] : t.tracks)
    if (tr.pid >= 0) procs.push_back(&tr);
  REQUIRE(procs.size() == 2);
  CHECK(procs[0]->pid != procs[1]->pid);
  const pft::Track* pa = t.track_named("a.out (pid 41)");
  const pft::Track* pb = t.track_named("b.out (pid 41)");
  REQUIRE(pa);
  REQUIRE(pb);
  CHECK(pa->cmdline == a.tables.argv);
  // b's timestamps are shifted by its offset.
  Model b_shifted = b;
  for (Slice& s : b_shifted.slices) s.t0 += 1000, s.t1 += 1000;
  // Flow ids are global: b's follow a's.
  auto ends_a = flow_ends(t), ends_b = ends_a;
  std::erase_if(ends_a, [&](auto& e) { return e.first > a.flows.size(); });
  std::erase_if(ends_b, [&](auto& e) { return e.first <= a.flows.size(); });
  Expect ea = check_against(a, t, View::Proc, {}, pa->uuid, 0, ends_a);
  CHECK(ends_a.empty());
  CHECK(ea.slices == a.slices.size());
  CHECK(ea.flows == a.flows.size());
  for (Flow& f : b_shifted.flows) f.t_from += 1000;
  for (auto& c : b_shifted.counters)
    for (Ns& x : c.t) x += 1000;
  for (Task& x : b_shifted.tasks) x.t0 += 1000, x.t1 += 1000;
  Expect eb = check_against(b_shifted, t, View::Proc, {}, pb->uuid, a.flows.size(), ends_b);
  CHECK(ends_b.empty());
  CHECK(eb.slices == b.slices.size());
  CHECK(eb.flows == b.flows.size());
}

#ifdef FT_SAMPLES_DIR
// Every sample program, traced for real, exported in every view and read back.
TEST_CASE("perfetto: every sample, every view") {
  namespace fs = std::filesystem;
  int n = 0;
  for (const auto& ent : fs::directory_iterator(FT_SAMPLES_DIR)) {
    std::string name = ent.path().filename().string();
    if (!ent.is_regular_file() || ::access(ent.path().c_str(), X_OK) != 0 ||
        name.find('.') != std::string::npos)
      continue;
    std::string trace = "/tmp/ft_perfetto_test_" + name + "_" + std::to_string(getpid()) + ".out";
    fttest::run("FT_TRACE=" + trace + " FT_MAXPROCS=2 " + ent.path().string() + " >/dev/null");
    Model m;
    try {
      m = load_trace_file(trace);
    } catch (const std::exception& e) {
      FAIL_CHECK(name << ": " << e.what());
      continue;
    }
    std::remove(trace.c_str());
    if (m.events == 0) continue;
    INFO("sample " << name);
    for (View v : {View::Proc, View::Thread, View::Goroutine}) check_model(m, v);
    n++;
  }
  CHECK(n >= 5);
}
#endif

#ifdef FT_PROTOC
// Debian's protoc, with our own minimal schema of the fields we emit, parses the export: the
// wire format is checked by a decoder that is not ours. Every field must be one the schema
// names (protoc prints unknown fields by number), and the counts must be the model's.
TEST_CASE("perfetto: protoc decodes the export with our schema") {
  Model m = fttest::daisy(4).build();
  perfetto::Options o;
  o.compress = false;
  std::string path = "/tmp/ft_perfetto_protoc_" + std::to_string(getpid()) + ".pftrace";
  {
    StringSink s;
    perfetto::Source src{&m, "daisy", 0};
    perfetto::write_perfetto(std::span<const perfetto::Source>(&src, 1), o, s);
    std::FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f);
    std::fwrite(s.str().data(), 1, s.str().size(), f);
    std::fclose(f);
  }
  std::string dir = FT_PERFETTO_SCHEMA_DIR;
  auto r = fttest::run(std::string(FT_PROTOC) + " --proto_path=" + dir + " --decode=fttest.Trace " +
                       dir + "/fibertrace_perfetto.proto < " + path);
  std::remove(path.c_str());
  REQUIRE(r.status == 0);
  std::map<std::string, int> count;
  size_t unknown = 0, pos = 0;
  while (pos < r.out.size()) {
    size_t eol = r.out.find('\n', pos);
    if (eol == std::string::npos) eol = r.out.size();
    std::string line = r.out.substr(pos, eol - pos);
    pos = eol + 1;
    size_t b = line.find_first_not_of(' ');
    if (b == std::string::npos) continue;
    line = line.substr(b);
    if (std::isdigit(static_cast<unsigned char>(line[0]))) unknown++;
    count[line]++;
    count[line.substr(0, line.find(':'))]++;
  }
  CHECK(unknown == 0);
  CHECK(count["type: 1"] == int(m.slices.size()));
  CHECK(count["type: 2"] == int(m.slices.size()));
  CHECK(count["flow_ids"] == int(m.flows.size()));
  CHECK(count["terminating_flow_ids"] == int(m.flows.size()));
  CHECK(count["sequence_flags: 1"] == 1);
  CHECK(count["track_descriptor {"] >= int(m.procs.size()) + 2);
  CHECK(count["name: \"G2 pass\""] == 1);  // interned once, referred to by iid after
}
#endif
