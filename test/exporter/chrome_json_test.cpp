#include <catch2/catch.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "chrome_json.hpp"
#include "script.hpp"
#include "validate.hpp"

using namespace ft::exporter;
using nlohmann::json;

namespace {

json export_json(const Model& m, JsonOptions o = {}) {
  std::string s = chrome_json(m, o);
  auto v = validate_chrome_json(s);
  INFO(format_violations(v));
  CHECK(v.empty());
  return json::parse(s);
}

std::vector<json> events_where(const json& j, const std::string& ph) {
  std::vector<json> v;
  for (const json& e : j["traceEvents"])
    if (e["ph"] == ph) v.push_back(e);
  return v;
}

}  // namespace

TEST_CASE("json proc view: rows, slices, counters") {
  Model m = fttest::daisy(3).build();
  json j = export_json(m);
  CHECK(j["displayTimeUnit"] == "ns");
  std::map<std::pair<int, int>, std::string> names;
  for (const json& e : events_where(j, "M"))
    if (e["name"] == "thread_name" || e["name"] == "process_name")
      names[{e["pid"], e["tid"]}] += e["args"]["name"].get<std::string>() + ";";
  CHECK(names[{kStatsPid, 1}] == "STATS;");
  CHECK(names[{kRowsPid, 1}] == "PROCS;Proc 0;");
  CHECK(names[{kRowsPid, 2}] == "Proc 1;");
  auto xs = events_where(j, "X");
  std::multiset<std::string> slice_names;
  for (const json& x : xs)
    if (!x.contains("args") || !x["args"].contains("func"))
      continue;
    else
      slice_names.insert(x["name"]);
  CHECK(slice_names.count("G1 main") == 2);
  CHECK(slice_names.count("G2 pass") == 2);
  CHECK(slice_names.count("G5 sendFirst") == 1);
  // The first main slice: ends blocked on chan recv, with stacks through stackFrames.
  const json* main0 = nullptr;
  for (const json& x : xs)
    if (x["name"] == "G1 main") {
      main0 = &x;
      break;
    }
  REQUIRE(main0);
  CHECK((*main0)["args"]["end"] == "chan recv");
  CHECK((*main0)["args"]["g"] == 1);
  CHECK((*main0)["ts"].get<double>() == 0.0);
  REQUIRE(main0->contains("esf"));
  std::string esf = std::to_string((*main0)["esf"].get<int>());
  REQUIRE(j["stackFrames"].contains(esf));
  CHECK(j["stackFrames"][esf]["name"] == "ft::Chan<int>::recv chan.hpp:80");
  std::string parent = std::to_string(j["stackFrames"][esf]["parent"].get<int>());
  CHECK(j["stackFrames"][parent]["name"] == "main daisy.cpp:27");
  CHECK_FALSE(j["stackFrames"][parent].contains("parent"));
  // Counters: one series each, every sample with every key.
  std::map<std::string, int> counters;
  for (const json& c : events_where(j, "C")) {
    counters[c["name"]]++;
    CHECK(c["cat"] == "stats");
    if (c["name"] == "Goroutines") CHECK(c["args"].size() == 4);
    if (c["name"] == "Threads") CHECK(c["args"].size() == 2);
  }
  CHECK(counters["Goroutines"] == int(m.counters[kGoroutines].t.size()));
  CHECK(counters["Heap"] == 1);
  // Instants: proc start/stop and main's syscall.
  std::multiset<std::string> inst;
  for (const json& i : events_where(j, "i")) inst.insert(i["name"]);
  CHECK(inst.count("proc start") == 2);
  CHECK(inst.count("proc stop") == 2);
  CHECK(inst.count("syscall") == 1);
}

TEST_CASE("json flows: one arrow per creation and per handoff, bound to X slices") {
  Model m = fttest::daisy(3).build();
  for (View v : {View::Proc, View::Thread, View::Goroutine}) {
    JsonOptions o;
    o.view = v;
    json j = export_json(m, o);
    std::map<int, json> out, in;
    for (const json& x : events_where(j, "X")) {
      if (!x.contains("bind_id")) continue;
      (x.value("flow_out", false) ? out : in)[x["bind_id"]] = x;
    }
    CHECK(out.size() == 8);
    CHECK(in.size() == 8);
    int go = 0, recv = 0;
    for (auto& [id, src] : out) {
      REQUIRE(in.count(id));
      CHECK(src["dur"].get<double>() == 0.0);  // the zero-length source inside the producer
      if (src["name"] == "go") go++;
      if (src["name"] == "chan recv") {
        recv++;
        CHECK(src["args"].contains("chan"));
      }
      CHECK(in[id]["ts"].get<double>() >= src["ts"].get<double>());
    }
    CHECK(go == 4);
    CHECK(recv == 4);
  }
  // The arrow into main names its channel.
  json j = export_json(m);
  bool named = false;
  for (const json& x : events_where(j, "X"))
    if (x.value("flow_out", false) && x["args"].value("chan_name", "") == "leftmost") named = true;
  CHECK(named);
}

TEST_CASE("json goroutine view: a row per fiber; --goid keeps the focus and its partners") {
  Model m = fttest::daisy(3).build();
  JsonOptions o;
  o.view = View::Goroutine;
  json j = export_json(m, o);
  std::set<std::string> rows;
  for (const json& e : events_where(j, "M"))
    if (e["name"] == "thread_name") rows.insert(e["args"]["name"]);
  CHECK(rows == std::set<std::string>{"G1 main", "G2 pass", "G3 pass", "G4 pass", "G5 sendFirst"});
  for (const json& x : events_where(j, "X"))
    if (x["args"].contains("func"))
      CHECK(x["tid"].get<uint32_t>() == m.fiber_index(x["args"]["g"]) + 1);

  // G3 was created by main, woken by G4, and woke G2.
  o.goid = 3;
  json f = export_json(m, o);
  rows.clear();
  for (const json& e : events_where(f, "M"))
    if (e["name"] == "thread_name") rows.insert(e["args"]["name"]);
  CHECK(rows == std::set<std::string>{"G1 main", "G2 pass", "G3 pass", "G4 pass"});
  o.goid = 12345;
  CHECK_THROWS_AS(chrome_json(m, o), std::invalid_argument);
}

TEST_CASE("json thread view and user annotations") {
  fttest::Script s;
  uint32_t fn = s.func("worker");
  uint32_t task = s.str("job"), region = s.str("step \"quoted\"\n"), cat = s.str("cat"),
           msg = s.str("h\xff\x01llo");
  s.add(0, fttest::EventType::ProcStart, 3, 0, 0, 0);
  s.add(1, fttest::EventType::GoCreate, 3, 0, 10, fn);
  s.add(2, fttest::EventType::GoStart, 3, 0, 10);
  s.add(3, fttest::EventType::TaskCreate, 3, 0, 10, 7, 0, task);
  s.add(4, fttest::EventType::RegionBegin, 3, 0, 10, 7, region);
  s.add(4, fttest::EventType::RegionBegin, 3, 0, 10, 7, region);
  s.add(5, fttest::EventType::Log, 3, 0, 10, 7, cat, msg);
  s.add(6, fttest::EventType::RegionEnd, 3, 0, 10, 7, region);
  s.add(9, fttest::EventType::GoEnd, 3, 0, 10);  // outer region and task left open
  Model m = s.build();
  JsonOptions o;
  o.view = View::Thread;
  json j = export_json(m, o);
  bool thread3 = false;
  for (const json& e : events_where(j, "M"))
    if (e["name"] == "thread_name" && e["args"]["name"] == "Thread 3") thread3 = e["tid"] == 4;
  CHECK(thread3);
  auto b = events_where(j, "b"), e = events_where(j, "e");
  CHECK(b.size() == 3);  // task + 2 regions, all closed by the end
  CHECK(e.size() == 3);
  for (const json& x : b) CHECK(x["pid"] == kTasksPid);
  auto logs = events_where(j, "i");
  bool found = false;
  for (const json& l : logs)
    if (l["name"] == "cat") found = l["args"]["message"] == "h\xef\xbf\xbd\x01llo";
  CHECK(found);
}

TEST_CASE("json: ts and dur are exact microseconds from nanoseconds") {
  fttest::Script s;
  uint32_t fn = s.func("f");
  s.add(0, fttest::EventType::ProcStart, 0, 0, 0, 0);
  s.add(1, fttest::EventType::GoCreate, 0, 0, 1, fn);
  s.add(1234567891, fttest::EventType::GoStart, 0, 0, 1);
  s.add(1234567891 + 1001, fttest::EventType::GoEnd, 0, 0, 1);
  std::string out = chrome_json(s.build());
  CHECK(out.find("\"ts\":1234567.891,\"dur\":1.001") != std::string::npos);
  CHECK(validate_chrome_json(out).empty());
}

TEST_CASE("json: an empty model is still a valid file") {
  std::string out = chrome_json(fttest::Script().build());
  CHECK(validate_chrome_json(out).empty());
  json j = json::parse(out);
  CHECK(j["traceEvents"].size() == 4);  // the two process names and sort indices
}
