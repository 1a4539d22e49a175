// Timers: a min-heap of deadlines fired by the monitor thread (sysmon.cpp).
//
// A Timer belongs to its creator (often a parked fiber's stack). timer_del() after the fact is
// always safe: a timer fires under the heap lock, so once timer_del() has returned its callback
// has either run to completion or will never run.
#pragma once

#include <cstdint>

namespace ft::rt {

struct Timer {
  int64_t when = 0;  // CLOCK_MONOTONIC ns
  void (*fn)(void*) = nullptr;
  void* arg = nullptr;
  int32_t idx = -1;  // heap slot, -1 when not queued
};

void timer_add(Timer* t);
bool timer_del(Timer* t);  // true if it was removed before firing
bool timers_pending();     // a queued timer, or one firing right now (dead-lock check)

void timers_run(int64_t now);  // fires every timer due at `now`
// The next deadline, or INT64_MAX. Read apart from timers_run: sysmon announces its sleep in
// between (sysmon.cpp), so that a timer added meanwhile kicks it.
int64_t timers_next();
// Forgets every queued timer (end of ft::run: their owners are abandoned fibers).
void timers_reset();

}  // namespace ft::rt
