// The buffer of a buffered channel: a bounded multi-producer multi-consumer queue of
// type-erased values that senders and receivers use without the channel's lock (Vyukov's
// bounded queue, with lap-stamped positions as in crossbeam's ArrayQueue, and a mark bit in
// `tail` for close).
//
// Why lock-free: with fibers on two workers hammering one channel, a lock moves its cache
// line between the cores on every operation (~40 ns here). Here senders touch `tail`,
// receivers `head` (separate lines), and a value's cell moves once per cache line of cells.
//
// Positions: head and tail are `lap | index` with index < cap; a lap is `one_lap` (a power of
// two above the index bits and the mark bit). Cell i's stamp says whose turn it is: stamp ==
// tail means a sender may fill it, stamp == head + 1 means a receiver may take it. A sender
// claims a cell by CAS on tail, writes the value, then publishes it by storing the stamp; a
// receiver that finds tail moved past a cell whose stamp is not yet published spins (the
// sender is a few instructions from publishing), so no value is ever skipped.
//
// Close sets the mark bit in tail: pushes fail from then on, and a pop that finds the ring
// empty with the mark set reports Closed. Values pushed before the mark are still received.
//
// Every operation on head/tail is seq_cst: the channel's waiter protocol (chan.cpp) relies on
// "push, then read the receiver count" against "count a receiver, then read tail".
#pragma once

#include <atomic>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <new>

#include "ft/chan.hpp"
#include "futex.hpp"

namespace ft::rt {
using detail::ElemOps;

class Ring {
 public:
  enum Result { Ok, Blocked, Closed };  // Blocked: full for push, empty for pop

  Ring(const ElemOps* ops, uint64_t cap)
      : cap_(cap),
        mark_(std::bit_ceil(cap + 1)),
        one_lap_(mark_ * 2),
        ops_(ops),
        stamps_(new std::atomic<uint64_t>[cap]),
        vals_(static_cast<char*>(std::aligned_alloc(64, (cap * ops->size + 63) / 64 * 64))) {
    if (!vals_) throw std::bad_alloc();
    for (uint64_t i = 0; i < cap; ++i) stamps_[i].store(i, std::memory_order_relaxed);
  }
  ~Ring() {
    while (pop(nullptr) == Ok) {
    }
    std::free(vals_);
    delete[] stamps_;
  }
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;

  // Moves *elem in. Uncontended: one CAS, one move, one store (~15 ns).
  Result push(void* elem) {
    uint64_t t = tail_.load(std::memory_order_relaxed);
    for (rt::Backoff b;; b.snooze()) {
      if (t & mark_) return Closed;
      const uint64_t i = t & (mark_ - 1);
      const uint64_t s = stamps_[i].load(std::memory_order_acquire);
      if (s == t) {
        const uint64_t next = i + 1 < cap_ ? t + 1 : (t & ~(one_lap_ - 1)) + one_lap_;
        if (tail_.compare_exchange_weak(t, next, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
          ops_->move_construct(val(i), elem);
          stamps_[i].store(t + 1, std::memory_order_release);
          return Ok;
        }
      } else if (s + one_lap_ == t + 1) {
        // The cell still holds last lap's value: full, unless a receiver is taking it.
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (head_.load(std::memory_order_relaxed) + one_lap_ == t) return Blocked;
        t = tail_.load(std::memory_order_relaxed);
      } else {
        t = tail_.load(std::memory_order_relaxed);  // another sender moved tail on
      }
    }
  }

  // Moves the oldest value into *out (destroys it when out is null). Same cost as push.
  Result pop(void* out) {
    uint64_t h = head_.load(std::memory_order_relaxed);
    for (rt::Backoff b;; b.snooze()) {
      const uint64_t i = h & (mark_ - 1);
      const uint64_t s = stamps_[i].load(std::memory_order_acquire);
      if (s == h + 1) {
        const uint64_t next = i + 1 < cap_ ? h + 1 : (h & ~(one_lap_ - 1)) + one_lap_;
        if (head_.compare_exchange_weak(h, next, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
          if (out) ops_->move_construct(out, val(i));
          ops_->destroy(val(i));
          stamps_[i].store(h + one_lap_, std::memory_order_release);
          return Ok;
        }
      } else if (s == h) {
        // Nothing published in this cell: empty, unless a sender has claimed it already.
        std::atomic_thread_fence(std::memory_order_seq_cst);
        const uint64_t t = tail_.load(std::memory_order_relaxed);
        if ((t & ~mark_) == h) return (t & mark_) ? Closed : Blocked;
        h = head_.load(std::memory_order_relaxed);
      } else {
        h = head_.load(std::memory_order_relaxed);  // another receiver moved head on
      }
    }
  }

  // Marks the ring closed; returns false if it already was.
  bool close() { return !(tail_.fetch_or(mark_, std::memory_order_seq_cst) & mark_); }

  // Hints for a waiter that has just registered (after a seq_cst fence): might a pop / a push
  // succeed or report Closed now? A stale "yes" only costs the caller a retry.
  bool may_pop() const {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const uint64_t t = tail_.load(std::memory_order_relaxed);
    return (t & mark_) || t != head_.load(std::memory_order_relaxed);
  }
  bool may_push() const {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const uint64_t t = tail_.load(std::memory_order_relaxed);
    return (t & mark_) || head_.load(std::memory_order_relaxed) + one_lap_ != t;
  }

  uint64_t size() const {
    for (;;) {
      const uint64_t t = tail_.load(std::memory_order_seq_cst) & ~mark_;
      const uint64_t h = head_.load(std::memory_order_seq_cst);
      if ((tail_.load(std::memory_order_seq_cst) & ~mark_) != t) continue;
      const uint64_t hi = h & (mark_ - 1), ti = t & (mark_ - 1);
      if (hi < ti) return ti - hi;
      if (hi > ti) return cap_ - hi + ti;
      return t == h ? 0 : cap_;
    }
  }

 private:
  char* val(uint64_t i) { return vals_ + i * ops_->size; }

  alignas(64) std::atomic<uint64_t> head_{0};  // receivers' line
  alignas(64) std::atomic<uint64_t> tail_{0};  // senders' line
  alignas(64) const uint64_t cap_, mark_, one_lap_;
  const ElemOps* ops_;
  std::atomic<uint64_t>* stamps_;
  char* vals_;
};

}  // namespace ft::rt
