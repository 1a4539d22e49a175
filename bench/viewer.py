#!/usr/bin/env python3
"""fibertrace export/view vs `go tool trace` (Go 1.19) on the ping-pong trace (bench/README.md).

Traces bench/programs/pingpong (FT_TRACE=..., ~6M events) and its Go twin (GOTRACE_OUT=...),
then for N rounds, alternating the sides, measures:

  (a) export: `fibertrace export TRACE -o out.json` (wall, CPU, peak RSS) against
      `go tool trace`: start to "Trace viewer is listening on ..." (ready), then GET /jsontrace
      (the whole trace's JSON in one response), ready + JSON;
  (b) view: `fibertrace view TRACE --no-browser` start to the first complete paint of View
      trace in headless Chromium (test/browser/bench_view.mjs, run as is), beside Go's time to
      ready; and bench_view.mjs's frame paint time of a zoom (W).

Prints medians with targets beside them (export >= 10x faster than Go's ready + JSON; first
paint <= 1/10 of Go's ready). Missing a target never fails the run; a failed command does (exit
status 1). Python standard library only; shares the build and helpers of bench/run.py.
"""

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.dont_write_bytecode = True  # no bench/__pycache__ from importing run.py
import run  # noqa: E402  bench/run.py: build, helpers, table printing

BENCH = run.BENCH
ROOT = run.ROOT
PROGRAM = "pingpong"
EXPORT_TARGET = 10.0  # Go (ready + JSON) / fibertrace export
VIEW_TARGET = 0.10  # fibertrace first paint / Go ready
BENCH_VIEW = os.path.join(ROOT, "test", "browser", "bench_view.mjs")
log = run.log


# ---------------------------------------------------------------------------------------------
# Build


def build_cli(build_dir, jobs):
    """The CLI needs exporter/ and server/ as well, which the standalone bench/ configuration
    does not have: a Release configuration of the whole tree with tests, samples and benchmarks
    off, building only the `fibertrace` target."""
    if run.cmake_home(build_dir) is None:
        run.sh(["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                "-DFT_BUILD_TESTS=OFF", "-DFT_BUILD_SAMPLES=OFF", "-DFT_BUILD_BENCH=OFF"])
    run.sh(["cmake", "--build", build_dir, "-j", str(jobs), "--target", "fibertrace"])
    exe = os.path.join(build_dir, "cli", "fibertrace")
    if not os.access(exe, os.X_OK):
        sys.exit(f"bench: built but not found: {exe}")
    return exe


def build_type_of(exe):
    """CMAKE_BUILD_TYPE of the build directory the executable lives in, if it is one."""
    d = os.path.dirname(os.path.abspath(exe))
    for _ in range(3):
        try:
            with open(os.path.join(d, "CMakeCache.txt")) as f:
                for line in f:
                    if line.startswith("CMAKE_BUILD_TYPE:"):
                        return line.split("=", 1)[1].strip() or "(none: unoptimized)"
        except OSError:
            d = os.path.dirname(d)
    return "?"


# ---------------------------------------------------------------------------------------------
# Measurements


class M:
    """One measurement: ok, a dict of values, or why it failed."""

    def __init__(self, ok, why="", **vals):
        self.ok, self.why, self.vals = ok, why, vals


def ft_export(helper, fibertrace, trace, out, timeout):
    with tempfile.NamedTemporaryFile(mode="r", suffix=".rusage") as ru_file:
        t0 = time.perf_counter()
        try:
            r = subprocess.run([helper, ru_file.name, fibertrace, "export", trace, "-o", out],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
        except subprocess.TimeoutExpired:
            return M(False, f"HANG: killed after {timeout:.0f} s")
        wall = time.perf_counter() - t0
        ru = dict(kv.split("=", 1) for kv in ru_file.read().split())
    if r.returncode != 0 or not os.path.exists(out):
        tail = " | ".join(r.stderr.decode(errors="replace").strip().splitlines()[-3:])
        return M(False, f"exit status {r.returncode}: {tail!r}")
    size = os.path.getsize(out)
    os.unlink(out)
    return M(True, wall=wall, cpu=(int(ru["utime_us"]) + int(ru["stime_us"])) / 1e6,
             rss_kb=int(ru["maxrss_kb"]), bytes=size)


def session_usage(sid):
    """(CPU seconds, peak RSS KiB of the largest) over the live processes of session sid:
    `go tool trace` is the go command plus the trace tool it runs."""
    tick = os.sysconf("SC_CLK_TCK")
    cpu, rss = 0.0, 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                st = f.read()
            fields = st[st.rindex(")") + 2:].split()
            if int(fields[3]) != sid:  # fields[0] is state (field 3); session is field 6
                continue
            cpu += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        rss = max(rss, int(line.split()[1]))
        except (OSError, ValueError, IndexError):
            continue
    return cpu, rss


def go_trace(go, go_env, trace, timeout):
    """`go tool trace` to ready, then GET /jsontrace to the end; the index page's pieces."""
    env = dict(go_env)
    env["BROWSER"] = "true"  # cmd/internal/browser runs $BROWSER first: opens nothing
    env.pop("DISPLAY", None)
    env.pop("GOMAXPROCS", None)
    t0 = time.perf_counter()
    p = subprocess.Popen([go, "tool", "trace", "-http=127.0.0.1:0", trace],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env,
                         start_new_session=True)
    ready = threading.Event()
    found = {}
    lines = []

    def reader():
        for raw in p.stderr:
            line = raw.decode(errors="replace").rstrip()
            lines.append(line)
            m = re.search(r"Trace viewer is listening on (http://\S+)", line)
            if m and not ready.is_set():
                found["t"] = time.perf_counter() - t0
                found["url"] = m.group(1)
                ready.set()
        ready.set()  # exited: wake the waiter

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        ready.wait(timeout)
        if "url" not in found:
            why = ("HANG: not ready after %.0f s" % timeout if p.poll() is None
                   else f"exit status {p.poll()}")
            return M(False, f"{why}; stderr: {' | '.join(lines[-3:])!r}")
        url, t_ready = found["url"], found["t"]
        # The whole trace's JSON in one response (no start/end: Go serves everything). Fetching
        # Go's pieces one by one would cost more: each request walks the whole parsed trace.
        t1 = time.perf_counter()
        n = 0
        with urllib.request.urlopen(url + "/jsontrace", timeout=timeout) as resp:
            while True:
                chunk = resp.read(1 << 20)
                if not chunk:
                    break
                n += len(chunk)
        t_json = time.perf_counter() - t1
        cpu, rss = session_usage(p.pid)
        with urllib.request.urlopen(url + "/", timeout=60) as resp:
            # One link per piece (/trace?start=..&end=..); a single /trace when not split.
            pieces = max(1, resp.read().decode(errors="replace").count("/trace?start="))
        return M(True, ready=t_ready, json=t_json, total=t_ready + t_json, cpu=cpu, rss_kb=rss,
                 bytes=n, pieces=pieces)
    except OSError as e:
        return M(False, f"HTTP: {e}")
    finally:
        try:
            os.killpg(p.pid, signal.SIGTERM)
            p.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
        except ProcessLookupError:
            p.wait()
        th.join(5)


def ft_view(node, fibertrace, trace, timeout):
    """test/browser/bench_view.mjs, run as is; its printed figures."""
    try:
        r = subprocess.run([node, BENCH_VIEW, fibertrace, trace], capture_output=True,
                           text=True, timeout=timeout, cwd=os.path.dirname(BENCH_VIEW))
    except subprocess.TimeoutExpired:
        return M(False, f"HANG: bench_view.mjs killed after {timeout:.0f} s")
    if r.returncode == 77:
        return M(False, "skipped: " + r.stdout.strip())
    out = r.stdout

    def num(pat):
        m = re.search(pat, out)
        return float(m.group(1)) if m else None

    vals = dict(listen=num(r"listening after:\s+([\d.]+) ms"),
                paint=num(r"first complete paint after:\s+([\d.]+) ms"),
                zoom_med=num(r"zoom \(W\) frame paint:\s+median ([\d.]+) ms"),
                zoom_max=num(r"zoom \(W\) frame paint:\s+median [\d.]+ ms, max ([\d.]+) ms"),
                zoom_fetch=num(r"zoom \(W\) refetch on screen:\s+median ([\d.]+) ms"),
                pan_med=num(r"pan \(D\) frame paint:\s+median ([\d.]+) ms"))
    if r.returncode != 0 or vals["paint"] is None:
        tail = " | ".join((r.stderr or out).strip().splitlines()[-3:])
        return M(False, f"bench_view.mjs exit status {r.returncode}: {tail!r}")
    return M(True, **vals)


# ---------------------------------------------------------------------------------------------
# Tables


def med(ms, key):
    vals = [m.vals[key] for m in ms if m.ok and m.vals.get(key) is not None]
    return statistics.median(vals) if vals else None


def spread(ms, key):
    vals = [m.vals[key] for m in ms if m.ok and m.vals.get(key) is not None]
    if len(vals) < 2 or not statistics.median(vals):
        return ""
    return f"±{(max(vals) - min(vals)) / 2 / statistics.median(vals) * 100:.0f}%"


def sec(v, digits=2):
    return "n/a" if v is None else f"{v:.{digits}f}"


def cell(ms, key, scale=1.0, digits=2):
    v = med(ms, key)
    return "n/a" if v is None else f"{v * scale:.{digits}f} {spread(ms, key)}".rstrip()


def step(results, fail, tag, what, m, summary, cmd):
    """Keeps one measurement; logs its summary, or the failed command."""
    results.append(m)
    if m.ok:
        log(f"{tag} {what}: {summary(m.vals)}")
    else:
        fail(f"{what}, {tag}: `{cmd}`: {m.why}")


def mb(v):
    return "n/a" if v is None else f"{v / 1e6:.0f}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    run.add_common_args(ap, "rounds (default 3; --quick 1)",
                        "1 round, no Go trace parsing for its event count (unless --go-events)",
                        "FT_MAXPROCS = GOMAXPROCS of the traced programs (default: hardware "
                        "threads)", 300.0)
    ap.add_argument("--round-trips", type=int, default=1000000,
                    help="ping-pong size, both sides (default 1000000: ~6M events; smaller for "
                         "a smoke test of the driver)")
    ap.add_argument("--no-view", action="store_true", help="skip (b), the browser part")
    ap.add_argument("--build-dir", default=os.path.join(ROOT, "build-bench"),
                    help="the bench build (programs, Go twins), as bench/run.sh (build-bench)")
    ap.add_argument("--cli-build-dir", default=os.path.join(ROOT, "build-bench-cli"),
                    help="Release build of the whole tree for the CLI (build-bench-cli)")
    ap.add_argument("--fibertrace", default=None,
                    help="use this fibertrace CLI instead of building build-bench-cli")
    ap.add_argument("--no-build", action="store_true",
                    help="use what is already built (build-bench, build-bench-cli/cli/fibertrace)")
    a = ap.parse_args()
    rounds, go_events = run.rounds_and_go_events(a, 3)
    build_dir = os.path.abspath(a.build_dir)

    # Build (or find) the programs, the Go twins and the CLI.
    if a.no_build:
        ft_bins, counter, helper = run.cpp_outputs(build_dir)
        go_bins, go, go_env = run.go_outputs(build_dir)
        go = go or "go"
        prog, go_prog = ft_bins[PROGRAM], go_bins[PROGRAM]
        run.require_executables((prog, helper, go_prog),
                                "--no-build but not built (run bench/run.sh once)")
    else:
        ft_bins, counter, helper = run.build_cpp(build_dir, BENCH, a.jobs)
        go_bins, go, go_env = run.build_go(build_dir, BENCH)
        prog, go_prog = ft_bins[PROGRAM], go_bins[PROGRAM]
    if a.fibertrace:
        fibertrace = os.path.abspath(a.fibertrace)
    elif a.no_build:
        fibertrace = os.path.join(os.path.abspath(a.cli_build_dir), "cli", "fibertrace")
    else:
        fibertrace = build_cli(os.path.abspath(a.cli_build_dir), a.jobs)
    if not os.access(fibertrace, os.X_OK):
        sys.exit(f"bench: no fibertrace CLI at {fibertrace} (build it: drop --no-build, or "
                 f"--fibertrace PATH)")
    node = shutil.which("node")
    view = not a.no_view
    if view and not node:
        log("bench: `node` not found: skipping (b), the browser part")
        view = False

    env = {k: v for k, v in os.environ.items()
           if k not in ("FT_TRACE", "GOTRACE_OUT", "FT_STACK_SIZE", "GOGC", "GODEBUG")}
    env["FT_MAXPROCS"] = env["GOMAXPROCS"] = str(a.procs)
    tmp = tempfile.mkdtemp(prefix="ft-bench-viewer-")
    ft_trace = os.path.join(tmp, f"{PROGRAM}.ft.trace")
    go_trace_path = os.path.join(tmp, f"{PROGRAM}.go.trace")
    failures = []

    def fail(msg):
        failures.append(msg)
        log("FAILED: " + msg)

    # The two traces (inputs; their recording is not measured here: bench/run.sh does that).
    for side, exe, var, path in (("fibertrace", prog, "FT_TRACE", ft_trace),
                                 ("go", go_prog, "GOTRACE_OUT", go_trace_path)):
        e = dict(env)
        e[var] = path
        r = run.run_once(helper, [exe, str(a.round_trips)], e, str(a.round_trips), a.timeout)
        if not r.ok or not os.path.exists(path):
            sys.exit(f"bench: tracing {PROGRAM} ({side}) failed: `{var}={path} {exe}`: {r.why}")
        log(f"traced {PROGRAM} ({side}): {os.path.getsize(path) / 1e6:.1f} MB")
    fev, fby, how = run.ft_trace_stats(ft_trace, fibertrace, counter)
    gev, gby = None, os.path.getsize(go_trace_path)
    if go_events:
        log(f"bench: counting the Go trace's events with `go tool trace -d` (slow)...")
        gev, gby = run.go_trace_stats(go_trace_path, go, go_env, a.timeout)

    cxx, gov = run.tool_versions(go)
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True,
                                  text=True, timeout=30).stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        chromium = "no /usr/bin/chromium"
    print(f"fibertrace viewer bench — {time.strftime('%Y-%m-%d %H:%M:%S')}, {os.cpu_count()} "
          f"hardware threads, {rounds} round(s), medians")
    print(f"  source: {ROOT} @ " + subprocess.run(
        ["git", "-C", ROOT, "describe", "--always", "--dirty"], capture_output=True,
        text=True).stdout.strip())
    print(f"  CLI: {fibertrace} ({build_type_of(fibertrace)}); {cxx}; {gov}; {chromium}")
    print(f"  traces ({PROGRAM} {a.round_trips}, FT_MAXPROCS=GOMAXPROCS={a.procs}): fibertrace "
          f"{'n/a' if fev is None else f'{fev / 1e6:.2f}M'} events, {fby / 1e6:.1f} MB; Go "
          f"{'n/a' if gev is None else f'{gev / 1e6:.2f}M'} events"
          f"{'' if gev is not None else ' (not counted: --go-events)'}, {gby / 1e6:.1f} MB")
    print(f"  load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    sys.stdout.flush()

    exp, gos, views = [], [], []
    out_json = os.path.join(tmp, "out.json")
    for i in range(rounds):
        tag = f"[{i + 1}/{rounds}]"
        step(exp, fail, tag, "fibertrace export", ft_export(helper, fibertrace, ft_trace, out_json,
                                                         a.timeout),
             lambda v: f"{v['wall']:.2f} s wall, {v['cpu']:.2f} s CPU, {v['bytes'] / 1e6:.0f} MB",
             f"{fibertrace} export {ft_trace} -o {out_json}")
        step(gos, fail, tag, "go tool trace", go_trace(go, go_env, go_trace_path, a.timeout),
             lambda v: f"ready {v['ready']:.2f} s, JSON +{v['json']:.2f} s "
                       f"({v['bytes'] / 1e6:.0f} MB), {v['cpu']:.2f} s CPU",
             f"BROWSER=true go tool trace -http=127.0.0.1:0 {go_trace_path}")
        if view:
            step(views, fail, tag, "fibertrace view", ft_view(node, fibertrace, ft_trace, a.timeout),
                 lambda v: f"first paint {v['paint']:.0f} ms, zoom frame {v['zoom_med']} ms",
                 f"node {BENCH_VIEW} {fibertrace} {ft_trace}")

    # (a) export.
    fx, gt = med(exp, "wall"), med(gos, "total")
    speedup = run.ratio(gt, fx)
    pieces = med(gos, "pieces")
    rows = [
        ["fibertrace export -o out.json", cell(exp, "wall"), cell(exp, "cpu"),
         run.mb(med(exp, "rss_kb")), mb(med(exp, "bytes"))],
        ["go tool trace: start to ready", cell(gos, "ready"), "", "", ""],
        ["go tool trace: GET /jsontrace", cell(gos, "json"), "", "", ""],
        ["go tool trace: ready + JSON", cell(gos, "total"), cell(gos, "cpu"),
         run.mb(med(gos, "rss_kb")), mb(med(gos, "bytes"))],
    ]
    run.print_table(
        f"(a) Export: the whole trace as Chrome Trace Event JSON ({PROGRAM}), seconds",
        ["", "wall s", "CPU s", "peak RSS MB", "JSON MB"], rows,
        [f"speed-up: Go ready+JSON / fibertrace export = {sec(speedup, 1)}×   target ≥ "
         f"{EXPORT_TARGET:.0f}×: {'yes' if speedup is not None and speedup >= EXPORT_TARGET else 'no'}",
         "fibertrace writes the JSON to a file (proc view); Go's is read over HTTP from /jsontrace "
         "in one response and discarded",
         f"(Go's own viewer would split it into {'n/a' if pieces is None else int(pieces)} pieces"
         f" and regenerate one per page). Go CPU/RSS: the go command + trace tool, up to the "
         f"end of the JSON.",
         "±: half the min–max range over the rounds, % of median."])

    # (b) view.
    if view:
        fp = med(views, "paint")
        gr = med(gos, "ready")
        frac = run.ratio(None if fp is None else fp / 1e3, gr)
        rows = [
            ["fibertrace view: start to URL printed", cell(views, "listen", 1e-3)],
            ["fibertrace view: start to first complete paint of View trace",
             cell(views, "paint", 1e-3)],
            ["go tool trace: start to ready (no paint measured)", cell(gos, "ready")],
        ]
        run.print_table(
            f"(b) View: start to the trace on screen ({PROGRAM}), seconds",
            ["", "s"], rows,
            [f"fibertrace first paint / Go ready = {sec(frac, 3)}   target ≤ {VIEW_TARGET:.2f}: "
             f"{'yes' if frac is not None and frac <= VIEW_TARGET else 'no'}",
             f"zoom (W), one frame's paint: median {sec(med(views, 'zoom_med'), 1)} ms, max "
             f"{sec(max((m.vals['zoom_max'] for m in views if m.ok and m.vals['zoom_max'] is not None), default=None), 1)} ms; "
             f"refetched window on screen: median {sec(med(views, 'zoom_fetch'), 0)} ms; pan (D) "
             f"frame: median {sec(med(views, 'pan_med'), 1)} ms  (medians over rounds of "
             f"bench_view.mjs's medians; max over all frames)",
             "fibertrace: test/browser/bench_view.mjs in headless Chromium (browser started "
             "beforehand). Go 1.19's trace viewer (HTML imports) cannot paint in today's "
             "Chromium; its time to ready is a lower bound of its time to paint."])

    return run.finish(tmp, a.keep_traces, failures)


if __name__ == "__main__":
    sys.exit(main())
