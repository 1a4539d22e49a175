// Ms and Ps (mp.cpp): starting, parking and binding threads; the idle lists; handing a P on.
// Lock rules, asserted where FT_RUNTIME_CHECKS is on: pidle_get and pidle_put with sched.mu
// held; startm, stopm, wakep and handoff_p with it not held (they take it).
#pragma once

#include "sched.hpp"

namespace ft::rt {

P* pidle_get();
void pidle_put(P* p);
void acquirep(M* m, P* p);
void releasep(M* m);
void startm(P* p, bool spinning);  // an idle M, else a new thread, runs p
void stopm(M* m);                  // parks m until it is handed a P or the runtime stops
void bind_thread(M* m);            // this thread is m from now on (nullptr: none)
void wakep();                      // starts a spinning M if a P is idle and none spins
void handoff_p(P* p);  // give a P whose M is in a syscall to another M, or to the idle list

}  // namespace ft::rt
