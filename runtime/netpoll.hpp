// The network poller (Go's netpoll.go + netpoll_epoll.go): one epoll instance for the runtime,
// every descriptor registered once, edge-triggered, for reading and writing.
//
// A poll descriptor (PollDesc, Go's pollDesc) has one semaphore per direction, rg and wg:
//   0      nothing;  kReady  an edge arrived that nobody consumed yet;
//   kWait  a fiber is about to park;  else   the parked fiber (a Fiber*).
// A fiber that got EAGAIN calls poll_wait: it moves its semaphore 0 -> kWait (or consumes a
// kReady and returns at once), checks for close and deadline, and parks with Block::IO; park's
// unlock step, on the scheduler stack, commits kWait -> its Fiber*. Whoever reports an edge,
// a close or a deadline (poll_unblock) swaps the semaphore: kReady for an edge, 0 otherwise.
// Lost wake-ups are impossible because every transition is a CAS on the one word:
//   - an edge before the fiber's CAS to kWait leaves kReady, which the fiber consumes;
//   - an edge between kWait and the commit turns kWait into kReady (or 0): the commit's CAS
//     fails, and the fiber is readied at once instead of sleeping;
//   - an edge after the commit finds the Fiber* and readies it.
// The fiber then retries its system call: readiness is a hint (edges may be stale or
// spurious), EAGAIN again just waits again.
//
// Who polls (Go's findRunnable and sysmon):
//   - an M that runs out of local and global work polls without blocking;
//   - an M about to park, when fibers wait on the poller, blocks in epoll_wait instead of its
//     futex. One at a time: `lastpoll` is 0 while one does (claimed by exchange). What it finds
//     it runs on an idle P if it gets one, else it queues it globally;
//   - sysmon polls without blocking when nobody has for kSysmonPollNs (every M busy).
// A fiber parked on the poller is counted in netpoll_waiters(): the dead-lock check does not
// call such a program dead, and sysmon keeps polling while it is non-zero.
//
// Descriptors live in a table that never shrinks (as Go's pollcache): an event that names a
// descriptor closed meanwhile finds a changed sequence number and is dropped. A PollDesc is
// freed (its fd closed) when its owner closed it and no operation is inside it any more, so a
// closed fd number is never reused while a fiber still uses it.
#pragma once

#include <atomic>
#include <cstdint>

#include "sched.hpp"
#include "spinlock.hpp"
#include "timer.hpp"

namespace ft::detail {
struct PollDesc;  // declared in <ft/net.hpp>; a Conn holds a pointer to one
}

namespace ft::rt {
using detail::PollDesc;

inline constexpr int64_t kSysmonPollNs = 10'000'000;

enum class PollErr { None, Closing, Timeout };

// Registers fd (already non-blocking) with the poller; nullptr with errno set on failure.
// A handle is the pair (pd, poll_seq(pd) at open): once the descriptor is freed and reused,
// the old handle's calls fail as closed instead of touching the new connection.
PollDesc* poll_open(int fd);
uint32_t poll_seq(const PollDesc* pd);
// The owner is done: wakes every waiter with Closing; the fd is closed once no operation is
// inside the descriptor (at once if none is). Idempotent; a stale handle does nothing.
void poll_close(PollDesc* pd, uint32_t seq);
// For a descriptor the caller does not own (wait_readable): unregisters it without closing.
void poll_forget(PollDesc* pd);
// An operation enters / leaves the descriptor; enter fails (false) once it is closing or the
// handle is stale. An operation inside keeps the fd open and its number unused.
bool poll_enter(PollDesc* pd, uint32_t seq);
void poll_leave(PollDesc* pd);
int poll_fd(const PollDesc* pd);

// mode: 'r' or 'w'. poll_check: the error an operation in that direction would get now.
PollErr poll_check(PollDesc* pd, char mode);
// Parks the fiber until the next edge, a close or the deadline; returns the reason it stops.
PollErr poll_wait(PollDesc* pd, char mode);
// Deadline in CLOCK_MONOTONIC ns (0: none; in the past: every wait fails at once). mode 'r',
// 'w' or 'b' (both).
void poll_set_deadline(PollDesc* pd, int64_t when_ns, char mode);

// The scheduler's side. netpoll_waiters: fibers parked on the poller (seq_cst; pairs with
// sysmon's announcement of a long sleep, see sysmon.cpp).
int netpoll_waiters();
// Non-blocking poll from an M with a P, unless another M is blocked polling: readies what it
// finds onto this P. Returns whether it found anything.
bool netpoll_poll_now();
// An M without a P, about to park: if fibers wait on the poller and no M polls, block in
// epoll_wait; take an idle P for what arrives. Returns the P it took (m runs it), or nullptr:
// m should park as usual (nothing to poll, someone else polls, or no P for what arrived).
P* netpoll_block(M* m);
// sysmon: poll if nobody has for kSysmonPollNs; `now` in ns.
void netpoll_sysmon(int64_t now);
// Wakes the M blocked in epoll_wait, if any (the runtime is stopping).
void netpoll_break();
// End of ft::run: fibers still parked on descriptors are abandoned; forget them.
void netpoll_reset();

}  // namespace ft::rt
