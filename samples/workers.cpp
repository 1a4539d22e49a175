// A worker pool: `worker` fibers take jobs from a buffered channel and add their results to a
// total guarded by an ft::Mutex; main waits for them with an ft::WaitGroup. The update holds
// the mutex across a 100 µs sleep (a stand-in for a slow write under a lock), so the workers
// queue up on the mutex: the synchronization blocking profile shows them in `mutex`, and main
// in `wait group`.
//
//   FT_TRACE=workers.trace ./workers        4 workers, 40 jobs: prints "sum of squares 1..40 =
//   22140" FT_TRACE=workers.trace ./workers 8 200  8 workers, 200 jobs
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <ft/ft.hpp>

using namespace std::chrono_literals;

struct Total {
  ft::Mutex mu;
  long sum = 0;
  long jobs = 0;
};

void worker(ft::Chan<long> jobs, Total* total, ft::WaitGroup* wg) {
  for (long job : jobs) {
    long result = job * job;  // the work itself is quick
    std::lock_guard<ft::Mutex> lock(total->mu);
    ft::sleep(100us);  // the slow part, done while holding the lock
    total->sum += result;
    total->jobs++;
  }
  wg->done();
}

int main(int argc, char** argv) {
  long nworkers = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 4;
  long njobs = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 40;
  if (nworkers < 1 || njobs < 0) {
    std::fprintf(stderr, "usage: workers [workers >= 1] [jobs >= 0]\n");
    return 1;
  }
  return ft::run([=] {
    ft::Chan<long> jobs(16);
    Total total;
    ft::WaitGroup wg;
    wg.add(nworkers);
    for (long i = 0; i < nworkers; ++i) ft::go(worker, jobs, &total, &wg);
    for (long j = 1; j <= njobs; ++j) jobs.send(j);
    jobs.close();
    wg.wait();
    std::printf("sum of squares 1..%ld = %ld (%ld jobs)\n", njobs, total.sum, total.jobs);
  });
}
