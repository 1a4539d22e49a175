// The fibertrace executable on bad input and bad usage: exit codes 1 (usage) and 2 (bad
// trace), clear messages, never a crash. Traces are written by hand (header bytes) or taken
// from a traced daisy run when the sample is built.
#include <catch2/catch.hpp>
#include <fstream>
#include <random>

#include "hostile.hpp"
#include "run.hpp"

namespace {

const std::string kCli = FT_CLI;
const std::string kTmp = FT_BINARY_DIR "/test/exporter/cli_tmp";

std::string tmp(const std::string& name, const std::string& bytes) {
  std::system(("mkdir -p " + kTmp).c_str());
  std::string p = kTmp + "/" + name;
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

}  // namespace

TEST_CASE("cli: usage errors exit 1 with a message") {
  struct Case {
    std::string args, says;
  };
  std::string any = tmp("any.trace", "x");
  for (const Case& c : std::vector<Case>{
           {"", "usage: fibertrace"},
           {"frobnicate", "unknown command 'frobnicate'"},
           {"export", "missing TRACE"},
           {"export " + any + " --bogus", "unrecognised option '--bogus'"},
           {"export " + any + " --view=sideways", "--view must be proc, thread or goroutine"},
           {"export " + any + " --goid=x", "--goid"},
           {"export " + any + " --goid=3 --view=thread", "--goid shows the goroutine view"},
           {"export " + any + " -o", "-o"},
           {"stats " + any + " " + any, "too many positional"},
           {"pprof " + any + " -o x.pb.gz", "--profile"},
           {"pprof " + any + " --profile=heap -o x.pb.gz", "--profile must be sync"},
           {"pprof " + any + " --profile=sync", "--output"},
           {"export " + any + " --format=xml", "--format must be json or perfetto"},
           {"export " + any + " --align=later -o x.pftrace", "--align must be wall or zero"},
           {"export " + any + " " + any + " -o x.json", "Perfetto format only"},
           {"export " + any + " " + any + " --goid=2 -o x.pftrace", "cannot go with several"},
       }) {
    INFO(c.args);
    auto r = fttest::run(kCli + " " + c.args);
    CHECK(r.status == 1);
    CHECK(r.out.find(c.says) != std::string::npos);
  }
}

TEST_CASE("cli: --help on every command exits 0") {
  for (std::string cmd : {"", "export ", "stats ", "pprof ", "events "}) {
    auto r = fttest::run(kCli + " " + cmd + "--help");
    INFO(cmd);
    CHECK(r.status == 0);
    CHECK(r.out.find("usage: fibertrace") != std::string::npos);
  }
  CHECK(fttest::run(kCli + " help export").out.find("--view") != std::string::npos);
}

TEST_CASE("cli: bad traces exit 2 with a clear message") {
  std::mt19937 rng(42);
  std::string random(4096, '\0');
  for (char& c : random) c = char(rng());
  struct Case {
    std::string name, bytes, says;
  };
  for (const Case& c : std::vector<Case>{
           {"empty.trace", "", "empty trace"},
           {"magic.trace", "NOTATRACE-----------------------", "byte offset 0"},
           {"random.trace", random, "byte offset"},
           {"short.trace", "FIB", "byte offset"},
       }) {
    std::string p = tmp(c.name, c.bytes);
    for (std::string cmd : {"export ", "stats --json ", "pprof --profile=sync -o /dev/null "}) {
      INFO(cmd << c.name);
      auto r = fttest::run(kCli + " " + cmd + p);
      CHECK(r.status == 2);
      CHECK(r.out.find(c.says) != std::string::npos);
      CHECK(r.out.find("fibertrace") == 0);  // one clear line, not a crash dump
    }
  }
  auto r = fttest::run(kCli + " export " + kTmp + "/does-not-exist.trace");
  CHECK(r.status == 2);
  CHECK(r.out.find("No such file") != std::string::npos);
  r = fttest::run(kCli + " stats - < /dev/null");
  CHECK(r.status == 2);
  CHECK(r.out.find("empty trace") != std::string::npos);
}

#ifdef FT_DAISY
TEST_CASE("cli: a newer version, truncation and --partial on a real trace") {
  std::string trace = kTmp + "/daisy3.trace";
  std::system(("mkdir -p " + kTmp).c_str());
  REQUIRE(fttest::run("{ " + std::string(FT_DAISY) + " 3 > " + trace + "; }").status == 0);
  std::string bytes = fttest::slurp(trace);
  REQUIRE(bytes.size() > 64);
  REQUIRE(fttest::run(kCli + " export " + trace + " -o /dev/null").status == 0);

  // The version field follows the 8-byte magic (docs/trace-format.md): make it far newer.
  std::string newer = bytes;
  newer[8] = char(0x7f);
  auto r = fttest::run(kCli + " stats " + tmp("newer.trace", newer));
  CHECK(r.status == 2);
  CHECK(r.out.find("version") != std::string::npos);

  // Cut at many places: always exit 2 without --partial; with it, either 0 (some events) or 2.
  for (size_t cut = 9; cut < bytes.size(); cut += bytes.size() / 23 + 1) {
    std::string p = tmp("cut.trace", bytes.substr(0, cut));
    INFO("cut at " << cut);
    auto full = fttest::run(kCli + " export " + p + " -o /dev/null");
    CHECK(full.status == 2);
    CHECK(full.out.find("byte offset") != std::string::npos);
    auto part = fttest::run(kCli + " export --partial " + p + " -o " + kTmp + "/cut.json");
    CHECK((part.status == 0 || part.status == 2));
  }
  // stdin and stdout as '-'.
  r = fttest::run(kCli + " export - -o - < " + trace + " | head -c 40");
  CHECK(r.out.find("{\"displayTimeUnit\":\"ns\"") == 0);
}
#endif

#ifdef FT_DAISY
// The format follows the output's extension unless --format says it; several traces merge.
TEST_CASE("cli: export formats by extension, gzip, merged Perfetto traces") {
  std::system(("mkdir -p " + kTmp).c_str());
  std::string a = kTmp + "/fa.trace", b = kTmp + "/fb.trace";
  // Braces: run() adds 2>&1, which must not send daisy's stderr into the trace.
  REQUIRE(fttest::run("{ " + std::string(FT_DAISY) + " 3 > " + a + "; }").status == 0);
  REQUIRE(fttest::run("{ " + std::string(FT_DAISY) + " 5 > " + b + "; }").status == 0);
  auto head = [](const std::string& p, size_t n) { return fttest::slurp(p).substr(0, n); };
  REQUIRE(fttest::run(kCli + " export " + a + " -o " + kTmp + "/o.pftrace").status == 0);
  CHECK(head(kTmp + "/o.pftrace", 1) == "\x0a");  // Trace.packet, length-delimited
  REQUIRE(fttest::run(kCli + " export " + a + " -o " + kTmp + "/o.perfetto-trace").status == 0);
  CHECK(fttest::slurp(kTmp + "/o.perfetto-trace") == fttest::slurp(kTmp + "/o.pftrace"));
  REQUIRE(fttest::run(kCli + " export " + a + " -o " + kTmp + "/o.json.gz").status == 0);
  CHECK(head(kTmp + "/o.json.gz", 2) == "\x1f\x8b");
  REQUIRE(fttest::run(kCli + " export " + a + " --format=json -o " + kTmp + "/j.pftrace").status ==
          0);
  CHECK(head(kTmp + "/j.pftrace", 1) == "{");
  auto r = fttest::run(kCli + " export " + a + " --format=perfetto -o - | head -c 1");
  CHECK(r.out == "\x0a");
  // Merged (its content is checked by exporter_perfetto_test): larger than either trace.
  REQUIRE(fttest::run(kCli + " export " + a + " " + b + " -o " + kTmp + "/m.pftrace").status == 0);
  REQUIRE(fttest::run(kCli + " export " + b + " -o " + kTmp + "/b.pftrace").status == 0);
  CHECK(fttest::slurp(kTmp + "/m.pftrace").size() > fttest::slurp(kTmp + "/b.pftrace").size());
  REQUIRE(fttest::run(kCli + " export " + a + " " + b + " --align=zero -o " + kTmp + "/z.pftrace")
              .status == 0);
}
#endif

TEST_CASE("cli: a non-UTF-8 function name reads the same in stats --json and export") {
  // One fiber whose start function is named by invalid UTF-8: a stray continuation byte, a
  // cut 3-byte sequence, then valid text.
  namespace fmt = ft::trace::fmt;
  fthostile::Builder b;
  std::string funcs;
  fthostile::uv(funcs, 1);
  std::string name = "\x80go\xe2\x82!";
  fthostile::uv(funcs, name.size());
  funcs += name;
  if (fmt::kVersion >= 2) fthostile::uv(funcs, 0);  // entry address: none (a lambda)
  b.chunk(fmt::kFuncs, funcs);
  std::string ev;
  ev += char(fmt::kProcStart);
  fthostile::uv(ev, 1);
  fthostile::uv(ev, 0);
  ev += char(fmt::kGoCreate);
  fthostile::uv(ev, 1);
  fthostile::uv(ev, fmt::zigzag(5));  // fiber 5
  fthostile::uv(ev, 1);               // function 1
  ev += char(fmt::kGoStart | 1);      // fiber 5 runs (the fiber last named)
  fthostile::uv(ev, 1);
  ev += char(fmt::kGoEnd);
  fthostile::uv(ev, 1);
  b.events(1, ev);
  std::string p = tmp("nonutf8.trace", b.finish());
  const std::string want = "\xef\xbf\xbdgo\xef\xbf\xbd\xef\xbf\xbd!";  // one U+FFFD per bad byte
  auto stats = fttest::run(kCli + " stats --json " + p);
  INFO(stats.out);
  REQUIRE(stats.status == 0);
  CHECK(stats.out.find("\"" + want + "\": 1") != std::string::npos);
  auto exp = fttest::run(kCli + " export " + p);
  REQUIRE(exp.status == 0);
  CHECK(exp.out.find(want) != std::string::npos);
  CHECK(exp.out.find(name) == std::string::npos);
}
