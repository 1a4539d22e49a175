#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>

#include "validate.hpp"

using ft::exporter::validate_chrome_json;

namespace {

// A small file that keeps every rule; each test case replaces or adds events to break one.
std::vector<std::string> base() {
  return {
      R"({"name":"process_name","ph":"M","ts":0.000,"pid":1,"tid":1,"args":{"name":"P"}})",
      R"({"name":"thread_sort_index","ph":"M","ts":0.000,"pid":1,"tid":1,"args":{"sort_index":0}})",
      R"({"name":"a","ph":"X","ts":1.000,"dur":5.000,"pid":1,"tid":1,"bind_id":1,"flow_out":true})",
      R"({"name":"G","ph":"C","ts":1.000,"pid":1,"tid":1,"cat":"s","args":{"x":1,"y":2}})",
      R"({"name":"t","ph":"b","ts":1.000,"pid":1,"tid":1,"cat":"task","id2":{"local":"0x1"}})",
      R"({"name":"b","ph":"X","ts":2.000,"dur":1.000,"pid":1,"tid":1})",
      R"({"name":"G","ph":"C","ts":2.000,"pid":1,"tid":1,"cat":"s","args":{"x":1,"y":3}})",
      R"({"name":"i","ph":"i","ts":2.500,"pid":1,"tid":1,"s":"t"})",
      R"({"name":"t","ph":"e","ts":3.000,"pid":1,"tid":1,"cat":"task","id2":{"local":"0x1"}})",
      R"({"name":"c","ph":"X","ts":7.000,"dur":1.000,"pid":1,"tid":2,"bind_id":1,"flow_in":true})",
  };
}

std::string doc(const std::vector<std::string>& ev, const std::string& unit = R"("ns")") {
  std::string s = R"({"displayTimeUnit":)" + unit + R"(,"traceEvents":[)";
  for (size_t i = 0; i < ev.size(); i++) s += (i ? ",\n" : "\n") + ev[i];
  return s + "]}";
}

std::set<std::string> rules(const std::string& text) {
  std::set<std::string> r;
  for (auto& v : validate_chrome_json(text, 100000)) r.insert(v.rule);
  return r;
}

std::set<std::string> with(size_t at, const std::string& event) {
  auto ev = base();
  ev[at] = event;
  return rules(doc(ev));
}

std::set<std::string> plus(const std::string& event) {
  auto ev = base();
  ev.push_back(event);
  return rules(doc(ev));
}

using S = std::set<std::string>;

}  // namespace

TEST_CASE("validator: the base file is clean") {
  CHECK(rules(doc(base())).empty());
}

TEST_CASE("validator: file-level rules") {
  CHECK(rules("{\"traceEvents\":[") == S{"json"});
  CHECK(rules("[]") == S{"top-level"});
  CHECK(rules(R"({"traceEvents":{}})") == S{"top-level"});
  CHECK(rules(doc(base(), R"("us")")) == S{"display-time-unit"});
  CHECK(rules(R"({"traceEvents":[]})") == S{"display-time-unit"});
  CHECK(rules(doc(base(), R"("ms")")).empty());
}

TEST_CASE("validator: event shape, phases, ts") {
  CHECK(plus("3") == S{"event"});
  CHECK(plus(R"({"ph":"i","ts":1.000,"pid":1,"tid":1})") == S{"event"});
  for (const char* ph : {"S", "F", "p", "O", "N", "D", "T", "Z"})
    CHECK(plus(std::string(R"({"name":"x","ph":")") + ph + R"(","ts":1.000,"pid":1,"tid":1})") ==
          S{"phase"});
  CHECK(with(0, R"({"name":"process_name","ph":"M","pid":1,"tid":1,"args":{"name":"P"}})") ==
        S{"ts"});
}

TEST_CASE("validator: time format is microseconds with exactly three decimals") {
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2,"dur":1.000,"pid":1,"tid":1})") == S{"time-format"});
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2.0,"dur":1.000,"pid":1,"tid":1})") ==
        S{"time-format"});
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2.000,"dur":0.99999999999,"pid":1,"tid":1})") ==
        S{"time-format"});
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2.000,"dur":1e0,"pid":1,"tid":1})") ==
        S{"time-format"});
}

TEST_CASE("validator: pid and tid are small positive integers") {
  CHECK(
      with(5, R"({"name":"b","ph":"X","ts":2.000,"dur":1.000,"pid":0,"tid":1})").count("pid-tid"));
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2.000,"dur":1.000,"pid":1,"tid":4294967296})")
            .count("pid-tid"));
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2.000,"dur":1.000,"pid":1,"tid":"1"})")
            .count("pid-tid"));
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2.000,"dur":1.000,"pid":1})").count("pid-tid"));
}

TEST_CASE("validator: X order, dur and nesting") {
  CHECK(plus(R"({"name":"z","ph":"X","ts":0.500,"dur":0.100,"pid":1,"tid":3})") == S{"x-order"});
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2.000,"pid":1,"tid":1})") == S{"x-dur"});
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2.000,"dur":-1.000,"pid":1,"tid":1})") == S{"x-dur"});
  // [2,7] sticks out of [1,6] on the same tid.
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2.000,"dur":5.000,"pid":1,"tid":1})") == S{"nesting"});
  // Same times on another tid are fine, and so are a touching neighbour and a zero-length child.
  CHECK(with(5, R"({"name":"b","ph":"X","ts":2.000,"dur":5.000,"pid":1,"tid":9})").empty());
  CHECK(plus(R"({"name":"n","ph":"X","ts":8.000,"dur":0.000,"pid":1,"tid":2})").empty());
  CHECK(plus(R"({"name":"n","ph":"X","ts":8.000,"dur":1.000,"pid":1,"tid":2})").empty());
}

TEST_CASE("validator: metadata events") {
  CHECK(
      with(
          0,
          R"({"name":"process_labels","ph":"M","ts":0.000,"pid":1,"tid":1,"args":{"labels":"x"}})") ==
      S{"metadata"});
  CHECK(with(0, R"({"name":"process_name","ph":"M","ts":0.000,"pid":1,"tid":1,"args":{}})") ==
        S{"metadata"});
  CHECK(
      with(
          1,
          R"({"name":"thread_sort_index","ph":"M","ts":0.000,"pid":1,"tid":1,"args":{"sort_index":"0"}})") ==
      S{"metadata"});
}

TEST_CASE("validator: counters keep their keys and cat, numbers only") {
  CHECK(with(6, R"({"name":"G","ph":"C","ts":2.000,"pid":1,"tid":1,"cat":"s","args":{"x":1}})") ==
        S{"counter"});
  CHECK(
      with(
          6,
          R"({"name":"G","ph":"C","ts":2.000,"pid":1,"tid":1,"cat":"s","args":{"x":1,"y":"3"}})") ==
      S{"counter"});
  CHECK(
      with(6,
           R"({"name":"G","ph":"C","ts":2.000,"pid":1,"tid":1,"cat":"t","args":{"x":1,"y":3}})") ==
      S{"counter"});
  CHECK(with(6, R"({"name":"G","ph":"C","ts":2.000,"pid":1,"tid":1,"args":{"x":1,"y":3}})") ==
        S{"counter"});
  // Another counter name may have other keys.
  CHECK(
      plus(R"({"name":"H","ph":"C","ts":2.000,"pid":1,"tid":1,"cat":"s","args":{"z":1}})").empty());
}

TEST_CASE("validator: flows") {
  auto base_in =
      R"({"name":"c","ph":"X","ts":7.000,"dur":1.000,"pid":1,"tid":2,"bind_id":1,"flow_in":true})";
  CHECK(with(9, R"({"name":"c","ph":"X","ts":7.000,"dur":1.000,"pid":1,"tid":2})") ==
        S{"flow"});  // never enters
  CHECK(
      with(
          9,
          R"({"name":"c","ph":"X","ts":7.000,"dur":1.000,"pid":1,"tid":2,"bind_id":2,"flow_in":true})") ==
      S{"flow"});
  CHECK(with(9, R"({"name":"c","ph":"X","ts":7.000,"dur":1.000,"pid":1,"tid":2,"bind_id":1})") ==
        S{"flow"});
  CHECK(
      with(
          9,
          R"({"name":"c","ph":"X","ts":7.000,"dur":1.000,"pid":1,"tid":2,"bind_id":0,"flow_in":true})") ==
      S{"flow"});
  CHECK(with(9, R"({"name":"c","ph":"i","ts":7.000,"pid":1,"tid":2,"bind_id":1,"flow_in":true})") ==
        S{"flow"});
  // Consumer before producer.
  CHECK(with(2, R"({"name":"a","ph":"X","ts":1.000,"dur":5.000,"pid":1,"tid":1})") == S{"flow"});
  CHECK(
      plus(
          R"({"name":"d","ph":"X","ts":8.000,"dur":1.000,"pid":1,"tid":2,"bind_id":1,"flow_in":true})") ==
      S{"flow"});
  auto early = base();
  early[9] = base_in;
  early.insert(
      early.begin() + 3,
      R"({"name":"z","ph":"X","ts":1.000,"dur":0.000,"pid":1,"tid":3,"bind_id":5,"flow_in":true})");
  early.push_back(
      R"({"name":"y","ph":"X","ts":9.000,"dur":0.000,"pid":1,"tid":3,"bind_id":5,"flow_out":true})");
  CHECK(rules(doc(early)) == S{"flow"});
}

TEST_CASE("validator: s/t/f flow events must lie strictly inside a slice") {
  CHECK(plus(R"({"name":"f","ph":"s","ts":8.500,"pid":1,"tid":2,"id":1})") == S{"flow-phase"});
  CHECK(plus(R"({"name":"f","ph":"s","ts":7.000,"pid":1,"tid":2,"id":1})") ==
        S{"flow-phase"});  // on the edge
  CHECK(plus(R"({"name":"f","ph":"s","ts":7.500,"pid":1,"tid":2,"id":1})").empty());
}

TEST_CASE("validator: async events") {
  CHECK(with(4, R"({"name":"t","ph":"b","ts":1.000,"pid":1,"tid":1,"id2":{"local":"0x1"}})") ==
        S{"async"});
  CHECK(with(4, R"({"name":"t","ph":"b","ts":1.000,"pid":1,"tid":1,"cat":"task","id":1})") ==
        S{"async"});
  CHECK(
      with(
          8,
          R"({"name":"t","ph":"e","ts":3.000,"pid":1,"tid":1,"cat":"task","id2":{"local":"0x2"}})") ==
      S{"async"});
}

TEST_CASE("validator: Go's own output for the daisy program breaks several rules") {
  std::ifstream f(FT_TEST_DATA "/go-tool-trace-daisy.json");
  REQUIRE(f);
  std::stringstream ss;
  ss << f.rdbuf();
  S r = rules(ss.str());
  CHECK(r.count("time-format"));  // 251.10199999999998
  CHECK(r.count("pid-tid"));      // pid 0, tid 0
  CHECK(r.count("flow-phase"));   // the arrow that starts outside any slice
}
