// Start-function descriptors (trace::StartFn): one per plain function (keyed by address) and
// one per callable type. Creation pays a thread-local one-entry cache lookup (~1 ns) in the
// common case of many fibers of the same function; misses take a global lock.
#include <mutex>
#include <unordered_map>

#include "ft/fiber.hpp"
#include "vocab/fibers.hpp"

namespace ft::detail {
namespace {
std::mutex mu;
std::unordered_map<const void*, const trace::StartFn*>* by_pc;
}  // namespace

const trace::StartFn* start_fn_for_pc(const void* pc, const std::source_location& loc) {
  thread_local const void* last_pc = nullptr;
  thread_local const trace::StartFn* last = nullptr;
  if (pc == last_pc) return last;
  std::lock_guard<std::mutex> g(mu);
  if (!by_pc) by_pc = new std::unordered_map<const void*, const trace::StartFn*>;
  auto& slot = (*by_pc)[pc];
  if (!slot) slot = new trace::StartFn{pc, loc.function_name(), loc.file_name(), loc.line()};
  last_pc = pc;
  last = slot;
  return slot;
}

const trace::StartFn* start_fn_new(const char*, const std::source_location& loc) {
  return new trace::StartFn{nullptr, loc.function_name(), loc.file_name(), loc.line()};
}

}  // namespace ft::detail
