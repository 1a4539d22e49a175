// URL handling for the viewer's server: percent-decoding, the safe mapping of a request path to
// an embedded file name, and query-string parsing.
//
// Invariant: safe_path() returns a value only for paths made of plain segments (no "", ".",
// "..", backslash or NUL after decoding), so nothing it returns can name anything outside the
// embedded file set, whatever encoding the client used.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace ft::server {

// Decodes %XX escapes ("+" is left alone: it only means space in query strings). Returns
// nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view in);

// "/a/b.js?x=1" -> "/a/b.js"; "?x=1" part -> query().
std::string_view target_path(std::string_view target);
std::string_view target_query(std::string_view target);

// Decoded, checked path without the leading "/" ("" for the root). nullopt when the path is
// malformed or tries to climb out ("..", "%2e%2e", "%2F..", "\\").
std::optional<std::string> safe_path(std::string_view raw_path);

// "a=1&b=x%20y&c" -> {a:"1", b:"x y", c:""}; "+" decodes to space here. Malformed pairs are
// skipped; a repeated key keeps its last value.
std::map<std::string, std::string> parse_query(std::string_view query);

}  // namespace ft::server
