#include "gzip.hpp"

#include <zlib.h>

#include <stdexcept>

namespace ft::server {

std::string gzip_compress(std::string_view data, int level) {
  z_stream zs{};
  // windowBits 15 + 16 selects the gzip wrapper instead of zlib's.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("deflateInit2 failed");
  std::string out;
  out.resize(deflateBound(&zs, data.size()));
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  // avail_in/avail_out are 32-bit: feed bodies over 4 GiB in chunks.
  size_t in_left = data.size();
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    size_t chunk = std::min<size_t>(in_left, 1u << 30);
    zs.avail_in = static_cast<uInt>(chunk);
    in_left -= chunk;
    size_t out_left = out.size() - zs.total_out;
    zs.avail_out = static_cast<uInt>(std::min<size_t>(out_left, 1u << 30));
    rc = deflate(&zs, in_left == 0 ? Z_FINISH : Z_NO_FLUSH);
    if (rc == Z_STREAM_ERROR) {
      deflateEnd(&zs);
      throw std::runtime_error("deflate failed");
    }
    in_left += zs.avail_in;  // whatever deflate did not consume this round
  }
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

bool accepts_gzip(std::string_view header) {
  // An explicit "gzip" entry decides; otherwise "*" does (RFC 9110 12.5.3).
  int gzip = -1, star = -1;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    size_t semi = item.find(';');
    std::string_view token = item.substr(0, semi);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    if (token != "gzip" && token != "*") continue;
    bool ok = true;
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      size_t q = params.find("q=");
      if (q != std::string_view::npos) {
        // q=0, q=0.0, q=0.000 refuse; anything else accepts.
        std::string_view v = params.substr(q + 2);
        bool zero = !v.empty() && v.front() == '0';
        for (size_t i = 1; zero && i < v.size() && v[i] != ' '; ++i)
          if (v[i] != '.' && v[i] != '0') zero = false;
        ok = !zero;
      }
    }
    (token == "gzip" ? gzip : star) = ok ? 1 : 0;
  }
  return gzip >= 0 ? gzip == 1 : star == 1;
}

}  // namespace ft::server
