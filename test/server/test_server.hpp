// Runs an HttpServer on a background thread for the duration of a test.
#pragma once

#include <thread>

#include "server/http.hpp"

namespace ft::test {

class TestServer {
 public:
  explicit TestServer(server::Handler handler, server::HttpServer::Options opt = {})
      : srv_(with_port0(opt), std::move(handler)), thread_([this] { srv_.run(); }) {}
  ~TestServer() {
    srv_.stop();
    thread_.join();
  }
  uint16_t port() const { return srv_.port(); }

 private:
  static server::HttpServer::Options with_port0(server::HttpServer::Options o) {
    o.port = 0;
    return o;
  }
  server::HttpServer srv_;
  std::thread thread_;
};

}  // namespace ft::test
