// Time: ft::sleep parks the fiber (never the worker) and ft::after is Go's time.After.
#pragma once

#include <chrono>
#include <cstdint>

#include "chan.hpp"

namespace ft {

using Clock = std::chrono::steady_clock;

namespace detail {
void sleep_ns(int64_t ns);
// Calls fn(arg) from the timer thread once ns have passed; fn must not block.
void timer_once(int64_t ns, void (*fn)(void*), void* arg);
}  // namespace detail

template <class Rep, class Per>
void sleep(std::chrono::duration<Rep, Per> d) {
  detail::sleep_ns(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
}

// A channel that receives the time once d has passed (buffered: the timer never blocks).
template <class Rep, class Per>
Chan<Clock::time_point> after(std::chrono::duration<Rep, Per> d) {
  Chan<Clock::time_point> c(1);
  detail::chan_ref(c.core());
  detail::timer_once(
      std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(),
      [](void* p) {
        auto* core = static_cast<detail::ChanCore*>(p);
        Clock::time_point now = Clock::now();
        detail::chan_try_send(core, &now);
        detail::chan_unref(core);
      },
      c.core());
  return c;
}

}  // namespace ft
