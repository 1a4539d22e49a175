// ft::syscall(f): run a blocking call (read, write, a C library that blocks) without stalling
// the other fibers. The worker notes the entry; if the call outlasts ~20 µs the monitor thread
// hands the worker's queue to another thread (Go's sysmon hand-off), growing the thread count
// as Go does. When f returns the fiber takes a worker back, its own if it is still free.
#pragma once

#include <type_traits>
#include <utility>

namespace ft {
namespace detail {
void syscall_enter();
void syscall_exit();
}  // namespace detail

template <class F>
decltype(auto) syscall(F&& f) {
  struct Exit {
    ~Exit() { detail::syscall_exit(); }
  };
  detail::syscall_enter();
  Exit e;
  return std::forward<F>(f)();
}

}  // namespace ft
