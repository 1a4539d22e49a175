// Streamed bodies and stalled clients (server/http.hpp): a streamed response arrives whole
// and in order, its producer is held back by a client that does not read (the bytes produced
// stay within the stream buffer plus what the socket holds), a client that stops reading is
// dropped after the stall timeout, and streams beyond max_streams get 503.
#include <catch2/catch.hpp>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <thread>

#include "client.hpp"
#include "server/http.hpp"
#include "test_server.hpp"

using ft::server::Request;
using ft::server::Response;
using ft::test::http_get;
using ft::test::TestServer;
namespace asio = boost::asio;

namespace {

constexpr size_t kPieces = 20000, kPiece = 1000;  // 20 MB, far more than any buffer

struct Counter {
  std::atomic<size_t> produced{0};
  std::atomic<bool> ended{false};
  std::atomic<int> started{0};
};

ft::server::Handler streaming(Counter& c) {
  return [&c](const Request&) {
    Response r;
    r.content_type = "text/plain";
    r.stream = [&c](const std::function<bool(std::string_view)>& write) {
      ++c.started;
      std::string piece(kPiece, 'x');
      for (size_t i = 0; i < kPieces; ++i) {
        std::string line = std::to_string(i) + "\n";
        piece.replace(0, line.size(), line);
        if (!write(piece)) break;
        c.produced += piece.size();
      }
      c.ended = true;
    };
    return r;
  };
}

// A connection that sends a request and then reads nothing.
asio::ip::tcp::socket silent_client(asio::io_context& ioc, uint16_t port) {
  asio::ip::tcp::socket sock(ioc);
  sock.connect({asio::ip::make_address("127.0.0.1"), port});
  // A small receive window, so the kernel buffers do not hide the server's own buffering.
  sock.set_option(asio::socket_base::receive_buffer_size(4096));
  std::string req = "GET /s HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n\r\n";
  asio::write(sock, asio::buffer(req));
  return sock;
}

template <class F>
bool eventually(F f) {
  for (int i = 0; i < 1000; ++i) {  // up to 10 s; returns as soon as f() holds
    if (f()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return f();
}

}  // namespace

TEST_CASE("stream: a streamed body arrives whole, in order, chunked") {
  Counter c;
  TestServer s(streaming(c));
  auto r = http_get(s.port(), "/s");
  REQUIRE(r.status == 200);
  CHECK(r.header("transfer-encoding") == "chunked");
  REQUIRE(r.body.size() == kPieces * kPiece);
  for (size_t i : {size_t(0), size_t(1), kPieces / 2, kPieces - 1})
    CHECK(r.body.compare(i * kPiece, std::to_string(i).size(), std::to_string(i)) == 0);
  CHECK(r.header("x-frame-options") == "DENY");
}

TEST_CASE("stream: a client that does not read holds the producer back, then is dropped") {
  Counter c;
  ft::server::HttpServer::Options opt;
  opt.stall_timeout = std::chrono::milliseconds(300);
  TestServer s(streaming(c), opt);
  asio::io_context ioc;
  auto sock = silent_client(ioc, s.port());
  // The producer ends (its write() returns false) only once the server has dropped the stalled
  // client (the pipe is closed by nothing else while the server runs); until then it could
  // only fill the pipe and the socket buffers.
  REQUIRE(eventually([&] { return c.ended.load(); }));
  CHECK(c.produced < kPieces * kPiece / 2);
  CHECK(c.produced <= ft::server::HttpServer::kStreamBuffer + (8u << 20));
  CHECK(http_get(s.port(), "/s").body.size() == kPieces * kPiece);  // still serving
}

TEST_CASE("stream: more streams than max_streams get 503 while the others run") {
  Counter c;
  ft::server::HttpServer::Options opt;
  opt.max_streams = 2;
  TestServer s(streaming(c), opt);
  asio::io_context ioc;
  auto a = silent_client(ioc, s.port());
  auto b = silent_client(ioc, s.port());
  REQUIRE(eventually([&] { return c.started == 2; }));
  auto third = http_get(s.port(), "/s");
  CHECK(third.status == 503);
  CHECK(third.header("retry-after") == "5");
}
