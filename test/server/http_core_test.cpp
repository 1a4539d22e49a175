// The server core's promises (server/http.hpp): methods, traversal, header limits, gzip, ETags,
// timeouts, concurrency, and that no bad request stops the server.
#include <catch2/catch.hpp>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "client.hpp"
#include "server/assets.hpp"
#include "server/http.hpp"
#include "test_server.hpp"

using ft::server::Request;
using ft::server::Response;
using ft::test::http_get;
using ft::test::raw_exchange;
using ft::test::TestServer;

namespace {

// Static files, plus a few routes that exercise the core: a large JSON body, a throwing
// handler, a slow handler.
Response test_handler(const Request& req) {
  if (req.path == "/big.json") {
    std::string s = "[";
    for (int i = 0; i < 20000; ++i) s += std::to_string(i) + ",";
    s += "0]";
    return Response::json(std::move(s));
  }
  if (req.path == "/throw") throw std::runtime_error("boom");
  if (req.path == "/echo") {
    std::string out;
    for (const auto& [k, v] : req.query) out += k + "=" + v + ";";
    return Response::text(200, out);
  }
  return ft::server::serve_static(req);
}

// The Host header line a browser sends to this server.
std::string host(const TestServer& s) {
  return "Host: 127.0.0.1:" + std::to_string(s.port()) + "\r\n";
}

bool still_serving(uint16_t port) {
  return http_get(port, "/").status == 200;
}

}  // namespace

TEST_CASE("static files have content types, ETags and revalidation") {
  TestServer s(test_handler);
  auto r = http_get(s.port(), "/");
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/html; charset=utf-8");
  CHECK(r.body.find("View trace") != std::string::npos);
  CHECK(r.header("cache-control") == "no-cache");
  std::string etag = r.header("etag");
  REQUIRE(etag.size() > 2);
  CHECK(etag.front() == '"');

  auto again = http_get(s.port(), "/", {{"If-None-Match", etag}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(http_get(s.port(), "/", {{"If-None-Match", "\"other\""}}).status == 200);

  CHECK(http_get(s.port(), "/index.html").body == r.body);
  CHECK(http_get(s.port(), "/style.css").header("content-type") == "text/css; charset=utf-8");
  CHECK(http_get(s.port(), "/js/index.js").header("content-type") ==
        "text/javascript; charset=utf-8");
  CHECK(http_get(s.port(), "/nope.html").status == 404);
}

TEST_CASE("every embedded file is served with its own bytes") {
  TestServer s(test_handler);
  auto all = ft::server::embedded_assets();
  REQUIRE(all.size() >= 4);
  for (const auto& a : all) {
    INFO(a.path);
    auto r = http_get(s.port(), "/" + std::string(a.path));
    CHECK(r.status == 200);
    CHECK(r.body == a.data);
    CHECK(r.header("content-type") == a.content_type);
  }
}

TEST_CASE("JSON is gzipped when the client accepts it, plain otherwise") {
  TestServer s(test_handler);
  auto plain = http_get(s.port(), "/big.json");
  REQUIRE(plain.status == 200);
  CHECK(plain.header("content-encoding").empty());
  CHECK(plain.header("content-type") == "application/json");

  auto gz = http_get(s.port(), "/big.json", {{"Accept-Encoding", "br, gzip;q=0.8"}});
  REQUIRE(gz.status == 200);
  CHECK(gz.header("content-encoding") == "gzip");
  CHECK(gz.header("vary") == "Accept-Encoding");
  CHECK(gz.body.size() < plain.body.size() / 2);
  CHECK(ft::test::gunzip(gz.body) == plain.body);

  auto refused = http_get(s.port(), "/big.json", {{"Accept-Encoding", "gzip;q=0, *"}});
  CHECK(refused.header("content-encoding").empty());
  CHECK(refused.body == plain.body);
}

TEST_CASE("HEAD answers the GET headers without a body") {
  TestServer s(test_handler);
  auto get = http_get(s.port(), "/big.json");
  auto head = http_get(s.port(), "/big.json", {}, "HEAD");
  CHECK(head.status == 200);
  CHECK(head.header("content-length") == std::to_string(get.body.size()));
  CHECK(head.body.empty());
}

TEST_CASE("methods other than GET and HEAD get 405 and the server keeps serving") {
  TestServer s(test_handler);
  for (const char* m : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"}) {
    INFO(m);
    auto r = http_get(s.port(), "/", {}, m);
    CHECK(r.status == 405);
    CHECK(r.header("allow") == "GET, HEAD");
  }
  auto with_body = raw_exchange(
      s.port(), "POST /api/meta HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
  CHECK(with_body.status == 405);
  CHECK(still_serving(s.port()));
}

TEST_CASE("no path leaves the embedded files, however it is encoded") {
  TestServer s(test_handler);
  const char* attacks[] = {
      "/../etc/passwd",
      "/..",
      "/js/../../etc/passwd",
      "/%2e%2e/etc/passwd",
      "/%2E%2E/%2E%2E/etc/passwd",
      "/%2e%2e%2fetc%2fpasswd",
      "/js/..%2f..%2fetc%2fpasswd",
      "/js/%2e%2e/index.html",
      "/.%2e/etc/passwd",
      "/..%5c..%5cetc%5cpasswd",
      "/%252e%252e/etc/passwd",
      "/./index.html",
      "//etc/passwd",
      "/index.html%00.js",
      "/%zz",
      "/etc/passwd",
  };
  for (const char* a : attacks) {
    INFO(a);
    // Raw bytes: a client library might normalise the target before sending it.
    auto r = raw_exchange(s.port(), std::string("GET ") + a + " HTTP/1.1\r\n" + host(s) + "\r\n");
    CHECK(r.status == 404);
    CHECK(r.body.find("root:") == std::string::npos);
  }
  CHECK(still_serving(s.port()));
}

TEST_CASE("oversized headers get 431, malformed requests 400, and serving goes on") {
  TestServer s(test_handler);
  std::string big =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(64 * 1024, 'a') + "\r\n\r\n";
  CHECK(raw_exchange(s.port(), big).status == 431);
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 2000; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  CHECK(raw_exchange(s.port(), many + "\r\n").status == 431);
  CHECK(raw_exchange(s.port(), "GARBAGE\r\n\r\n").status == 400);
  CHECK(raw_exchange(s.port(), "GET / HTTP/9.9\r\n\r\n").status == 400);
  std::string huge_body = "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n";
  CHECK(raw_exchange(s.port(), huge_body).status == 413);
  CHECK(still_serving(s.port()));
}

TEST_CASE("a throwing handler gives 500 for that request only") {
  TestServer s(test_handler);
  auto r = http_get(s.port(), "/throw");
  CHECK(r.status == 500);
  CHECK(r.body.find("boom") != std::string::npos);
  CHECK(still_serving(s.port()));
}

TEST_CASE("query strings are decoded") {
  TestServer s(test_handler);
  CHECK(http_get(s.port(), "/echo?a=1&b=x%20y+z&c").body == "a=1;b=x y z;c=;");
}

TEST_CASE("idle connections are closed after the timeout") {
  ft::server::HttpServer::Options opt;
  opt.idle_timeout = std::chrono::milliseconds(200);
  TestServer s(test_handler, opt);
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket sock(ioc);
  sock.connect({boost::asio::ip::make_address("127.0.0.1"), s.port()});
  auto t0 = std::chrono::steady_clock::now();
  char c;
  boost::system::error_code ec;
  boost::asio::read(sock, boost::asio::buffer(&c, 1), ec);  // blocks until the server closes
  auto waited = std::chrono::steady_clock::now() - t0;
  CHECK(ec == boost::asio::error::eof);
  CHECK(waited >= std::chrono::milliseconds(150));
  CHECK(waited < std::chrono::seconds(5));
  CHECK(still_serving(s.port()));
}

TEST_CASE("many clients at once are all served") {
  TestServer s(test_handler);
  // Idle connections hold sessions open while others are served.
  boost::asio::io_context ioc;
  std::vector<boost::asio::ip::tcp::socket> idle;
  for (int i = 0; i < 200; ++i) {
    idle.emplace_back(ioc);
    idle.back().connect({boost::asio::ip::make_address("127.0.0.1"), s.port()});
  }
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 32; ++t) {
    clients.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        auto r = http_get(s.port(), (i % 2) ? "/big.json" : "/");
        if (r.status == 200) ok++;
      }
    });
  }
  for (auto& c : clients) c.join();
  CHECK(ok == 320);
}

TEST_CASE("keep-alive serves several requests on one connection") {
  TestServer s(test_handler);
  std::string two = "GET /echo?n=1 HTTP/1.1\r\n" + host(s) + "\r\nGET /echo?n=2 HTTP/1.1\r\n" +
                    host(s) + "Connection: close\r\n\r\n";
  // raw_exchange reads one response; the second must not break the server.
  auto r = raw_exchange(s.port(), two);
  CHECK(r.status == 200);
  CHECK(r.body == "n=1;");
  CHECK(still_serving(s.port()));
}

TEST_CASE("stop() makes run() return") {
  ft::server::HttpServer srv({}, test_handler);
  std::thread t([&] { srv.run(); });
  REQUIRE(http_get(srv.port(), "/").status == 200);
  srv.stop();
  t.join();
  SUCCEED("run() returned");
}
