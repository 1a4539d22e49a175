// gzip (RFC 1952) compression of response bodies with zlib, and the Accept-Encoding check.
#pragma once

#include <string>
#include <string_view>

namespace ft::server {

// Whole-buffer gzip. level 1 is the default: JSON compresses ~8x even at the fastest level,
// and the server compresses multi-hundred-megabyte traces on the request path.
std::string gzip_compress(std::string_view data, int level = 1);

// True when an Accept-Encoding header value allows gzip (a "gzip" token whose q is not 0).
bool accepts_gzip(std::string_view accept_encoding);

}  // namespace ft::server
