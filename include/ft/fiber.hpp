// Fibers: Go's goroutines for C++.
//
//   int main() {
//     return ft::run([] {
//       ft::Chan<int> c;
//       ft::go([c]() mutable { c.send(42); });
//       return c.recv() == 42 ? 0 : 1;
//     });
//   }
//
// ft::run starts the workers (FT_MAXPROCS, else GOMAXPROCS, else one per hardware thread),
// runs its argument as the main fiber and returns when that returns, like Go's main. Fibers
// are scheduled M:N: any worker thread may run any fiber, and a fiber may resume on another
// thread than the one it blocked on (do not keep thread_local pointers across a blocking call).
//
// Every ft:: blocking call (channel operations, select, sleep, Mutex, WaitGroup, CondVar) parks
// the fiber, never the worker thread. A long blocking system call belongs in ft::syscall().
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <new>
#include <source_location>
#include <tuple>
#include <type_traits>
#include <typeinfo>
#include <utility>

namespace ft {
namespace trace {
struct StartFn;
}

using FiberId = uint64_t;

// Settings for ft::run; zero means "from the environment, else the default".
struct Config {
  int procs = 0;          // workers; FT_MAXPROCS, else GOMAXPROCS, else hardware threads
  size_t stack_size = 0;  // bytes per fiber stack; FT_STACK_SIZE, else 64 KiB
};

namespace detail {
struct Fiber;
using Invoke = void (*)(void*);
// Carves a fiber (and room for its closure) from a pooled stack; not yet runnable.
Fiber* fiber_new(size_t closure_size, void** closure, Invoke invoke, Invoke destroy,
                 const trace::StartFn* fn);
void fiber_start(Fiber* f);
int run_main(Invoke invoke, void* closure, const trace::StartFn* fn, const Config& cfg);
const trace::StartFn* start_fn_for_pc(const void* pc, const std::source_location& loc);
const trace::StartFn* start_fn_new(const char* type_name, const std::source_location& loc);

// Names a fiber's start function: plain functions by their address (symbolized later),
// callables by their type and the ft::go call site, once per type.
template <class F>
const trace::StartFn* start_fn(F&& f, const std::source_location& loc) {
  using D = std::decay_t<F>;
  if constexpr (std::is_pointer_v<D> && std::is_function_v<std::remove_pointer_t<D>>) {
    return start_fn_for_pc(reinterpret_cast<const void*>(static_cast<D>(f)), loc);
  } else {
    static const trace::StartFn* s = start_fn_new(typeid(D).name(), loc);
    return s;
  }
}

template <class Closure>
void invoke_closure(void* p) {
  std::apply([](auto& fn, auto&... args) { std::invoke(std::move(fn), std::move(args)...); },
             *static_cast<Closure*>(p));
}
template <class Closure>
void destroy_closure(void* p) {
  static_cast<Closure*>(p)->~Closure();
}

template <class F, class... A>
void spawn(const std::source_location& loc, F&& f, A&&... a) {
  using Closure = std::tuple<std::decay_t<F>, std::decay_t<A>...>;
  static_assert(alignof(Closure) <= 16, "closure over-aligned for a fiber stack");
  void* mem = nullptr;
  Fiber* fb = fiber_new(sizeof(Closure), &mem, &invoke_closure<Closure>, &destroy_closure<Closure>,
                        start_fn(f, loc));
  new (mem) Closure(std::forward<F>(f), std::forward<A>(a)...);
  fiber_start(fb);
}
}  // namespace detail

// ft::go(f, args...) starts a fiber running f(args...), with args decay-copied like
// std::thread: `ft::go(pass, left, right);` reads like Go's `go pass(left, right)`. One
// overload per arity so that the call site's location can follow the arguments (it names
// lambdas in traces); pass more arguments through a lambda's captures.
using Loc = std::source_location;
template <class F>
void go(F&& f, Loc l = Loc::current()) {
  detail::spawn(l, std::forward<F>(f));
}
template <class F, class A1>
void go(F&& f, A1&& a1, Loc l = Loc::current()) {
  detail::spawn(l, std::forward<F>(f), std::forward<A1>(a1));
}
template <class F, class A1, class A2>
void go(F&& f, A1&& a1, A2&& a2, Loc l = Loc::current()) {
  detail::spawn(l, std::forward<F>(f), std::forward<A1>(a1), std::forward<A2>(a2));
}
template <class F, class A1, class A2, class A3>
void go(F&& f, A1&& a1, A2&& a2, A3&& a3, Loc l = Loc::current()) {
  detail::spawn(l, std::forward<F>(f), std::forward<A1>(a1), std::forward<A2>(a2),
                std::forward<A3>(a3));
}
template <class F, class A1, class A2, class A3, class A4>
void go(F&& f, A1&& a1, A2&& a2, A3&& a3, A4&& a4, Loc l = Loc::current()) {
  detail::spawn(l, std::forward<F>(f), std::forward<A1>(a1), std::forward<A2>(a2),
                std::forward<A3>(a3), std::forward<A4>(a4));
}

// Runs main as the main fiber on a fresh set of workers; returns main's int result (or 0 for
// void). Blocked fibers left when main returns are abandoned, as in Go.
template <class F>
int run(F&& main, const Config& cfg = {},
        std::source_location loc = std::source_location::current()) {
  using R = std::invoke_result_t<F&>;
  struct Frame {
    std::remove_reference_t<F>* fn;  // a function, or a closure passed as lvalue or rvalue
    int result;
  } frame{&main, 0};
  auto invoke = [](void* p) {
    auto* fr = static_cast<Frame*>(p);
    if constexpr (std::is_convertible_v<R, int>) {
      fr->result = static_cast<int>((*fr->fn)());
    } else {
      (*fr->fn)();
    }
  };
  int rc = detail::run_main(invoke, &frame, detail::start_fn(main, loc), cfg);
  return rc != 0 ? rc : frame.result;
}

// Lets other fibers run; the caller stays runnable.
void yield();

namespace this_fiber {
FiberId id();  // 0 outside a fiber
}

// Number of workers of the running runtime (Go's GOMAXPROCS(0)).
int procs();

}  // namespace ft
