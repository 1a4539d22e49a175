#!/usr/bin/env python3
"""The network echo benchmark in one command: fibertrace's ft::net vs Go's net.

   python3 bench/net.py [--build DIR] [--runs 5] [--conns 64] [--rounds 2000] [--procs 2]

Builds bench/programs/echo.cpp (target ft_bench_echo in DIR, default build/) and its Go twin
bench/go/echo (into DIR/go-net), runs each --runs times alternating, untraced and (fibertrace)
traced with FT_TRACE, and prints the medians: round trips per second, fibertrace / Go, and
the tracing overhead (traced time / untraced time). 64-byte request and echo, loopback only.
Figures, not a test: nothing here fails on a slow machine."""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def sh(cmd, **kw):
    subprocess.run(cmd, check=True, **kw)


def cpu_children():
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    return u.ru_utime + u.ru_stime


def run_once(cmd, env):
    """(result, elapsed ns of the measured part, CPU seconds of the whole process)."""
    c0 = cpu_children()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    cpu = cpu_children() - c0
    if r.returncode != 0:
        sys.exit(f"net.py: {' '.join(cmd)} failed ({r.returncode}): {r.stderr.strip()}")
    vals = dict(line.split("=", 1) for line in r.stdout.split() if "=" in line)
    return int(vals["result"]), int(vals["elapsed_ns"]), cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--conns", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=2000)
    ap.add_argument("--procs", type=int, default=2, help="FT_MAXPROCS and GOMAXPROCS")
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()
    if a.runs < 1 or a.conns < 1 or a.rounds < 1 or a.procs < 1:
        sys.exit("net.py: --runs, --conns, --rounds and --procs must be positive")

    ft_bin = os.path.join(a.build, "bench", "programs", "echo")
    go_dir = os.path.join(a.build, "go-net")
    go_bin = os.path.join(go_dir, "echo")
    go_env = dict(os.environ, GOCACHE=os.path.join(go_dir, "gocache"),
                  GOPATH=os.path.join(go_dir, "gopath"), GOPROXY="off", GOFLAGS="",
                  GO111MODULE="on", GOTOOLCHAIN="local", GOWORK="off")
    if not a.no_build:
        sh(["cmake", "--build", a.build, "-j2", "--target", "ft_bench_echo"],
           stdout=subprocess.DEVNULL)
        os.makedirs(go_dir, exist_ok=True)
        sh(["go", "build", "-o", go_bin, "./echo"], cwd=os.path.join(HERE, "go"), env=go_env)
    for p in (ft_bin, go_bin):
        if not os.access(p, os.X_OK):
            sys.exit(f"net.py: not built: {p} (drop --no-build, or configure with FT_BUILD_BENCH=ON)")

    env = {k: v for k, v in os.environ.items() if k not in ("FT_TRACE", "GOTRACE_OUT", "GOGC")}
    env["FT_MAXPROCS"] = env["GOMAXPROCS"] = str(a.procs)
    args = [str(a.conns), str(a.rounds)]
    expected = a.conns * a.rounds
    times = {"ft": [], "ft traced": [], "go": []}
    cpus = {k: [] for k in times}
    with tempfile.TemporaryDirectory(prefix="ft-net-bench-") as tmp:
        trace = os.path.join(tmp, "echo.trace")
        for _ in range(a.runs):
            for name, cmd, extra in (("ft", [ft_bin] + args, {}),
                                     ("ft traced", [ft_bin] + args, {"FT_TRACE": trace}),
                                     ("go", [go_bin] + args, {})):
                result, ns, cpu = run_once(cmd, dict(env, **extra))
                if result != expected:
                    sys.exit(f"net.py: {name} echoed {result} of {expected}")
                times[name].append(ns)
                cpus[name].append(cpu)
    med = {k: statistics.median(v) for k, v in times.items()}
    rate = {k: expected / (v / 1e9) for k, v in med.items()}
    print(f"echo, {a.conns} connections x {a.rounds} round trips of 64 bytes, "
          f"{a.procs} workers, median of {a.runs} runs")
    # CPU per round trip (user + system, whole process) tells a loaded machine's waiting
    # apart from work: wall time counts the time other processes held the cores.
    print(f"{'':12} {'median ms':>10} {'round trips/s':>14} {'CPU us/round trip':>18}")
    for k in ("ft", "ft traced", "go"):
        label = {"ft": "fibertrace", "ft traced": "  traced", "go": "Go net"}[k]
        cpu_rt = statistics.median(cpus[k]) / expected * 1e6
        print(f"{label:12} {med[k] / 1e6:10.1f} {rate[k]:14,.0f} {cpu_rt:18.2f}")
    print(f"fibertrace / Go (round trips/s): {rate['ft'] / rate['go']:.2f}x   (target >= 1.5x)")
    print(f"tracing overhead (traced / untraced time): {med['ft traced'] / med['ft']:.3f}x"
          f"   (target <= 1.05x)")


if __name__ == "__main__":
    main()
