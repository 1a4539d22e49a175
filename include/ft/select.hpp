// select: wait on several channel operations at once, as Go's select statement.
//
//   int chosen = ft::select(
//       ft::case_recv(jobs, [](Job j) { run(j); }),            // (T), (std::optional<T>) or ()
//       ft::case_send(out, result, [] { sent = true; }),
//       ft::case_timeout(10ms, [] { puts("slow"); }),
//       ft::case_default([] { puts("nothing ready"); }));
//
// Among the cases ready at once, one is chosen uniformly at random (no case starves). With a
// case_default, select never blocks; with a case_timeout, it blocks at most that long. The
// result is the index of the chosen case in argument order.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "chan.hpp"

namespace ft {
namespace detail {
struct SelCase {
  ChanCore* chan;
  void* elem;  // send: value to move from; recv: room to construct into
  bool send;
  bool ok;  // recv: set when a value (not a close) was received
};
// Returns the chosen channel case's index, `n` when the timeout fired, -1 for the default.
int chan_select(SelCase* cases, int n, bool has_default, int64_t timeout_ns);

template <class T, class F>
struct RecvCase {
  Chan<T> chan;
  F fn;
  Slot<T> slot;
  static constexpr bool channel = true;
  SelCase sel() { return {chan.core(), slot.bytes, false, false}; }
  void done(const SelCase& c) {
    std::optional<T> v;
    if (c.ok) v = slot.take();
    if constexpr (std::is_invocable_v<F&, std::optional<T>>) {
      fn(std::move(v));
    } else if constexpr (std::is_invocable_v<F&, T>) {
      fn(v ? std::move(*v) : T{});
    } else {
      fn();
    }
  }
};
template <class T, class F>
struct SendCase {
  Chan<T> chan;
  T value;
  F fn;
  static constexpr bool channel = true;
  SelCase sel() { return {chan.core(), &value, true, false}; }
  void done(const SelCase&) { fn(); }
};
template <class F>
struct TimeoutCase {
  int64_t ns;
  F fn;
  static constexpr bool channel = false;
};
template <class F>
struct DefaultCase {
  F fn;
  static constexpr bool channel = false;
};
template <class C>
inline constexpr bool is_timeout = false;
template <class F>
inline constexpr bool is_timeout<TimeoutCase<F>> = true;
template <class C>
inline constexpr bool is_default = false;
template <class F>
inline constexpr bool is_default<DefaultCase<F>> = true;
struct Noop {
  void operator()() const {}
};
}  // namespace detail

template <class T, class F = detail::Noop>
auto case_recv(const Chan<T>& c, F fn = {}) {
  return detail::RecvCase<T, F>{c, std::move(fn), {}};
}
template <class T, class V, class F = detail::Noop>
auto case_send(const Chan<T>& c, V&& v, F fn = {}) {
  return detail::SendCase<T, F>{c, T(std::forward<V>(v)), std::move(fn)};
}
template <class Rep, class Per, class F = detail::Noop>
auto case_timeout(std::chrono::duration<Rep, Per> d, F fn = {}) {
  return detail::TimeoutCase<F>{std::chrono::duration_cast<std::chrono::nanoseconds>(d).count(),
                                std::move(fn)};
}
template <class F = detail::Noop>
auto case_default(F fn = {}) {
  return detail::DefaultCase<F>{std::move(fn)};
}

template <class... Cases>
int select(Cases&&... cases) {
  constexpr int nchan = (0 + ... + (std::remove_cvref_t<Cases>::channel ? 1 : 0));
  constexpr bool has_default = (false || ... || detail::is_default<std::remove_cvref_t<Cases>>);
  static_assert((0 + ... + (detail::is_default<std::remove_cvref_t<Cases>> ? 1 : 0)) <= 1,
                "at most one case_default");
  static_assert((0 + ... + (detail::is_timeout<std::remove_cvref_t<Cases>> ? 1 : 0)) <= 1,
                "at most one case_timeout");
  detail::SelCase sel[nchan > 0 ? nchan : 1];
  int64_t timeout = -1;
  {
    int i = 0;
    auto collect = [&](auto& c) {
      using C = std::remove_cvref_t<decltype(c)>;
      if constexpr (C::channel) {
        sel[i++] = c.sel();
      } else if constexpr (detail::is_timeout<C>) {
        timeout = c.ns < 0 ? 0 : c.ns;
      }
    };
    (collect(cases), ...);
  }
  const int r = detail::chan_select(sel, nchan, has_default, timeout);
  // Map the core's answer back to the argument index and run that case's body.
  int arg = 0, ch = 0, chosen = -1;
  auto dispatch = [&](auto& c) {
    using C = std::remove_cvref_t<decltype(c)>;
    if constexpr (C::channel) {
      if (ch++ == r) {
        chosen = arg;
        c.done(sel[r]);
      }
    } else if constexpr (detail::is_timeout<C>) {
      if (r == nchan) {
        chosen = arg;
        c.fn();
      }
    } else {
      if (r == -1) {
        chosen = arg;
        c.fn();
      }
    }
    ++arg;
  };
  (dispatch(cases), ...);
  return chosen;
}

}  // namespace ft
