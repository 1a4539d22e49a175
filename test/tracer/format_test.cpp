// Hand-made traces at the edges of the encoding: varints at and past 64 bits, and clocks that
// turn ticks into more nanoseconds than 64 bits hold. Each trace is built byte by byte here (the
// generator is the test), so what is checked is the reader's answer to exactly these bytes.
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "trace_util.hpp"
#include "tracer/format.hpp"

namespace fmt = ft::trace::fmt;
using ft::trace::EventType;

namespace {

struct TraceBytes {
  std::vector<uint8_t> b;

  explicit TraceBytes(uint64_t tsc_hz, uint8_t tick_shift = 0) {
    fmt::Header h;
    h.tsc_hz = tsc_hz;
    h.tick_shift = tick_shift;
    uint8_t hb[fmt::kHeaderBytes];
    fmt::encode_header(h, hb);
    b.assign(hb, hb + sizeof hb);
  }
  void chunk(uint8_t kind, const std::vector<uint8_t>& payload) {
    uint8_t hdr[fmt::kChunkHeaderBytes];
    fmt::encode_chunk_header(hdr, kind, payload.data(), payload.size());
    b.insert(b.end(), hdr, hdr + sizeof hdr);
    b.insert(b.end(), payload.begin(), payload.end());
  }
  // One event batch of thread 0 (proc 0, no fiber) holding `events` (already encoded).
  void batch(const std::vector<uint8_t>& events) {
    std::vector<uint8_t> p = {0, 0, 0, uint8_t(fmt::zigzag(0)), 0, 0, 0};
    p.insert(p.end(), events.begin(), events.end());
    chunk(fmt::kEvents, p);
  }
  void end() { chunk(fmt::kEnd, {0}); }
  std::vector<std::byte> bytes() const {
    auto* p = reinterpret_cast<const std::byte*>(b.data());
    return {p, p + b.size()};
  }
};

std::vector<uint8_t> uv(uint64_t v) {
  uint8_t buf[10];
  return {buf, fmt::put_uv(buf, v)};
}
std::vector<uint8_t> cat(std::initializer_list<std::vector<uint8_t>> parts) {
  std::vector<uint8_t> out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace

TEST_CASE("a varint's 10th byte may carry bit 63 and nothing above it") {
  // 0xFF..FF: nine bytes of 0xFF, then 0x01 (bit 63).
  std::vector<uint8_t> max(9, 0xFF);
  max.push_back(0x01);
  const uint8_t* p = max.data();
  uint64_t v = 0;
  REQUIRE(fmt::get_uv(p, max.data() + max.size(), v));
  CHECK(v == UINT64_MAX);
  CHECK(p == max.data() + 10);
  CHECK(uv(UINT64_MAX) == max);  // what the writer produces for the largest value

  for (uint8_t tenth : {uint8_t(0x02), uint8_t(0x40), uint8_t(0x7F)}) {
    std::vector<uint8_t> over(9, 0x80);
    over.push_back(tenth);
    const uint8_t* q = over.data();
    CHECK_FALSE(fmt::get_uv(q, over.data() + over.size(), v));
  }
}

TEST_CASE("a trace whose varint has bits above 64 is reported as damage, not cut silently") {
  std::vector<uint8_t> bad(9, 0x80);
  bad.push_back(0x02);  // 2^64: does not fit
  TraceBytes ok(1'000'000'000), over(1'000'000'000);
  ok.batch(cat({{fmt::kHeapAlloc}, uv(0), uv(123)}));
  ok.end();
  over.batch(cat({{fmt::kHeapAlloc}, uv(0), bad}));
  over.end();

  auto good = ft_test::read_bytes(ok.bytes());
  INFO(good.res.error);
  REQUIRE(good.res.ok);
  REQUIRE(good.events.size() == 1);
  CHECK(good.events[0].heap_bytes() == 123);

  auto r = ft_test::read_bytes(over.bytes());
  CHECK_FALSE(r.res.ok);
  CHECK(r.res.error.find("corrupt event") != std::string::npos);
  CHECK(r.events.empty());
}

TEST_CASE("tsc_hz = 1 with large deltas saturates timestamps instead of overflowing") {
  TraceBytes t(1);  // one tick = one second
  // 2^40 ticks = 2^40 s: ~1.1e21 ns, beyond uint64_t; then one more event a tick later.
  t.batch(cat({{fmt::kHeapAlloc}, uv(uint64_t(1) << 40), uv(1), {fmt::kHeapAlloc}, uv(1), uv(2)}));
  t.end();
  auto r = ft_test::read_bytes(t.bytes());
  INFO(r.res.error);
  REQUIRE(r.res.ok);
  REQUIRE(r.events.size() == 2);
  CHECK(r.events[0].ts == uint64_t(INT64_MAX));
  CHECK(r.events[1].ts == uint64_t(INT64_MAX));

  TraceBytes small(1);  // 3 ticks = 3 s: still exact
  small.batch(cat({{fmt::kHeapAlloc}, uv(3), uv(1)}));
  small.end();
  auto s = ft_test::read_bytes(small.bytes());
  REQUIRE(s.res.ok);
  REQUIRE(s.events.size() == 1);
  CHECK(s.events[0].ts == 3'000'000'000u);
}
