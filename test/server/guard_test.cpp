// server/guard.hpp: the Host check against DNS rebinding, the access token, and the headers
// that refuse framing, both as a unit and through a running server.
#include <catch2/catch.hpp>

#include "client.hpp"
#include "server/guard.hpp"
#include "server/http.hpp"
#include "test_server.hpp"

using ft::server::Guard;
using ft::server::Request;
using ft::server::Response;
using ft::test::http_get;
using ft::test::TestServer;

namespace {

Response ok_handler(const Request&) {
  return Response::text(200, "secret trace\n");
}

}  // namespace

TEST_CASE("guard: a loopback bind answers only to its loopback names with the port") {
  Guard g("127.0.0.1", 8123, "");
  for (const char* h : {"127.0.0.1:8123", "localhost:8123", "LOCALHOST:8123", "[::1]:8123"}) {
    INFO(h);
    CHECK(g.check(h, "", "").status == 0);
  }
  for (const char* h : {"evil.example", "evil.example:8123", "127.0.0.1", "127.0.0.1:8124",
                        "localhost.evil.example:8123", "", "127.0.0.1:8123.evil"}) {
    INFO(h);
    auto v = g.check(h, "", "");
    CHECK(v.status == 421);
    CHECK(v.text.find("127.0.0.1:8123") != std::string::npos);
  }
  // Port 80 may be left out of Host.
  CHECK(Guard("127.0.0.1", 80, "").check("localhost", "", "").status == 0);
  // A specific non-loopback address answers to that address; a wildcard one to any Host.
  CHECK(Guard("192.0.2.7", 9000, "").check("192.0.2.7:9000", "", "").status == 0);
  CHECK(Guard("192.0.2.7", 9000, "").check("evil.example:9000", "", "").status == 421);
  CHECK(Guard("0.0.0.0", 9000, "").check("my-box:9000", "", "").status == 0);
}

TEST_CASE("guard: the token passes in the query or in the cookie it sets, nothing else") {
  Guard g("0.0.0.0", 9000, "0123456789abcdef0123456789abcdef");
  auto first = g.check("box:9000", "0123456789abcdef0123456789abcdef", "");
  CHECK(first.status == 0);
  CHECK(first.set_cookie.find("fibertrace_token_9000=0123456789abcdef0123456789abcdef") == 0);
  CHECK(first.set_cookie.find("HttpOnly") != std::string::npos);
  CHECK(g.check("box:9000", "", "a=1; fibertrace_token_9000=0123456789abcdef0123456789abcdef")
            .status == 0);
  CHECK(g.check("box:9000", "", "").status == 403);
  CHECK(g.check("box:9000", "0123456789abcdef0123456789abcdee", "").status == 403);
  CHECK(g.check("box:9000", "0123", "").status == 403);
  // Another port's cookie is another viewer's.
  CHECK(g.check("box:9000", "", "fibertrace_token_9001=0123456789abcdef0123456789abcdef").status ==
        403);
}

TEST_CASE("guard: random tokens are 32 hex digits and differ") {
  std::string a = ft::server::random_token(), b = ft::server::random_token();
  CHECK(a.size() == 32);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
}

TEST_CASE("server: a rebound Host gets 421 and nothing of the trace; frames are refused") {
  TestServer s(ok_handler);
  auto good = http_get(s.port(), "/api/meta");
  CHECK(good.status == 200);
  CHECK(good.header("x-frame-options") == "DENY");
  CHECK(good.header("content-security-policy") == "frame-ancestors 'none'");
  auto evil = http_get(s.port(), "/api/meta", {{"Host", "evil.example"}});
  CHECK(evil.status == 421);
  CHECK(evil.body.find("secret") == std::string::npos);
  CHECK(evil.header("x-frame-options") == "DENY");
  auto evil_port =
      http_get(s.port(), "/api/meta", {{"Host", "evil.example:" + std::to_string(s.port())}});
  CHECK(evil_port.status == 421);
}

TEST_CASE("server: with a token, requests without it get 403; the first visit sets a cookie") {
  ft::server::HttpServer::Options opt;
  opt.token = ft::server::random_token();
  TestServer s(ok_handler, opt);
  auto none = http_get(s.port(), "/api/meta");
  CHECK(none.status == 403);
  CHECK(none.body.find("secret") == std::string::npos);
  auto first = http_get(s.port(), "/?token=" + opt.token);
  REQUIRE(first.status == 200);
  std::string cookie = first.header("set-cookie");
  REQUIRE(!cookie.empty());
  cookie = cookie.substr(0, cookie.find(';'));
  auto later = http_get(s.port(), "/api/meta", {{"Cookie", cookie}});
  CHECK(later.status == 200);
  CHECK(later.body == "secret trace\n");
  CHECK(http_get(s.port(), "/api/meta?token=wrong").status == 403);
}
