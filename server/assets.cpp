#include "assets.hpp"

#include <algorithm>

#include "url.hpp"

namespace ft::server {

const Asset* find_asset(std::string_view path) {
  auto all = embedded_assets();
  auto it = std::lower_bound(all.begin(), all.end(), path,
                             [](const Asset& a, std::string_view p) { return a.path < p; });
  return it != all.end() && it->path == path ? &*it : nullptr;
}

Response serve_static(const Request& req) {
  auto p = safe_path(req.path);
  if (!p) return Response::text(404, "Not Found\n");
  std::string name = p->empty() ? "index.html" : *p;
  const Asset* a = find_asset(name);
  if (!a) return Response::text(404, "Not Found\n");
  Response r;
  r.content_type = std::string(a->content_type);
  // Static storage: the shared_ptr owns a copy only because Response bodies are strings;
  // these files are small (tens of KiB).
  r.body = std::make_shared<const std::string>(a->data);
  r.compressible = a->content_type.starts_with("text/") ||
                   a->content_type.starts_with("application/json") ||
                   a->content_type.starts_with("image/svg");
  r.etag = std::string(a->etag);
  r.cache_control = "no-cache";
  return r;
}

}  // namespace ft::server
