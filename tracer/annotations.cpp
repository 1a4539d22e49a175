// User annotations: Task, Region, log (include/ft/trace.hpp). Task ids come from a process-wide
// counter (never reused, so a task that outlives a session cannot collide with a later one).
// Names and categories are interned strings; log messages travel inline in the event.
#include <atomic>

#include "ft/trace.hpp"
#include "recorder.hpp"

namespace ft::trace {
namespace detail {
void emit_task(ThreadState& t, uint8_t code, uint64_t task, uint64_t parent, uint32_t name,
               uint32_t stack);
void emit_region(ThreadState& t, uint8_t code, uint64_t task, uint32_t name, uint32_t stack);
void emit_log(ThreadState& t, uint64_t task, uint32_t category, std::string_view msg,
              uint32_t stack);
}  // namespace detail

using namespace detail;

namespace {
std::atomic<uint64_t> g_next_task{1};

// Stack of the public API function's caller: the API functions are noinline and pass their own
// frame, so the first pc is in user code.
inline uint32_t user_stack(ThreadState& t, void* fp) {
  return g_rec.stacks.load(std::memory_order_relaxed) ? capture_stack(t, uintptr_t(fp)) : 0;
}

__attribute__((noinline)) uint64_t task_create(uint64_t parent, std::string_view name, void* fp) {
  if (!rec::active()) return 0;
  ThreadState& t = t_state;
  uint64_t id = g_next_task.fetch_add(1, std::memory_order_relaxed);
  uint32_t sid = intern_string(t, name);
  emit_task(t, fmt::kTaskCreate, id, parent, sid, user_stack(t, fp));
  return id;
}
}  // namespace

__attribute__((noinline)) Task::Task(std::string_view name)
    : id_(task_create(0, name, __builtin_frame_address(0))) {}

__attribute__((noinline)) Task::Task(const Task& parent, std::string_view name)
    : id_(task_create(parent.id_, name, __builtin_frame_address(0))) {}

__attribute__((noinline)) void Task::end() {
  if (!id_) return;
  uint64_t id = std::exchange(id_, 0);
  if (!rec::active()) return;
  ThreadState& t = t_state;
  emit_task(t, fmt::kTaskEnd, id, 0, 0, user_stack(t, __builtin_frame_address(0)));
}

__attribute__((noinline)) Region::Region(std::string_view name) {
  if (!rec::active()) return;
  ThreadState& t = t_state;
  name_ = intern_string(t, name);
  on_ = true;
  emit_region(t, fmt::kRegionBegin, 0, name_, user_stack(t, __builtin_frame_address(0)));
}

__attribute__((noinline)) Region::Region(const Task& task, std::string_view name) {
  if (!rec::active()) return;
  ThreadState& t = t_state;
  task_ = task.id();
  name_ = intern_string(t, name);
  on_ = true;
  emit_region(t, fmt::kRegionBegin, task_, name_, user_stack(t, __builtin_frame_address(0)));
}

__attribute__((noinline)) Region::~Region() {
  if (!on_ || !rec::active()) return;
  ThreadState& t = t_state;
  emit_region(t, fmt::kRegionEnd, task_, name_, user_stack(t, __builtin_frame_address(0)));
}

namespace {
__attribute__((noinline)) void log_impl(uint64_t task, std::string_view category,
                                        std::string_view message, void* fp) {
  if (!rec::active()) return;
  ThreadState& t = t_state;
  uint32_t cat = intern_string(t, category);
  emit_log(t, task, cat, message, user_stack(t, fp));
}
}  // namespace

__attribute__((noinline)) void log(std::string_view category, std::string_view message) {
  log_impl(0, category, message, __builtin_frame_address(0));
}

__attribute__((noinline)) void log(const Task& task, std::string_view category,
                                   std::string_view message) {
  log_impl(task.id(), category, message, __builtin_frame_address(0));
}

}  // namespace ft::trace
