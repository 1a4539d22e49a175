// The viewer's static files (web/), compiled into the binary by embed.cmake, and the handler
// that serves them.
//
// Invariant: serve_static() answers only with bytes of an embedded file; a path is looked up
// by exact name after safe_path() has checked it, so no request reaches the file system.
#pragma once

#include <span>
#include <string_view>

#include "http.hpp"

namespace ft::server {

struct Asset {
  std::string_view path;          // relative to web/: "index.html", "js/timeline.js"
  std::string_view data;          // the file's bytes (static storage)
  std::string_view content_type;  // from the extension
  std::string_view etag;          // quoted content hash
};

// Sorted by path. Defined in the generated web_assets.cpp.
std::span<const Asset> embedded_assets();
const Asset* find_asset(std::string_view path);

// GET/HEAD of an embedded file: "/" is index.html; unknown or unsafe paths give 404. Text
// files are compressible; every file carries its ETag and "Cache-Control: no-cache", so a
// browser revalidates (cheaply, 304) and never runs a stale viewer after an upgrade.
Response serve_static(const Request& req);

}  // namespace ft::server
