// The runtime's side of tracing: FT_TRACE=path traces a whole ft::run with no code change,
// and a trace started late begins with a GoStatus event for every fiber that exists and a
// ChanName event for every named channel.
#include "tracing.hpp"
#include "chan.hpp"
#include "ft/trace.hpp"
#include "sched.hpp"

namespace ft::rt {
namespace {
bool env_started = false;

// The running fiber's GoStatus comes first: the trace's first moment already shows it running
// (its slice starts there); the proc count and the channel names follow.
void describe_world() {
  sched.fibers.for_each([](Fiber* f) {
    trace::FiberStatus st;
    switch (f->state.load(std::memory_order_acquire)) {
      case State::Runnable:
        st = trace::FiberStatus::Runnable;
        break;
      case State::Running:
        st = trace::FiberStatus::Running;
        break;
      case State::Waiting:
        st = trace::FiberStatus::Blocked;
        break;
      case State::Syscall:
        st = trace::FiberStatus::Syscall;
        break;
      default:
        return;
    }
    rec::go_status(f->id, f->fn, st, st == trace::FiberStatus::Blocked ? f->reason : Block::None);
  });
  rec::procs(static_cast<uint32_t>(sched.procs));
  chan_describe_names();
}
}  // namespace

void trace_start_from_env() {
  rec::set_world_provider(describe_world);
  env_started = ft::trace::start_from_env();
}

void trace_stop_from_env() {
  if (env_started) ft::trace::stop_from_env();
  env_started = false;
}

void trace_stop_on_fatal() {
  if (ft::trace::tracing()) ft::trace::stop();
}

}  // namespace ft::rt
