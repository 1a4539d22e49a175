// Channels: Go's chan T.
//
//   ft::Chan<int> c;      // unbuffered: a send waits for a receiver (a handoff)
//   ft::Chan<int> b(8);   // buffered: a send waits only when 8 values are queued
//   c.send(1);            // throws ft::ChanClosed if c is closed
//   int v = c.recv();     // value-initialized T once c is closed and drained
//   auto o = c.recv_ok(); // std::nullopt once closed and drained
//   for (int v : c) ...   // receives until c is closed and drained
//
// A Chan is a cheap shared handle (one pointer, reference counted): copy it into fibers the
// way Go code passes channel values. Values are moved through the channel; T must be
// move-constructible, and value-initializable for recv().
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <new>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace ft {

// Thrown by a send on a closed channel (Go panics: "send on closed channel").
struct ChanClosed : std::runtime_error {
  ChanClosed() : std::runtime_error("send on closed channel") {}
};

namespace detail {
struct ChanCore;
struct ElemOps {
  size_t size;
  void (*move_construct)(void* dst, void* src);
  void (*destroy)(void* p);
};
template <class T>
inline constexpr ElemOps elem_ops{
    sizeof(T), [](void* d, void* s) { new (d) T(std::move(*static_cast<T*>(s))); },
    [](void* p) { static_cast<T*>(p)->~T(); }};

ChanCore* chan_new(const ElemOps* ops, long cap);
void chan_ref(ChanCore* c);
void chan_unref(ChanCore* c);
void chan_send(ChanCore* c, void* elem);     // moves *elem in; throws ChanClosed
bool chan_recv(ChanCore* c, void* out);      // constructs *out; false: closed, drained
int chan_try_send(ChanCore* c, void* elem);  // 1 sent, 0 would block; throws ChanClosed
int chan_try_recv(ChanCore* c, void* out);   // 1 got, 0 would block, -1 closed+drained
void chan_close(ChanCore* c);
size_t chan_len(const ChanCore* c);
size_t chan_cap(const ChanCore* c);
uint64_t chan_id(const ChanCore* c);
void chan_set_name(ChanCore* c, std::string_view name);

// Raw, suitably aligned room for one T that may or may not hold a value.
template <class T>
struct Slot {
  alignas(T) unsigned char bytes[sizeof(T)];
  T* ptr() { return std::launder(reinterpret_cast<T*>(bytes)); }
  T take() {
    T v(std::move(*ptr()));
    ptr()->~T();
    return v;
  }
};
}  // namespace detail

template <class T>
class Chan {
 public:
  using value_type = T;

  Chan() : Chan(0) {}
  // cap < 0 is a misuse and throws std::invalid_argument.
  explicit Chan(long cap) : c_(detail::chan_new(&detail::elem_ops<T>, cap)) {}
  Chan(const Chan& o) : c_(o.c_) { detail::chan_ref(c_); }
  Chan(Chan&& o) noexcept : c_(std::exchange(o.c_, nullptr)) {}
  Chan& operator=(Chan o) noexcept {
    std::swap(c_, o.c_);
    return *this;
  }
  ~Chan() {
    if (c_) detail::chan_unref(c_);
  }

  void send(T v) { detail::chan_send(c_, &v); }
  T recv() {
    detail::Slot<T> s;
    return detail::chan_recv(c_, s.bytes) ? s.take() : T{};
  }
  std::optional<T> recv_ok() {
    detail::Slot<T> s;
    if (!detail::chan_recv(c_, s.bytes)) return std::nullopt;
    return s.take();
  }
  // Sends only if that needs no waiting; throws ChanClosed on a closed channel.
  bool try_send(T v) { return detail::chan_try_send(c_, &v) == 1; }
  // A value if one is ready now; nullopt if none is (or the channel is closed and drained).
  std::optional<T> try_recv() {
    detail::Slot<T> s;
    if (detail::chan_try_recv(c_, s.bytes) != 1) return std::nullopt;
    return s.take();
  }
  // Wakes every waiting receiver (they get the zero value / nullopt) and sender (they throw).
  // Closing a closed channel is a misuse: a fatal error, as Go's panic.
  void close() { detail::chan_close(c_); }

  size_t size() const { return detail::chan_len(c_); }
  size_t capacity() const { return detail::chan_cap(c_); }
  uint64_t id() const { return detail::chan_id(c_); }
  // Names the channel in traces (unblock flows carry it).
  Chan& name(std::string_view n) {
    detail::chan_set_name(c_, n);
    return *this;
  }
  detail::ChanCore* core() const { return c_; }

  friend bool operator==(const Chan& a, const Chan& b) { return a.c_ == b.c_; }

  class iterator {
   public:
    using value_type = T;
    using difference_type = std::ptrdiff_t;
    explicit iterator(Chan* c) : c_(c) { ++*this; }
    iterator() = default;
    T& operator*() { return *v_; }
    iterator& operator++() {
      v_ = c_->recv_ok();
      return *this;
    }
    void operator++(int) { ++*this; }
    bool operator==(std::default_sentinel_t) const { return !v_.has_value(); }

   private:
    Chan* c_ = nullptr;
    std::optional<T> v_;
  };
  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() { return {}; }

 private:
  detail::ChanCore* c_;
};

}  // namespace ft
