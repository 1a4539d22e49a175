#include "client.hpp"

#include <zlib.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

namespace ft::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

Reply read_reply(tcp::socket& sock, bool head) {
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 32);
  parser.skip(head);
  beast::error_code ec;
  http::read(sock, buf, parser, ec);
  Reply r;
  if (ec) return r;
  const auto& msg = parser.get();
  r.status = static_cast<int>(msg.result_int());
  for (const auto& f : msg) {
    std::string name(f.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = msg.body();
  return r;
}

tcp::socket connect(asio::io_context& ioc, uint16_t port) {
  tcp::socket sock(ioc);
  sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  return sock;
}

}  // namespace

Reply http_get(uint16_t port, const std::string& target,
               const std::vector<std::pair<std::string, std::string>>& headers,
               const std::string& method) {
  asio::io_context ioc;
  auto sock = connect(ioc, port);
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  req.prepare_payload();
  http::write(sock, req);
  return read_reply(sock, method == "HEAD");
}

Reply raw_exchange(uint16_t port, const std::string& bytes, bool head_response) {
  asio::io_context ioc;
  auto sock = connect(ioc, port);
  beast::error_code ec;
  asio::write(sock, asio::buffer(bytes), ec);  // the server may close early (431): read anyway
  return read_reply(sock, head_response);
}

std::string gunzip(const std::string& gz) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) throw std::runtime_error("inflateInit2");
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  zs.avail_in = static_cast<uInt>(gz.size());
  char buf[65536];
  int rc;
  do {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      throw std::runtime_error("inflate: damaged gzip");
    }
    out.append(buf, sizeof buf - zs.avail_out);
  } while (rc != Z_STREAM_END);
  inflateEnd(&zs);
  return out;
}

}  // namespace ft::test
