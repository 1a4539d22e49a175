/* ft_bench_rusage OUT PROG [ARGS...]: runs PROG and writes its resource usage to OUT as
 *   maxrss_kb=<peak RSS, KiB> utime_us=<n> stime_us=<n> status=<exit status | -signal>
 * then exits as PROG did (128+signal when killed).
 *
 * Why not os.wait4() from Python directly: Linux carries the peak RSS of the address space a
 * process had before exec() into its ru_maxrss, and a child spawned by Python starts as a copy
 * of (or, with vfork, borrows) the ~16 MB interpreter, which then floors every figure. This
 * helper is small, so the floor is ~1 MB, as with /usr/bin/time. */
#define _GNU_SOURCE
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: ft_bench_rusage OUT PROG [ARGS...]\n");
    return 2;
  }
  pid_t pid;
  int err = posix_spawnp(&pid, argv[2], NULL, NULL, argv + 2, environ);
  if (err != 0) {
    fprintf(stderr, "ft_bench_rusage: cannot run %s: %s\n", argv[2], strerror(err));
    return 127;
  }
  int status;
  struct rusage ru;
  while (wait4(pid, &status, 0, &ru) < 0) {
    if (errno != EINTR) {
      perror("ft_bench_rusage: wait4");
      return 2;
    }
  }
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  FILE* out = fopen(argv[1], "w");
  if (!out) {
    perror(argv[1]);
    return 2;
  }
  fprintf(out, "maxrss_kb=%ld utime_us=%ld stime_us=%ld status=%d\n", ru.ru_maxrss,
          (long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec,
          (long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec, code);
  fclose(out);
  return code >= 0 ? code : 128 - code;
}
