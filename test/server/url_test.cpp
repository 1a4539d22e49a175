// URL decoding, path safety, query parsing and Accept-Encoding negotiation.
#include <catch2/catch.hpp>

#include "server/gzip.hpp"
#include "server/url.hpp"

using namespace ft::server;

TEST_CASE("percent_decode") {
  CHECK(percent_decode("a%20b") == "a b");
  CHECK(percent_decode("%2e%2E") == "..");
  CHECK(percent_decode("plain+text") == "plain+text");
  CHECK_FALSE(percent_decode("%"));
  CHECK_FALSE(percent_decode("%2"));
  CHECK_FALSE(percent_decode("%zz"));
}

TEST_CASE("safe_path accepts plain files and refuses every way out") {
  CHECK(safe_path("/") == "");
  CHECK(safe_path("/index.html") == "index.html");
  CHECK(safe_path("/js/trace/main.js") == "js/trace/main.js");
  CHECK(safe_path("/a%20b.js") == "a b.js");
  for (const char* bad : {"", "x", "/..", "/../a", "/a/../b", "/%2e%2e/a", "/a%2f..%2fb", "/./a",
                          "//a", "/a/", "/a%5cb", "/a%00", "/%252e", "/a\\b"}) {
    INFO(bad);
    CHECK_FALSE(safe_path(bad));
  }
}

TEST_CASE("target split and query parsing") {
  CHECK(target_path("/a/b?x=1#f") == "/a/b");
  CHECK(target_query("/a/b?x=1#f") == "x=1");
  CHECK(target_query("/a") == "");
  auto q = parse_query("a=1&b=x%20y+z&c&&d=%zz&a=2");
  CHECK(q.at("a") == "2");
  CHECK(q.at("b") == "x y z");
  CHECK(q.at("c") == "");
  CHECK(q.count("d") == 0);
}

TEST_CASE("accepts_gzip") {
  CHECK(accepts_gzip("gzip"));
  CHECK(accepts_gzip("gzip, deflate, br"));
  CHECK(accepts_gzip("br;q=1.0, gzip;q=0.5"));
  CHECK(accepts_gzip("*"));
  CHECK_FALSE(accepts_gzip(""));
  CHECK_FALSE(accepts_gzip("br, deflate"));
  CHECK_FALSE(accepts_gzip("gzip;q=0"));
  CHECK_FALSE(accepts_gzip("gzip;q=0.000, *"));
  CHECK_FALSE(accepts_gzip("*;q=0"));
}

TEST_CASE("gzip round trip") {
  std::string s(100000, 'x');
  for (size_t i = 0; i < s.size(); i += 7) s[i] = static_cast<char>('a' + i % 26);
  auto gz = gzip_compress(s);
  CHECK(gz.size() < s.size() / 4);
  CHECK(static_cast<unsigned char>(gz[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(gz[1]) == 0x8b);
}
