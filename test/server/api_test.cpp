// The viewer's API over hand-built models (the exporter tests' daisy script): routing, every
// endpoint's shape and figures, the window endpoint's merging, and 400s on bad parameters.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "client.hpp"
#include "script.hpp"
#include "server/api.hpp"
#include "test_server.hpp"

using namespace ft::exporter;
using ft::server::Api;
using ft::server::Request;
using ft::server::Response;
using fttest::EventType;
using json = nlohmann::json;

namespace {

Response get(Api& api, const std::string& target, bool gzip = false) {
  Request r;
  r.method = "GET";
  r.target = target;
  size_t q = target.find('?');
  r.path = target.substr(0, q);
  if (q != std::string::npos) {
    std::string_view rest(target);
    rest.remove_prefix(q + 1);
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view kv = rest.substr(0, amp);
      size_t eq = kv.find('=');
      r.query[std::string(kv.substr(0, eq))] =
          eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1));
      rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    }
  }
  r.accepts_gzip = gzip;
  Response out = api.handle(r);
  if (out.stream) {  // what the server would send, chunk by chunk, collected
    std::string body;
    out.stream([&](std::string_view b) {
      body.append(b);
      return true;
    });
    out.body = std::make_shared<const std::string>(std::move(body));
  }
  return out;
}

std::string header(const Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

json get_json(Api& api, const std::string& target) {
  Response r = get(api, target);
  INFO(target << " -> " << r.status << " " << (r.body ? *r.body : ""));
  REQUIRE(r.status == 200);
  REQUIRE(r.content_type == "application/json");
  return json::parse(*r.body);
}

int status(Api& api, const std::string& target) {
  return get(api, target).status;
}

Model train(int n, Ns len, Ns gap) {
  return fttest::train(n, len, gap, 0).build();
}

}  // namespace

TEST_CASE("api: meta and tracks of daisy") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"daisy.out"});
  json meta = get_json(api, "/api/meta");
  CHECK(meta["file"] == "daisy.out");
  CHECK(meta["fibers"] == 5);
  CHECK(meta["procs"] == json::array({0, 1}));
  CHECK(meta["flows"] == m.flows.size());
  CHECK(meta["end"] == m.end);
  CHECK(meta["funcs"][2] == "pass");

  json t = get_json(api, "/api/tracks");
  CHECK(t["view"] == "proc");
  REQUIRE(t["groups"].size() == 2);
  CHECK(t["groups"][0]["name"] == "STATS");
  std::vector<std::string> stats, procs;
  for (auto& tr : t["groups"][0]["tracks"]) stats.push_back(tr["name"]);
  for (auto& tr : t["groups"][1]["tracks"]) procs.push_back(tr["name"]);
  CHECK(stats == std::vector<std::string>{"Goroutines", "Heap", "Threads"});
  CHECK(procs == std::vector<std::string>{"Proc 0", "Proc 1"});
  CHECK(t["groups"][0]["tracks"][0]["keys"] ==
        json::array({"Running", "Runnable", "Waiting", "InSyscall"}));
  CHECK(t["groups"][0]["tracks"][0]["max"].get<int>() >= 1);

  json th = get_json(api, "/api/tracks?view=thread");
  CHECK(th["groups"][1]["name"] == "THREADS");
  json g = get_json(api, "/api/tracks?view=goroutine");
  CHECK(g["groups"][1]["tracks"].size() == 5);
  CHECK(g["groups"][1]["tracks"][1]["name"] == "G2 pass");
  // Focused on G3: it comes first, then those it touched (its creator main, G2 it woke, G4
  // that woke it).
  json f = get_json(api, "/api/tracks?view=goroutine&goid=3");
  auto& ft = f["groups"][1]["tracks"];
  REQUIRE(ft.size() >= 3);
  CHECK(ft[0]["goid"] == 3);
  CHECK(status(api, "/api/tracks?view=goroutine&goid=99") == 400);
  CHECK(status(api, "/api/tracks?view=sideways") == 400);
}

TEST_CASE("api: the window holds every slice, counter and flow of a wide view") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"daisy.out"});
  std::string all =
      "/api/window?tracks=c0,c2,c1,p0,p1&t0=0&t1=" + std::to_string(m.end) + "&width=1000";
  json w = get_json(api, all);
  REQUIRE(w["tracks"].size() == 5);
  CHECK(w["tracks"][0]["id"] == "c0");
  CHECK(w["tracks"][0]["samples"].size() == m.counters[kGoroutines].t.size());
  CHECK(w["tracks"][0]["samples"][0].size() == 5);  // t + 4 keys
  size_t slices = 0;
  for (int i = 3; i < 5; ++i)
    for (auto& s : w["tracks"][i]["slices"]) {
      CHECK(s[3] == 1);  // wide enough: nothing merged
      ++slices;
    }
  CHECK(slices == m.slices.size());
  // Every flow, with both ends on proc rows, arrow ends at the consumer's start.
  REQUIRE(w["flows"].size() == m.flows.size());
  for (auto& f : w["flows"]) {
    CHECK(f[2].get<std::string>()[0] == 'p');
    CHECK(f[4].get<std::string>()[0] == 'p');
    CHECK(f[3].get<Ns>() <= f[5].get<Ns>());
  }
  // Labels: fiber index -> [runtime id, function id, the model's label].
  REQUIRE(w["fibers"].size() == 5);
  for (auto& [index, f] : w["fibers"].items()) {
    uint32_t i = uint32_t(std::stoul(index));
    CHECK(f[0] == m.fibers[i].id);
    CHECK(f[2] == "G" + std::to_string(m.fibers[i].id) + " " + std::string(m.fiber_func(i)));
  }
}

TEST_CASE("api: the window merges slices narrower than a pixel") {
  Model m = train(1000, 10, 10);  // 20 µs of 10 ns slices
  Api api(m, {"train"});
  std::string range = "&t0=0&t1=" + std::to_string(m.end);
  json narrow = get_json(api, "/api/window?tracks=p0,g0" + range + "&width=100");
  for (auto& t : narrow["tracks"]) {
    uint64_t total = 0;
    REQUIRE(t["slices"].size() <= 200);
    for (auto& s : t["slices"]) total += s[3].get<uint64_t>();
    CHECK(total == 1000);  // merged, never dropped
    CHECK(t["slices"][0][3].get<int>() > 1);
    CHECK(t["slices"][0][4] == 0);  // a run of one fiber keeps it
  }
  // Zoomed in: each slice is its own item.
  json wide = get_json(api, "/api/window?tracks=p0&t0=100&t1=300&width=2000");
  REQUIRE(wide["tracks"][0]["slices"].size() == 11);
  for (auto& s : wide["tracks"][0]["slices"]) CHECK(s[3] == 1);
  CHECK(wide["nsPerPx"].get<double>() < 1);
}

TEST_CASE("api: the window merges arrows that fall on the same pixels, and omits them on request") {
  Model m = fttest::daisy(200).build();
  Api api(m, {"daisy.out"});
  std::string range = "&t0=0&t1=" + std::to_string(m.end);
  json wide = get_json(api, "/api/window?tracks=p0,p1" + range + "&width=20000");
  json narrow = get_json(api, "/api/window?tracks=p0,p1" + range + "&width=4");
  auto total = [](const json& w) {
    uint64_t n = 0;
    for (auto& f : w["flows"]) n += f[8].get<uint64_t>();
    return n;
  };
  // Every flow is represented at any zoom; at 4 pixels the 400 flows are a handful of arrows.
  CHECK(total(wide) == m.flows.size());
  CHECK(total(narrow) == m.flows.size());
  CHECK(narrow["flows"].size() <= 4 * 4 * 4);
  CHECK(narrow["flows"].size() < wide["flows"].size());
  json none = get_json(api, "/api/window?tracks=p0,p1" + range + "&width=4&flows=0");
  CHECK(none["flows"].empty());
  CHECK(none["tracks"] == narrow["tracks"]);
}

TEST_CASE("api: the window refuses bad parameters with 400") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"daisy.out"});
  CHECK(status(api, "/api/window?t0=0&t1=10&width=10") == 400);            // no tracks
  CHECK(status(api, "/api/window?tracks=x1&t0=0&t1=10&width=10") == 400);  // bad id
  CHECK(status(api, "/api/window?tracks=p9&t0=0&t1=10&width=10") == 400);  // no proc 9
  CHECK(status(api, "/api/window?tracks=c7&t0=0&t1=10&width=10") == 400);  // no counter 7
  CHECK(status(api, "/api/window?tracks=p0&t0=10&t1=5&width=10") == 400);  // t1 < t0
  CHECK(status(api, "/api/window?tracks=p0&t0=0&t1=10&width=0") == 400);   // no pixels
  CHECK(status(api, "/api/window?tracks=p0&t0=0&t1=10&width=99999") == 400);
  CHECK(status(api, "/api/window?tracks=p0&t0=-1&t1=10&width=10") == 400);
  CHECK(status(api, "/api/window?tracks=p0&t0=0&t1=1e9&width=10") == 400);
  CHECK(status(api, "/api/window?tracks=p0&t0=0&t1=10&width=10") == 200);
}

TEST_CASE("api: one window request cannot cost more than rows x width allow") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"daisy.out"});
  // The attack of repeating one row thousands of times at the widest width.
  std::string many = "c0";
  for (int i = 0; i < 3999; ++i) many += ",c0";
  Response r = get(api, "/api/window?tracks=" + many + "&t0=0&t1=1000000&width=20000");
  CHECK(r.status == 400);
  CHECK(r.body->find("listed twice") != std::string::npos);
  // Distinct rows, but more rows x pixels than the budget (2 000 000): refused before any
  // work, with the limit named. 100 rows x 20 000 px pass the budget (and then fail only
  // because this small model has no fiber 99).
  auto rows = [](int n) {
    std::string list = "g0";
    for (int i = 1; i < n; ++i) list += ",g" + std::to_string(i);
    return list;
  };
  Response over = get(api, "/api/window?tracks=" + rows(101) + "&t0=0&t1=1000&width=20000");
  CHECK(over.status == 400);
  CHECK(over.body->find("at most 2000000 (asked 101 x 20000)") != std::string::npos);
  Response within = get(api, "/api/window?tracks=" + rows(100) + "&t0=0&t1=1000&width=20000");
  CHECK(within.status == 400);
  CHECK(within.body->find("at most") == std::string::npos);
  CHECK(status(api, "/api/window?tracks=c0,c1,c2,p0&t0=0&t1=1000&width=20000") == 200);
}

TEST_CASE("api: slice details with stacks and flows to both ends") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"daisy.out"});
  uint32_t main_first = m.by_fiber.of(m.fiber_index(1))[0];
  json s = get_json(api, "/api/slice?i=" + std::to_string(main_first));
  CHECK(s["fiber"]["id"] == 1);
  CHECK(s["fiber"]["func"] == "main");
  CHECK(s["fiber"]["label"] == "G1 main");
  CHECK(s["end"] == "chan recv");
  REQUIRE(s["endStack"].size() == 2);
  CHECK(s["endStack"][1]["func"] == "main");
  CHECK(s["endStack"][1]["line"] == 27);
  // main created the three pass fibers and sendFirst in that slice.
  REQUIRE(s["flowsOut"].size() == 4);
  for (auto& f : s["flowsOut"]) {
    CHECK(f["kind"] == "go");
    CHECK(f["from"]["slice"] == main_first);
    CHECK(f["to"]["t0"].get<Ns>() >= f["t"].get<Ns>());
  }
  // The last slice of main was woken by G2 over channel 1 ("leftmost").
  uint32_t main_last = m.by_fiber.of(m.fiber_index(1))[1];
  json last = get_json(api, "/api/slice?i=" + std::to_string(main_last));
  REQUIRE(last["flowIn"].is_object());
  CHECK(last["flowIn"]["kind"] == "unblock");
  CHECK(last["flowIn"]["name"] == "chan recv");
  CHECK(last["flowIn"]["chanName"] == "leftmost");
  CHECK(last["flowIn"]["from"]["fiber"]["id"] == 2);
  CHECK(last["end"] == "end");

  CHECK(status(api, "/api/slice?i=" + std::to_string(m.slices.size())) == 400);
  CHECK(status(api, "/api/slice") == 400);
  CHECK(status(api, "/api/slice?i=abc") == 400);
}

TEST_CASE("api: counter breakdown at a moment, fiber lookup") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"daisy.out"});
  const Counter& g = m.counters[kGoroutines];
  REQUIRE(g.t.size() > 2);
  json c = get_json(api, "/api/counter?c=0&t=" + std::to_string(g.t[2]));
  CHECK(c["name"] == "Goroutines");
  CHECK(c["sampleT"] == g.t[2]);
  CHECK(c["values"]["Running"] == g.value(2, 0));
  CHECK(c["values"]["Runnable"] == g.value(2, 1));
  CHECK(status(api, "/api/counter?c=3&t=0") == 400);

  json f = get_json(api, "/api/fiber?id=5");
  CHECK(f["func"] == "sendFirst");
  CHECK(f["creator"]["id"] == 1);
  CHECK(f["ended"] == true);
  CHECK(status(api, "/api/fiber?id=77") == 400);
}

TEST_CASE("api: full Chrome JSON per view, cached, gzipped, downloadable") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"dir/daisy.out"});
  Response r = get(api, "/api/trace.json");
  REQUIRE(r.status == 200);
  json doc = json::parse(*r.body);
  size_t flow_out = 0;
  for (auto& e : doc["traceEvents"])
    if (e.contains("flow_out")) ++flow_out;
  CHECK(flow_out == m.flows.size());
  // Accepting gzip: the compressed document, built once and then served from the cache.
  Response gz = get(api, "/api/trace.json", true);
  REQUIRE(gz.gzip_body);
  CHECK(ft::test::gunzip(*gz.gzip_body) == *r.body);
  CHECK(get(api, "/api/trace.json", true).gzip_body == gz.gzip_body);
  Response dl = get(api, "/api/trace.json?download=1&view=thread");
  REQUIRE(dl.status == 200);
  CHECK(header(dl, "Content-Disposition") == "attachment; filename=\"daisy-thread.json\"");
  // Not cached: without gzip, and a focused view, are streamed from the model as they are sent.
  CHECK(r.stream);
  CHECK(get(api, "/api/trace.json").body != r.body);
  Response focused = get(api, "/api/trace.json?view=goroutine&goid=3");
  CHECK(focused.status == 200);
  CHECK(focused.stream);
  CHECK(json::parse(*focused.body)["traceEvents"].size() > 0);
  Response focused_gz = get(api, "/api/trace.json?view=goroutine&goid=3", true);
  CHECK(header(focused_gz, "Content-Encoding") == "gzip");
  CHECK(ft::test::gunzip(*focused_gz.body) == *focused.body);
  CHECK(status(api, "/api/trace.json?view=proc&goid=3") == 400);
  CHECK(status(api, "/api/trace.json?view=goroutine&goid=99") == 400);
}

TEST_CASE("api: the Perfetto trace per view, cached, downloadable, merged") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"dir/daisy.out"});
  Response r = get(api, "/api/trace.pftrace");
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/octet-stream");
  CHECK(*r.body == perfetto::perfetto_trace(m));
  CHECK(get(api, "/api/trace.pftrace").body == r.body);  // built once
  Response dl = get(api, "/api/trace.pftrace?download=1&view=thread");
  REQUIRE(dl.headers.size() == 1);
  CHECK(dl.headers[0].second == "attachment; filename=\"daisy-thread.pftrace\"");
  CHECK(get(api, "/api/trace.pftrace?view=goroutine&goid=3").status == 200);
  CHECK(status(api, "/api/trace.pftrace?view=proc&goid=3") == 400);
  CHECK(status(api, "/api/trace.pftrace?view=goroutine&goid=99") == 400);
  // Several traces: the merged timeline.
  Model b = fttest::daisy(5).build();
  std::vector<perfetto::Source> both{{&m, "daisy.out", 0}, {&b, "b.out", 10}};
  Api merged(m, {"daisy.out", both});
  StringSink want;
  perfetto::write_perfetto(both, {}, want);
  CHECK(*get(merged, "/api/trace.pftrace").body == want.str());
  CHECK(get_json(merged, "/api/meta")["traces"] == 2);
  CHECK(status(merged, "/api/trace.pftrace?view=goroutine&goid=3") == 400);
}

TEST_CASE("api: goroutine analysis, profiles, pprof, tasks") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"daisy.out"});
  json g = get_json(api, "/api/goroutines");
  uint32_t pass_func = 0;
  for (auto& x : g["groups"])
    if (x["name"] == "pass") {
      CHECK(x["n"] == 3);
      pass_func = x["func"];
    }
  REQUIRE(pass_func != 0);
  json p = get_json(api, "/api/goroutines?func=" + std::to_string(pass_func));
  REQUIRE(p["fibers"].size() == 3);
  CHECK(p["blockColumns"] == json::array({"chan recv"}));
  for (auto& f : p["fibers"]) {
    // The columns partition the lifetime.
    Ns sum = f["exec"].get<Ns>() + f["schedWait"].get<Ns>() + f["syscall"].get<Ns>() +
             f["unknown"].get<Ns>() + f["blockOther"].get<Ns>();
    for (auto& b : f["block"]) sum += b.get<Ns>();
    CHECK(sum == f["lifetime"].get<Ns>());
    CHECK(f["block"][0].get<Ns>() > 0);
  }
  CHECK(status(api, "/api/goroutines?func=999") == 400);

  json prof = get_json(api, "/api/profile?kind=sync");
  REQUIRE(prof["entries"].size() > 0);
  Ns total = 0;
  for (auto& e : prof["entries"]) total += e["total"].get<Ns>();
  CHECK(total == prof["total"].get<Ns>());
  CHECK(prof["entries"][0]["stack"][0]["func"].get<std::string>().find("Chan") !=
        std::string::npos);
  CHECK(status(api, "/api/profile?kind=cpu") == 400);

  Response pp = get(api, "/api/pprof?kind=sync");
  REQUIRE(pp.status == 200);
  CHECK(pp.content_type == "application/octet-stream");
  REQUIRE(pp.body->size() > 2);
  CHECK(static_cast<unsigned char>((*pp.body)[0]) == 0x1f);  // gzip
  CHECK(pp.headers[0].second == "attachment; filename=\"daisy-sync.pb.gz\"");

  json t = get_json(api, "/api/tasks");
  CHECK(t["taskTypes"].empty());
  CHECK(t["tasks"].empty());
}

TEST_CASE("api: user tasks and regions by name") {
  fttest::Script s;
  uint32_t fn = s.func("worker");
  uint32_t name = s.str("request"), region = s.str("parse");
  s.add(0, EventType::ProcStart, 0, 0, 0, 0);
  s.add(0, EventType::GoCreate, 0, 0, 1, fn);
  s.add(10, EventType::GoStart, 0, 0, 1);
  s.add(20, EventType::TaskCreate, 0, 0, 1, 7, 0, name);
  s.add(30, EventType::RegionBegin, 0, 0, 1, 7, region);
  s.add(70, EventType::RegionEnd, 0, 0, 1, 7, region);
  s.add(80, EventType::TaskEnd, 0, 0, 1, 7);
  s.add(90, EventType::GoEnd, 0, 0, 1);
  Model m = s.build();
  Api api(m, {"t"});
  json t = get_json(api, "/api/tasks");
  REQUIRE(t["taskTypes"].size() == 1);
  CHECK(t["taskTypes"][0]["name"] == "request");
  CHECK(t["taskTypes"][0]["total"] == 60);
  REQUIRE(t["regionTypes"].size() == 1);
  CHECK(t["regionTypes"][0]["name"] == "parse");
  CHECK(t["regionTypes"][0]["max"] == 40);
  REQUIRE(t["tasks"].size() == 1);
  CHECK(t["tasks"][0]["regions"][0]["name"] == "parse");
}

TEST_CASE("api: routing beside the static files") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"daisy.out"});
  CHECK(status(api, "/api/nope") == 404);
  CHECK(status(api, "/api/") == 404);
  CHECK(status(api, "/") == 200);
  CHECK(status(api, "/trace.html") == 200);
  CHECK(status(api, "/api/../index.html") == 404);
}

TEST_CASE("api over HTTP: concurrent window queries and gzip") {
  Model m = fttest::daisy(3).build();
  Api api(m, {"daisy.out"});
  ft::test::TestServer srv([&api](const Request& r) { return api.handle(r); });
  std::string target =
      "/api/window?tracks=c0,c2,c1,p0,p1&t0=0&t1=" + std::to_string(m.end) + "&width=1000";
  auto plain = ft::test::http_get(srv.port(), target);
  REQUIRE(plain.status == 200);
  auto gz = ft::test::http_get(srv.port(), target, {{"Accept-Encoding", "gzip"}});
  REQUIRE(gz.status == 200);
  CHECK(gz.header("content-encoding") == "gzip");
  CHECK(ft::test::gunzip(gz.body) == plain.body);
  std::vector<std::thread> ts;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i)
    ts.emplace_back([&] {
      for (int k = 0; k < 20; ++k)
        if (ft::test::http_get(srv.port(), target).body == plain.body) ++ok;
    });
  for (auto& t : ts) t.join();
  CHECK(ok == 160);
  CHECK(ft::test::http_get(srv.port(), "/api/window?tracks=p0", {}).status == 400);
}
