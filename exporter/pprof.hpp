// Blocking profiles as pprof profile.proto (github.com/google/pprof/proto/profile.proto),
// gzip-compressed, as `go tool pprof` reads them. Sample types follow Go's trace tool:
// contentions/count and delay/nanoseconds; one sample per distinct stack.
#pragma once

#include <string>

#include "analysis.hpp"

namespace ft::exporter {

std::string pprof_profile(const Model& m, ProfileKind k);  // gzip of the encoding
std::string pprof_profile_uncompressed(const Model& m, ProfileKind k);

}  // namespace ft::exporter
