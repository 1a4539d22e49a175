// Loading a binary trace into a Model: the file is mapped (stdin is read) and streamed through
// ft::trace::read into a ModelBuilder, so memory holds the input bytes and the model, nothing
// per event beyond what the model keeps.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include "model.hpp"

namespace ft::exporter {

// Never throws on bad trace bytes: damage is reported in Model::read (ok, error, offset), and
// the model holds everything valid before it.
Model load_trace(std::span<const std::byte> data);

// path "-" reads stdin. Throws std::runtime_error when the file cannot be opened or read.
Model load_trace_file(const std::string& path);

}  // namespace ft::exporter
