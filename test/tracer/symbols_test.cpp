// Stacks travel as raw return addresses plus the module map; symbols come when the session stops
// (the 'Y' chunk) or, for a trace without them (a program killed before stop), from the binaries
// through resolve_symbols. Both paths must name the same frames.
#include <catch2/catch.hpp>

#include <cstring>

#include "trace_util.hpp"
#include "tracer/format.hpp"
#include "tracer/record.hpp"

using namespace ft::trace;

namespace {

__attribute__((noinline)) void symbols_test_leaf() {
  rec::go_block(Block::Sleep, 5);
  asm volatile("");
}
__attribute__((noinline)) void symbols_test_caller() {
  symbols_test_leaf();
  asm volatile("");
}
__attribute__((noinline)) void symbols_test_start() {
  asm volatile("");
}
const StartFn kStart{reinterpret_cast<const void*>(&symbols_test_start), "f", "x.cpp", 1};

std::vector<std::byte> traced() {
  return ft_test::capture([] {
    rec::go_create(3, &kStart);
    rec::go_start(3, nullptr, nullptr);
    symbols_test_caller();
  });
}

// The same trace without its symbols chunks, as a program killed before stop() leaves it.
std::vector<std::byte> without_symbols(const std::vector<std::byte>& in) {
  std::vector<std::byte> out(in.begin(), in.begin() + fmt::kHeaderBytes);
  size_t off = fmt::kHeaderBytes;
  while (off + fmt::kChunkHeaderBytes <= in.size()) {
    auto* h = reinterpret_cast<const uint8_t*>(in.data() + off);
    size_t n = fmt::kChunkHeaderBytes + fmt::get_u32(h + 1);
    if (h[0] != fmt::kSymbols) out.insert(out.end(), in.begin() + off, in.begin() + off + n);
    off += n;
  }
  return out;
}

const Event* block_event(const ft_test::Read& r) {
  for (const Event& e : r.events)
    if (e.type == EventType::GoBlock && e.object() == 5) return &e;
  return nullptr;
}

std::vector<std::string> funcs_of(const Tables& t, uint32_t stack) {
  std::vector<std::string> out;
  for (const Frame& f : t.stacks.at(stack)) out.push_back(f.func);
  return out;
}

}  // namespace

TEST_CASE("a stopped session's trace carries its modules and symbols") {
  auto r = ft_test::read_bytes(traced());
  INFO(r.res.error);
  REQUIRE(r.res.ok);
  CHECK(r.tables.version == fmt::kVersion);
  const Event* b = block_event(r);
  REQUIRE(b);
  REQUIRE(b->stack != 0);
  const auto& frames = r.tables.stacks.at(b->stack);
  REQUIRE(frames.size() >= 2);
  CHECK(frames[0].func == "symbols_test_leaf");
  CHECK(frames[1].func == "symbols_test_caller");
  CHECK(frames[0].file.find("symbols_test.cpp") != std::string::npos);
  CHECK(frames[0].symbolized);
  // The executable is a module of the map, with its build-id, and holds the frame's address.
  REQUIRE(frames[0].module != 0);
  const Module& m = r.tables.modules.at(frames[0].module);
  CHECK(m.path.find("tracer_symbols_test") != std::string::npos);
  CHECK(m.build_id.size() == 20);
  bool inside = false;
  for (const Module::Seg& s : m.segs) inside |= frames[0].pc - s.start < s.size;
  CHECK(inside);
  bool named = false;
  for (const auto& f : r.tables.funcs) named |= f == "symbols_test_start";
  CHECK(named);
}

TEST_CASE("without its symbols a trace shows module+offset, and the binary resolves it") {
  auto full = traced();
  auto bare = without_symbols(full);
  REQUIRE(bare.size() < full.size());
  auto r = ft_test::read_bytes(bare);
  INFO(r.res.error);
  REQUIRE(r.res.ok);
  const Event* b = block_event(r);
  REQUIRE(b);
  auto before = funcs_of(r.tables, b->stack);
  REQUIRE(!before.empty());
  CHECK(!r.tables.stacks[b->stack][0].symbolized);
  CHECK(before[0].rfind("tracer_symbols_test+0x", 0) == 0);  // file name + offset
  std::string why;
  resolve_symbols(r.tables, &why);
  auto after = funcs_of(r.tables, b->stack);
  REQUIRE(after.size() >= 2);
  CHECK(after[0] == "symbols_test_leaf");
  CHECK(after[1] == "symbols_test_caller");
  bool named = false;
  for (const auto& f : r.tables.funcs) named |= f == "symbols_test_start";
  CHECK(named);

  // A module whose file is not the recorded build is not used.
  auto r2 = ft_test::read_bytes(bare);
  for (Module& m : r2.tables.modules)
    if (!m.build_id.empty()) m.build_id[0] = char(m.build_id[0] ^ 1);
  std::string why2;
  CHECK(resolve_symbols(r2.tables, &why2) > 0);
  CHECK(why2.find("build-id differs") != std::string::npos);
  CHECK(funcs_of(r2.tables, b->stack)[0] == before[0]);
}
