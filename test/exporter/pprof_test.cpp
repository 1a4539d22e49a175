// Decodes the pprof output with a minimal protobuf reader (independent of the encoder) and
// checks the profile.proto structure go tool pprof relies on.
#include <zlib.h>

#include <catch2/catch.hpp>
#include <map>

#include "pprof.hpp"
#include "script.hpp"

using namespace ft::exporter;

namespace {

std::string gunzip(const std::string& gz) {
  z_stream s{};
  REQUIRE(inflateInit2(&s, 15 + 16) == Z_OK);
  std::string out;
  char buf[4096];
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  s.avail_in = uInt(gz.size());
  int rc;
  do {
    s.next_out = reinterpret_cast<Bytef*>(buf);
    s.avail_out = sizeof buf;
    rc = inflate(&s, Z_NO_FLUSH);
    REQUIRE((rc == Z_OK || rc == Z_STREAM_END));
    out.append(buf, sizeof buf - s.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&s);
  return out;
}

struct Field {
  uint32_t num;
  uint64_t v;     // varint value
  std::string b;  // length-delimited bytes
  bool is_bytes;
};

uint64_t varint(const std::string& s, size_t& i) {
  uint64_t v = 0;
  for (int shift = 0;; shift += 7) {
    REQUIRE(i < s.size());
    uint8_t c = uint8_t(s[i++]);
    v |= uint64_t(c & 0x7f) << shift;
    if (!(c & 0x80)) return v;
  }
}

std::vector<Field> fields(const std::string& s) {
  std::vector<Field> f;
  for (size_t i = 0; i < s.size();) {
    uint64_t key = varint(s, i);
    uint32_t wire = key & 7;
    REQUIRE((wire == 0 || wire == 2));
    if (wire == 0) {
      f.push_back({uint32_t(key >> 3), varint(s, i), {}, false});
    } else {
      uint64_t n = varint(s, i);
      REQUIRE(i + n <= s.size());
      f.push_back({uint32_t(key >> 3), 0, s.substr(i, n), true});
      i += n;
    }
  }
  return f;
}

std::vector<uint64_t> packed(const std::string& s) {
  std::vector<uint64_t> v;
  for (size_t i = 0; i < s.size();) v.push_back(varint(s, i));
  return v;
}

}  // namespace

TEST_CASE("pprof: sync profile of daisy decodes to samples, locations, functions, strings") {
  Model m = fttest::daisy(3).build();
  std::string gz = pprof_profile(m, ProfileKind::Sync);
  REQUIRE(gz.size() > 18);
  CHECK(uint8_t(gz[0]) == 0x1f);
  CHECK(uint8_t(gz[1]) == 0x8b);
  std::string raw = gunzip(gz);
  CHECK(raw == pprof_profile_uncompressed(m, ProfileKind::Sync));
  std::vector<std::string> strings;
  std::vector<Field> samples, locs, funcs, types;
  for (const Field& f : fields(raw)) {
    if (f.num == 6) strings.push_back(f.b);
    if (f.num == 2) samples.push_back(f);
    if (f.num == 4) locs.push_back(f);
    if (f.num == 5) funcs.push_back(f);
    if (f.num == 1) types.push_back(f);
  }
  REQUIRE(!strings.empty());
  CHECK(strings[0].empty());
  REQUIRE(types.size() == 2);
  auto vt = fields(types[1].b);
  CHECK(strings.at(vt[0].v) == "delay");
  CHECK(strings.at(vt[1].v) == "nanoseconds");
  REQUIRE(samples.size() == 2);
  uint64_t total = 0, count = 0;
  std::map<uint64_t, std::string> func_name;  // function id -> name
  for (const Field& f : funcs) {
    auto ff = fields(f.b);
    func_name[ff[0].v] = strings.at(ff[1].v);
  }
  std::map<uint64_t, uint64_t> loc_func;  // location id -> function id
  for (const Field& l : locs) {
    auto lf = fields(l.b);
    REQUIRE(lf.size() == 2);
    auto line = fields(lf[1].b);
    loc_func[lf[0].v] = line[0].v;
  }
  bool pass_stack = false;
  for (const Field& s : samples) {
    auto sf = fields(s.b);
    auto loc = packed(sf[0].b);
    auto val = packed(sf[1].b);
    REQUIRE(val.size() == 2);
    count += val[0];
    total += val[1];
    REQUIRE(loc.size() == 2);
    CHECK(func_name.at(loc_func.at(loc[0])) == "ft::Chan<int>::recv");  // innermost first
    pass_stack |= func_name.at(loc_func.at(loc[1])) == "pass";
  }
  CHECK(pass_stack);
  CHECK(count == 4);
  Ns blocked = 0;
  for (auto& e : blocking_profile(m, ProfileKind::Sync)) blocked += e.total;
  CHECK(total == blocked);
}

TEST_CASE("pprof: an empty profile is still a valid message") {
  Model m = fttest::daisy(3).build();
  std::string raw = pprof_profile_uncompressed(m, ProfileKind::IO);
  int samples = 0;
  for (const Field& f : fields(raw)) samples += f.num == 2;
  CHECK(samples == 0);
}
