// The monitor thread (sysmon.cpp): fires timers, hands off Ps stuck in syscalls, polls the
// network when no worker has. Its kicks are cheap when it is awake: they post its note only
// when it announced a sleep longer than the caller can wait.
#pragma once

namespace ft::rt {

void timers_start();  // ft::run's start: the monitor thread
void timers_stop();   // ft::run's end: joins it, forgets queued timers
void sysmon_kick();   // a syscall began: make sure the monitor is polling (every 20 us)
// The first fiber parked on the network poller: make sure the monitor wakes within
// kSysmonPollNs (netpoll.hpp) to poll if no worker does.
void sysmon_kick_poller();

}  // namespace ft::rt
