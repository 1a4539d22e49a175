#!/usr/bin/env python3
"""fibertrace vs Go 1.19, side by side (bench/README.md).

One command builds the C++ programs (CMake) and their Go twins (go build), runs each pair N
times, alternating C++ and Go, and prints two tables:

  1. runtime: fibertrace median time, Go median time, ratio ft/go, peak RSS of each;
  2. tracing overhead: each program untraced vs traced (FT_TRACE=... for C++, GOTRACE_OUT=...
     for Go, which calls runtime/trace.Start), traced/untraced ratios, and bytes per event.

Times are the programs' own `elapsed_ns=` lines (the measured part, runtime start-up excluded
on both sides); peak RSS is the child's ru_maxrss from wait4() in a small helper. Targets are printed beside the
figures; missing one does not fail the run. A crash, hang or wrong result does: it is reported
and the exit status is 1. Only the Python standard library is used.
"""

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)

# name -> (expected result line, description, tracer target traced/untraced or None)
PROGRAMS = {
    "daisy": ("100000", "daisy chain, 100 000 pass fibers", 1.10),
    "skynet": ("499999500000", "skynet, 1 000 000 leaves (10-ary)", 1.10),
    "pingpong": ("1000000", "unbuffered ping-pong, 1 000 000 round trips", 1.25),
    "prodcons": ("7999998000000", "buffered chan cap 128, 4 prod/4 cons, 4 000 000 items", None),
    "spawn": ("499999500000", "create+run+join 1 000 000 fibers (WaitGroup)", None),
}
RUNTIME_TARGET = 0.5  # ft time / Go time
BYTES_PER_EVENT_TARGET = 4.0


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(cmd, env=None, cwd=None):
    log("+ " + " ".join(cmd))
    r = subprocess.run(cmd, env=env, cwd=cwd, stdout=sys.stderr)  # stdout: the tables only
    if r.returncode != 0:
        sys.exit(f"bench: command failed ({r.returncode}): {' '.join(cmd)}")


# ---------------------------------------------------------------------------------------------
# Build


def cmake_home(build_dir):
    try:
        with open(os.path.join(build_dir, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith("CMAKE_HOME_DIRECTORY:"):
                    return os.path.realpath(line.split("=", 1)[1].strip())
    except OSError:
        pass
    return None


def cpp_outputs(build_dir):
    """The C++ programs, the event counter and the rusage helper in a build dir. A configuration
    of the whole tree puts them in its bench/ subdirectory, a standalone configuration of bench/
    in the build dir itself. Decided from the build dir alone: the sources it was configured
    from (a --commit worktree) may be gone."""
    sub = os.path.join(build_dir, "bench")
    if not os.path.isdir(os.path.join(sub, "programs")):
        sub = build_dir
    return ({p: os.path.join(sub, "programs", p) for p in PROGRAMS},
            os.path.join(sub, "ft_bench_trace_count"), os.path.join(sub, "ft_bench_rusage"))


def go_outputs(build_dir):
    """The Go twins, `go` and the environment they are built and traced with."""
    out = os.path.join(build_dir, "go")
    env = dict(os.environ)
    env.update(GOCACHE=os.path.join(out, "gocache"), GOPATH=os.path.join(out, "gopath"),
               GOPROXY="off", GOFLAGS="", GO111MODULE="on", GOTOOLCHAIN="local",
               GOWORK="off")
    return {p: os.path.join(out, "bin", p) for p in PROGRAMS}, shutil.which("go"), env


def require_executables(paths, why):
    for p in paths:
        if not os.access(p, os.X_OK):
            sys.exit(f"bench: {why}: {p}")


def build_cpp(build_dir, bench_src, jobs):
    if cmake_home(build_dir) is None:
        # Standalone configuration of bench/ (pulls in only tracer/ and runtime/), so that work
        # in progress elsewhere in the tree cannot stop the benchmarks from building.
        # The project's default build type, dynamically linked: how users build (issue 13).
        sh(["cmake", "-S", bench_src, "-B", build_dir, "-DCMAKE_BUILD_TYPE=RelWithDebInfo"])
    sh(["cmake", "--build", build_dir, "-j", str(jobs), "--target", "ft_bench"])
    bins, counter, helper = cpp_outputs(build_dir)
    require_executables(list(bins.values()) + [counter, helper], "built but not found")
    return bins, counter, helper


def build_go(build_dir, bench_src):
    bins, go, env = go_outputs(build_dir)
    if not go:
        sys.exit("bench: `go` not found (Debian: apt-get install golang-go)")
    out = os.path.join(build_dir, "go", "bin")
    os.makedirs(out, exist_ok=True)
    sh([go, "build", "-o", out + "/"] + ["./" + p for p in PROGRAMS],
       env=env, cwd=os.path.join(bench_src, "go"))
    return bins, go, env


def tool_versions(go):
    def first_line(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
        except (OSError, IndexError):
            return "?"
    return first_line(["c++", "--version"]), first_line([go, "version"])


# ---------------------------------------------------------------------------------------------
# Running one program


class Run:
    def __init__(self, ok, elapsed_ns=None, rss_kb=None, cpu_s=None, why=""):
        self.ok, self.elapsed_ns, self.rss_kb, self.cpu_s, self.why = ok, elapsed_ns, rss_kb, cpu_s, why


def run_once(helper, argv, env, expected, timeout):
    """Runs argv under the rusage helper (bench/tools/rusage_run.c); returns a Run with the
    program's elapsed_ns and the child's peak RSS (KiB)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(mode="r", suffix=".rusage") as ru_file:
        p = subprocess.Popen([helper, ru_file.name] + argv, stdout=out, stderr=err, env=env,
                             start_new_session=True)
        hung = False
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            hung = True
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode(errors="replace")
        stderr = err.read().decode(errors="replace")
        ru = dict(kv.split("=", 1) for kv in ru_file.read().split())
    fields = dict(l.split("=", 1) for l in stdout.splitlines() if "=" in l)
    tail = " | ".join(stderr.strip().splitlines()[-3:])
    if hung:
        return Run(False, why=f"HANG: killed after {timeout:.0f} s; stderr: {tail!r}")
    code = int(ru.get("status", p.returncode))
    if code != 0:
        what = (f"killed by signal {-code} ({signal.Signals(-code).name})" if code < 0
                else f"exit status {code}")
        return Run(False, why=f"{what}; result={fields.get('result')}; stderr: {tail!r}")
    if fields.get("result") != expected:
        return Run(False, why=f"WRONG RESULT {fields.get('result')!r}, expected {expected}")
    try:
        ns = int(fields["elapsed_ns"])
    except (KeyError, ValueError):
        return Run(False, why=f"no elapsed_ns= line in output {stdout!r}")
    cpu = (int(ru["utime_us"]) + int(ru["stime_us"])) / 1e6
    return Run(True, ns, int(ru["maxrss_kb"]), cpu)


# ---------------------------------------------------------------------------------------------
# Trace statistics


def find_fibertrace(explicit):
    """The CLI for `stats`: --fibertrace, else one on PATH, else none (the tracer's reader, built
    with the programs from the same sources, counts instead). Build dirs in the checkout are not
    searched: they may hold a CLI from an older trace format."""
    return explicit or shutil.which("fibertrace")


def ft_trace_stats(path, fibertrace, counter):
    """(events, bytes, how) of a fibertrace trace: `fibertrace stats --json` when the CLI exists,
    else the tracer's own reader (bench/tools/trace_count.cpp)."""
    if fibertrace:
        r = subprocess.run([fibertrace, "stats", path, "--json"], capture_output=True, text=True)
        try:
            j = json.loads(r.stdout)
            return int(j["events"]), int(j["bytes"]), "fibertrace stats --json"
        except (ValueError, KeyError, TypeError):
            log(f"bench: `{fibertrace} stats {path} --json` gave no events/bytes "
                f"(status {r.returncode}: {r.stderr.strip()[:200]}); using the tracer's reader")
    r = subprocess.run([counter, path], capture_output=True, text=True)
    try:
        j = json.loads(r.stdout)
    except ValueError:
        return None, os.path.getsize(path), f"reader failed: {r.stderr.strip()[:200]}"
    if not j.get("ok"):
        log(f"bench: trace {path} is damaged: {j.get('error')}")
    return int(j["events"]), int(j["bytes"]), "tracer reader (CLI absent)"


def go_trace_stats(path, go, env, timeout):
    """(events, bytes) of a Go 1.19 trace: events as `go tool trace -d` parses them (one line
    each). Slow: Go's parser needs ~25 s for a 6M-event trace here."""
    size = os.path.getsize(path)
    try:
        p = subprocess.Popen([go, "tool", "trace", "-d", path], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env)
        n = 0
        deadline = time.monotonic() + timeout
        while True:
            chunk = p.stdout.read(1 << 20)
            if not chunk:
                break
            n += chunk.count(b"\n")
            if time.monotonic() > deadline:
                p.kill()
                p.wait()
                return None, size
        if p.wait() != 0:
            return None, size
        return n, size
    except OSError:
        return None, size


# ---------------------------------------------------------------------------------------------
# Tables


def med(runs, attr):
    vals = [getattr(r, attr) for r in runs if r.ok]
    return statistics.median(vals) if vals else None


def spread(runs):
    vals = [r.elapsed_ns for r in runs if r.ok]
    if len(vals) < 2:
        return ""
    return f"±{(max(vals) - min(vals)) / 2 / statistics.median(vals) * 100:.0f}%"


def ms(ns):
    return "FAIL" if ns is None else f"{ns / 1e6:.1f}"


def mb(kb):
    return "FAIL" if kb is None else f"{kb / 1024:.1f}"


def ratio(a, b):
    return None if a is None or b is None or b == 0 else a / b


def fmt_ratio(r, digits=2):
    return "n/a" if r is None else f"{r:.{digits}f}"


def print_table(title, header, rows, notes=()):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = "  ".join("-" * w for w in widths)
    print()
    print(title)
    print("  ".join(str(h).ljust(w) if i == 0 else str(h).rjust(w)
                    for i, (h, w) in enumerate(zip(header, widths))))
    print(line)
    for r in rows:
        print("  ".join(str(c).ljust(w) if i == 0 else str(c).rjust(w)
                        for i, (c, w) in enumerate(zip(r, widths))))
    for n in notes:
        print(n)
    sys.stdout.flush()


# ---------------------------------------------------------------------------------------------


def add_common_args(ap, runs_help, quick_help, procs_help, timeout):
    """The options run.py and viewer.py share; rounds_and_go_events() reads them back."""
    ap.add_argument("-n", "--runs", type=int, default=None, help=runs_help)
    ap.add_argument("--quick", action="store_true", help=quick_help)
    ap.add_argument("--go-events", dest="go_events", action="store_true", default=None,
                    help="count Go trace events with `go tool trace -d` (~25 s per trace; "
                         "default: on unless --quick)")
    ap.add_argument("--no-go-events", dest="go_events", action="store_false")
    ap.add_argument("--procs", type=int, default=os.cpu_count(), help=procs_help)
    ap.add_argument("--timeout", type=float, default=timeout,
                    help=f"seconds before one step is a hang (default {timeout:g})")
    ap.add_argument("--keep-traces", action="store_true")
    ap.add_argument("-j", "--jobs", type=int, default=2)


def rounds_and_go_events(a, default_runs):
    runs = a.runs or (1 if a.quick else default_runs)
    return runs, (not a.quick) if a.go_events is None else a.go_events


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    add_common_args(ap, "runs per program and side (5)",
                    "CI smoke: 1 run each, no Go trace parsing (unless --go-events)",
                    "FT_MAXPROCS = GOMAXPROCS for both sides (default: hardware threads)", 120.0)
    ap.add_argument("--programs", default=",".join(PROGRAMS),
                    help="comma-separated subset of: " + ",".join(PROGRAMS))
    ap.add_argument("--no-trace", action="store_true", help="skip the tracing-overhead table")
    ap.add_argument("--build-dir", default=None,
                    help="default: build-bench in the checkout (build-bench-<sha> with --commit)")
    ap.add_argument("--commit", default=None,
                    help="benchmark a commit (e.g. HEAD) from a clean git worktree in /tmp "
                         "instead of the working tree with everyone's uncommitted edits")
    ap.add_argument("--no-build", action="store_true", help="use the binaries already built")
    ap.add_argument("--fibertrace", default=None, help="path of the fibertrace CLI (stats)")
    a = ap.parse_args()
    runs, go_events = rounds_and_go_events(a, 5)
    progs = [p.strip() for p in a.programs.split(",") if p.strip()]
    for p in progs:
        if p not in PROGRAMS:
            sys.exit(f"bench: unknown program {p!r}; known: {', '.join(PROGRAMS)}")
    bench_src = BENCH
    default_build = os.path.join(ROOT, "build-bench")
    if a.commit:
        sha = subprocess.run(["git", "-C", ROOT, "rev-parse", "--verify", a.commit + "^{commit}"],
                             capture_output=True, text=True).stdout.strip()
        if not sha:
            sys.exit(f"bench: no such commit {a.commit!r}")
        wt = os.path.join(tempfile.gettempdir(), f"ft-bench-wt-{sha[:12]}")
        if not os.path.isdir(wt):
            sh(["git", "-C", ROOT, "worktree", "add", "--detach", wt, sha])
        bench_src = os.path.join(wt, "bench")
        if not os.path.isfile(os.path.join(bench_src, "CMakeLists.txt")):
            sys.exit(f"bench: commit {sha[:12]} has no bench/")
        default_build = os.path.join(ROOT, f"build-bench-{sha[:12]}")
    build_dir = os.path.abspath(a.build_dir or default_build)

    # Build both sides (or find what was built).
    if a.no_build:
        ft_bins, counter, helper = cpp_outputs(build_dir)
        go_bins, go, go_env = go_outputs(build_dir)
        go = go or "go"
    else:
        ft_bins, counter, helper = build_cpp(build_dir, bench_src, a.jobs)
        go_bins, go, go_env = build_go(build_dir, bench_src)
    fibertrace = find_fibertrace(a.fibertrace)

    env = {k: v for k, v in os.environ.items()
           if k not in ("FT_TRACE", "GOTRACE_OUT", "FT_STACK_SIZE", "GOGC", "GODEBUG")}
    env["FT_MAXPROCS"] = env["GOMAXPROCS"] = str(a.procs)
    tmp = tempfile.mkdtemp(prefix="ft-bench-")
    traced = not a.no_trace

    cxx, gov = tool_versions(go)
    print(f"fibertrace bench — {time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} hardware "
          f"threads, FT_MAXPROCS=GOMAXPROCS={a.procs}, {runs} run(s) per cell, medians")
    src = (f"commit {a.commit} (worktree {os.path.dirname(bench_src)})" if a.commit else
           f"working tree {ROOT} @ " + subprocess.run(
               ["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
               text=True).stdout.strip())
    print(f"  source: {src}; build: {build_dir}")
    print(f"  {cxx}; {gov}; load average at start: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sys.stdout.flush()

    # res[(prog, side, traced)] -> [Run]
    res = {}
    failures = []
    for i in range(runs):
        for p in progs:
            expected = PROGRAMS[p][0]
            modes = [False, True] if traced else [False]
            for tr in modes:
                for side, binp in (("ft", ft_bins[p]), ("go", go_bins[p])):
                    e = dict(env)
                    if tr:
                        tpath = os.path.join(tmp, f"{p}.{side}.trace")
                        e["FT_TRACE" if side == "ft" else "GOTRACE_OUT"] = tpath
                    r = run_once(helper, [binp], e, expected, a.timeout)
                    res.setdefault((p, side, tr), []).append(r)
                    tag = f"{p} {'fibertrace' if side == 'ft' else 'go'}{' traced' if tr else ''}"
                    if r.ok:
                        log(f"[{i + 1}/{runs}] {tag}: {r.elapsed_ns / 1e6:.1f} ms, "
                            f"{r.rss_kb / 1024:.1f} MB")
                    else:
                        env_s = (f"FT_TRACE={e['FT_TRACE']} " if "FT_TRACE" in e else "") + \
                                (f"GOTRACE_OUT={e['GOTRACE_OUT']} " if "GOTRACE_OUT" in e else "")
                        msg = (f"{tag}, run {i + 1}: `FT_MAXPROCS={a.procs} GOMAXPROCS={a.procs} "
                               f"{env_s}{binp}`: {r.why}")
                        failures.append(msg)
                        log("FAILED: " + msg)

    # Table 1: runtime.
    rows = []
    for p in progs:
        f, g = res[(p, "ft", False)], res[(p, "go", False)]
        ft_t, go_t = med(f, "elapsed_ns"), med(g, "elapsed_ns")
        ft_m, go_m = med(f, "rss_kb"), med(g, "rss_kb")
        r = ratio(ft_t, go_t)
        rr = ratio(ft_m, go_m)
        rows.append([p, f"{ms(ft_t)} {spread(f)}", f"{ms(go_t)} {spread(g)}", fmt_ratio(r),
                     "yes" if r is not None and r <= RUNTIME_TARGET else "no",
                     mb(ft_m), mb(go_m), fmt_ratio(rr),
                     "yes" if rr is not None and rr <= 1.0 else "no"])
    print_table(
        "Runtime: fibertrace vs Go (time of the measured part, ms; peak RSS, MB)",
        ["program", "ft ms", "go ms", "ft/go", "≤0.50?", "ft RSS", "go RSS", "RSS ft/go",
         "≤1.00?"], rows,
        ["targets: time ratio ft/go ≤ 0.50 (twice Go's speed), RSS ≤ Go's.  ±: half the "
         "min–max range over the runs, % of median."] +
        [f"  {p}: {PROGRAMS[p][1]}" for p in progs])

    # Table 2: tracing overhead.
    if traced:
        rows = []
        notes = []
        how_ft = set()
        for p in progs:
            fu, ft_ = med(res[(p, "ft", False)], "elapsed_ns"), med(res[(p, "ft", True)], "elapsed_ns")
            gu, gt = med(res[(p, "go", False)], "elapsed_ns"), med(res[(p, "go", True)], "elapsed_ns")
            fr, gr = ratio(ft_, fu), ratio(gt, gu)
            target = PROGRAMS[p][2]
            # Bytes per event: the trace of the last traced run of each side.
            fpath = os.path.join(tmp, f"{p}.ft.trace")
            gpath = os.path.join(tmp, f"{p}.go.trace")
            fev = fby = gev = gby = None
            if os.path.exists(fpath) and res[(p, "ft", True)][-1].ok:
                fev, fby, how = ft_trace_stats(fpath, fibertrace, counter)
                how_ft.add(how)
            if os.path.exists(gpath) and res[(p, "go", True)][-1].ok:
                gby = os.path.getsize(gpath)
                if go_events:
                    log(f"bench: parsing {gpath} with `go tool trace -d` (slow)...")
                    gev, gby = go_trace_stats(gpath, go, go_env, max(a.timeout, 300))
            fbpe = ratio(fby, fev)
            gbpe = ratio(gby, gev)
            fnse = None if fev is None or ft_ is None or fu is None else (ft_ - fu) / fev
            gnse = None if gev is None or gt is None or gu is None else (gt - gu) / gev
            rows.append([
                p, ms(fu), ms(ft_), fmt_ratio(fr), ("≤%.2f" % target) if target else "—",
                ("yes" if fr is not None and fr <= target else "no") if target else "",
                ms(gu), ms(gt), fmt_ratio(gr),
                "n/a" if fev is None else f"{fev / 1e6:.2f}M",
                fmt_ratio(fbpe), fmt_ratio(fnse, 1),
                "n/a" if gev is None else f"{gev / 1e6:.2f}M",
                fmt_ratio(gbpe), fmt_ratio(gnse, 1)])
        notes.append("targets: traced/untraced ping-pong ≤ 1.25, skynet and daisy ≤ 1.10 (stacks "
                     "on, the default); ≤ 4 bytes per event on average.")
        notes.append("ev = events in the trace of the last traced run; B/ev = trace bytes / ev; "
                     "ns/ev = (traced - untraced median) / ev, the added cost per event.")
        notes.append("fibertrace events from: " + (", ".join(sorted(how_ft)) or "n/a") +
                     ("" if fibertrace else "  (no fibertrace CLI found: `fibertrace stats "
                      "--json` not used)"))
        if go_events:
            notes.append("Go events: lines of `go tool trace -d` (Go 1.19's own parser).")
        else:
            notes.append("Go events: n/a — parsing with `go tool trace -d` takes ~25 s per "
                         "6M-event trace; skipped (--quick or --no-go-events; use --go-events).")
        print_table(
            "Tracing overhead: untraced vs traced (FT_TRACE=file / GOTRACE_OUT=file → "
            "runtime/trace), ms",
            ["program", "ft", "ft traced", "ratio", "target", "met?", "go", "go traced", "ratio",
             "ft ev", "ft B/ev", "ft ns/ev", "go ev", "go B/ev", "go ns/ev"], rows, notes)

    return finish(tmp, a.keep_traces, failures)


def finish(tmp, keep_traces, failures):
    """Drops (or names) the trace directory; lists failures; the driver's exit status."""
    if keep_traces:
        print(f"traces kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print()
        print(f"FAILURES ({len(failures)}) — crashes, hangs or wrong results; not counted above:")
        for f in failures:
            print("  " + f)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
