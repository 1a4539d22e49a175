// The event vocabulary (tracer/events.hpp, vocab/fibers.hpp) agrees with itself, with the
// encoder's packed fields, and with docs/trace-format.md: the docs' event table names every
// argument of every type by the table's names, and lists the Block reasons in value order.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tracer/events.hpp"
#include "tracer/format.hpp"

using namespace ft::trace;

namespace {

std::string docs() {
  std::ifstream in(FT_DOCS_DIR "/trace-format.md");
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The docs table row of an event: "| `0x..` | Name | encoded | decoded | effect |".
std::string doc_row(const std::string& text, std::string_view name) {
  std::regex row("\\n\\|[^|\\n]*\\|\\s*" + std::string(name) + "\\s*\\|([^\\n]*)");
  std::smatch m;
  if (!std::regex_search(text, m, row)) return "";
  return m[1];
}

}  // namespace

TEST_CASE("every event type has one row and its arguments are slots 0, 1, 2 in order") {
  std::set<EventType> seen;
  for (const EventSpec& s : kEventSpecs) {
    INFO(s.name);
    CHECK(seen.insert(s.type).second);
    CHECK(event_spec(s.type) == &s);
    CHECK(event_name(s.type) == s.name);
    bool ended = false;
    for (int i = 0; i < 3; i++) {
      Arg a = s.args[size_t(i)];
      if (a == Arg::None) {
        ended = true;
        continue;
      }
      CHECK(!ended);  // no gap before a named argument
      CHECK(arg_slot(s.type, a) == i);
      CHECK(!arg_name(a).empty());
    }
  }
  CHECK(event_spec(EventType(63)) == nullptr);
  CHECK(event_name(EventType(63)) == "Unknown");
  CHECK(arg_slot(EventType::GoStart, Arg::Reason) == -1);
}

TEST_CASE("named setters write the slot the named getters read") {
  Event ev;
  ev.type = EventType::GoUnblock;
  CHECK(ev.set(Arg::Reason, uint64_t(Block::Cond)));
  CHECK(ev.set(Arg::Object, 42));
  CHECK(ev.set(Arg::Waker, 7));
  CHECK(!ev.set(Arg::Task, 1));  // GoUnblock has no task
  CHECK(ev.reason() == Block::Cond);
  CHECK(ev.chan_id() == 42);
  CHECK(ev.waker() == 7);
  Event st;
  st.type = EventType::GoStatus;
  set_arg<EventType::GoStatus, Arg::Reason>(st, uint64_t(Block::Sleep));
  set_arg<EventType::GoStatus, Arg::Status>(st, uint64_t(FiberStatus::Blocked));
  CHECK(st.reason() == Block::Sleep);
  CHECK(st.status() == FiberStatus::Blocked);
  CHECK(st.arg(2) == uint64_t(Block::Sleep));
}

TEST_CASE("every Block reason survives the code byte of GoBlock and GoUnblock") {
  for (unsigned r = 0; r < kBlockCount; r++) {
    for (uint8_t base : {fmt::kGoBlock, fmt::kGoUnblock}) {
      uint8_t code = uint8_t(base | fmt::reason_bits(Block(r)) | 3);
      CHECK(fmt::reason_of_code(code) == Block(r));
      CHECK((code & 0xC0) == base);
    }
  }
}

TEST_CASE("docs/trace-format.md names every argument of every event by the table's names") {
  const std::string text = docs();
  for (const EventSpec& s : kEventSpecs) {
    INFO(s.name);
    std::string row = doc_row(text, s.name);
    REQUIRE(!row.empty());
    // The decoded column is the third cell after the name.
    std::vector<std::string> cells;
    std::stringstream ss(row);
    for (std::string c; std::getline(ss, c, '|');) cells.push_back(c);
    REQUIRE(cells.size() >= 3);
    std::string decoded = cells[1];
    if (decoded.find("same as") != std::string::npos) continue;
    for (Arg a : s.args) {
      if (a == Arg::None) continue;
      INFO(arg_name(a));
      CHECK(std::regex_search(decoded, std::regex("\\b" + std::string(arg_name(a)) + "\\b")));
    }
  }
}

TEST_CASE("docs/trace-format.md lists the Block reasons in value order") {
  std::string text = docs();
  for (char& c : text)
    if (c == '\n') c = ' ';  // the list wraps
  std::string list;
  for (unsigned r = 0; r < kBlockCount; r++) {
    if (r) list += ", ";
    list += std::to_string(r) + " " + std::string(block_name(Block(r)));
  }
  CHECK(text.find(list + ".") != std::string::npos);
  CHECK(block_name(Block(kBlockCount)) == "unknown");
}
