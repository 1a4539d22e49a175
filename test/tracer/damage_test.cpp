// The reader on damaged input: every truncation of a small trace, random corruption (with and
// without repaired checksums, so the event decoder itself sees garbage), pure garbage, and a
// trace from a newer format version. Labelled "unit": it runs in the ASan+UBSan build too.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>
#include <random>
#include <thread>

#include "trace_util.hpp"
#include "tracer/format.hpp"
#include "tracer/record.hpp"

using namespace ft::trace;
using ft_test::read_bytes;

namespace {

const StartFn kFn{nullptr, "int main()", "t.cpp", 5};

std::vector<std::byte> small_trace() {
  return ft_test::capture([] {
    std::thread th([] {
      rec::proc_start(0);
      rec::chan_name(1, "chan-one");
      for (uint64_t i = 0; i < 40; i++) {
        rec::go_create(100 + i, &kFn);
        rec::go_start(100 + i, nullptr, nullptr);
        rec::go_unblock(99, Block::ChanSend, 1);
        rec::go_block(Block::ChanRecv, 1);
      }
      Task t("task");
      Region r(t, "region");
      log(t, "cat", "message");
      rec::proc_stop(0);
    });
    th.join();
  });
}

// Re-computes every chunk checksum it can find, so corruption reaches the payload decoders.
void fix_checksums(std::vector<std::byte>& d) {
  auto* p = reinterpret_cast<uint8_t*>(d.data());
  size_t off = fmt::kHeaderBytes, n = d.size();
  if (n >= fmt::kHeaderBytes) fmt::put_u32(p + 48, fmt::crc32c(0, p, 48));
  while (off + fmt::kChunkHeaderBytes <= n) {
    uint32_t len = fmt::get_u32(p + off + 1);
    if (len > n - off - fmt::kChunkHeaderBytes) break;
    uint32_t c = fmt::crc32c(fmt::crc32c(0, p + off, 5), p + off + 9, len);
    fmt::put_u32(p + off + 5, c);
    off += fmt::kChunkHeaderBytes + len;
  }
}

// Checks the invariants every read must keep, damaged or not.
void check_sane(const ft_test::Read& r) {
  const Tables& t = r.tables;
  REQUIRE(r.res.events == r.events.size());
  REQUIRE(!t.strings.empty());
  REQUIRE(!t.funcs.empty());
  REQUIRE(!t.stacks.empty());
  for (const Event& e : r.events) {
    REQUIRE(e.stack < t.stacks.size());
    if (e.type == EventType::GoCreate || e.type == EventType::GoStatus)
      REQUIRE(e.start_fn() < t.funcs.size());
    if (e.type == EventType::Log) REQUIRE(e.message() < t.strings.size());
    if (e.type == EventType::RegionBegin || e.type == EventType::ChanName)
      REQUIRE(e.name() < t.strings.size());
  }
  if (!r.res.ok) {
    REQUIRE(!r.res.error.empty());
    REQUIRE(r.res.error_offset <= r.res.bytes);
  }
}

}  // namespace

TEST_CASE("a trace cut at every byte reads back a prefix") {
  auto full = small_trace();
  REQUIRE(full.size() > 200);
  auto whole = read_bytes(full);
  INFO(whole.res.error);
  REQUIRE(whole.res.ok);
  std::map<uint32_t, std::vector<Event>> want;
  for (const auto& e : whole.events) want[e.thread].push_back(e);

  for (size_t cut = 0; cut <= full.size(); cut++) {
    std::vector<std::byte> part(full.begin(), full.begin() + ptrdiff_t(cut));
    auto r = read_bytes(part);
    INFO("cut at " << cut);
    check_sane(r);
    if (cut < full.size()) {
      REQUIRE(!r.res.ok);
      REQUIRE(r.res.error.find("byte offset") != std::string::npos);
      REQUIRE(r.res.error_offset <= cut);
    }
    // Per thread, what was read is a prefix of what was written (same values, same order).
    std::map<uint32_t, size_t> seen;
    for (const auto& e : r.events) {
      size_t i = seen[e.thread]++;
      REQUIRE(i < want[e.thread].size());
      const Event& w = want[e.thread][i];
      REQUIRE(e.type == w.type);
      REQUIRE(e.g == w.g);
      REQUIRE(e.arg(0) == w.arg(0));
    }
  }
}

TEST_CASE("random corruption never crashes the reader") {
  auto full = small_trace();
  std::mt19937_64 rng(12345);
  for (int iter = 0; iter < 12000; iter++) {
    auto d = full;
    int kind = int(rng() % 4);
    int flips = 1 + int(rng() % 8);
    for (int k = 0; k < flips; k++) {
      size_t at = rng() % d.size();
      if (kind == 3 && at >= fmt::kHeaderBytes) at = fmt::kHeaderBytes + rng() % 32;
      d[at] = std::byte(rng());
    }
    if (rng() % 4 == 0) d.resize(rng() % (d.size() + 1));
    if (kind >= 2) fix_checksums(d);  // the decoders see the garbage
    auto r = read_bytes(d);
    INFO("iteration " << iter);
    check_sane(r);
  }
}

TEST_CASE("garbage and hostile input") {
  std::mt19937_64 rng(7);
  for (int iter = 0; iter < 2000; iter++) {
    std::vector<std::byte> d(rng() % 400);
    for (auto& b : d) b = std::byte(rng());
    if (iter % 2 && d.size() >= 8) memcpy(d.data(), fmt::kMagic, 8);
    check_sane(read_bytes(d));
  }
  // A chunk that claims 4 GiB.
  auto t = small_trace();
  t.resize(fmt::kHeaderBytes + fmt::kChunkHeaderBytes);
  auto* p = reinterpret_cast<uint8_t*>(t.data());
  fmt::put_u32(p + fmt::kHeaderBytes + 1, 0xffffffffu);
  auto r = read_bytes(t);
  CHECK(!r.res.ok);
  CHECK(r.res.error_offset == fmt::kHeaderBytes);
  CHECK(read_bytes({}).res.ok == false);
}

TEST_CASE("a newer format version is reported plainly") {
  auto t = small_trace();
  auto* p = reinterpret_cast<uint8_t*>(t.data());
  fmt::put_u16(p + 8, fmt::kVersion + 1);
  auto r = read_bytes(t);
  CHECK(!r.res.ok);
  CHECK(r.res.error.find("newer") != std::string::npos);
  CHECK(r.events.empty());
  auto bad = t;
  memcpy(bad.data(), "NOTATRAC", 8);
  CHECK(read_bytes(bad).res.error.find("not a fibertrace trace") != std::string::npos);
}
