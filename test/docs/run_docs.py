#!/usr/bin/env python3
"""Keeps the docs honest: runs every command of the given Markdown files that is marked for
testing and compares its output with the one the document shows.

Convention (docs/tutorial.md says it too):
  - In a fenced block whose info string is `sh`, each line starting with `$ ` is a command. The
    lines after it, up to the next command or the end of the block, are its expected output
    (stdout and stderr together). A line `...` matches any number of lines; `...` inside a line
    matches any text. A command with no expected output must print nothing. Every command must
    exit 0 (show a status with `; echo "exit status $?"`).
  - A fenced `python` block whose first line is `# file: NAME` is written to NAME first.
  - Other blocks (`bash`, `console`, `cpp`, ...) are shown, never run.
Commands run with bash, in one scratch directory per document (so later commands see earlier
files), with the build's samples/ and cli/ first on PATH, as the tutorial's set-up does.

usage: run_docs.py BUILD_DIR DOC.md...
"""
import os
import re
import subprocess
import sys
import tempfile
import time

FENCE = re.compile(r"^```(\S*)\s*$")


def blocks(path):
    """Yields (info, first_line_number, lines) for each fenced block."""
    info, start, body = None, 0, []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            m = FENCE.match(line)
            if info is None:
                if m:
                    info, start, body = m.group(1), n + 1, []
            elif line.startswith("```"):
                yield info, start, body
                info = None
            else:
                body.append(line)
    if info is not None:
        raise SystemExit(f"{path}:{start}: unterminated code block")


def line_regex(pattern):
    return re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("...")) + "$")


def matches(expected, actual):
    """Expected lines against actual ones; a `...` line matches any number of lines."""
    if not expected:
        return not actual
    head, rest = expected[0], expected[1:]
    if head.strip() == "...":
        return any(matches(rest, actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and line_regex(head.rstrip()).match(actual[0].rstrip()) is not None \
        and matches(rest, actual[1:])


def commands(path):
    """Yields (line_number, command, expected_lines) and (line_number, None, (name, text))."""
    for info, start, body in blocks(path):
        if info == "python" and body and body[0].startswith("# file: "):
            yield start, None, (body[0][len("# file: "):].strip(), "\n".join(body) + "\n")
        if info != "sh":
            continue
        cur = None
        for i, line in enumerate(body):
            if line.startswith("$ "):
                if cur:
                    yield cur
                cur = (start + i, line[2:], [])
            elif cur:
                cur[2].append(line)
            elif line.strip():
                raise SystemExit(f"{path}:{start + i}: output before any `$ ` command")
        if cur:
            yield cur


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    build = os.path.abspath(sys.argv[1])
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([os.path.join(build, "samples"), os.path.join(build, "cli"),
                                   env.get("PATH", "")])
    env.pop("FT_TRACE", None)
    failures = ran = 0
    t0 = time.monotonic()
    for doc in sys.argv[2:]:
        with tempfile.TemporaryDirectory(prefix="ft-docs-") as scratch:
            for lineno, cmd, expected in commands(doc):
                where = f"{doc}:{lineno}"
                if cmd is None:
                    name, text = expected
                    with open(os.path.join(scratch, name), "w", encoding="utf-8") as f:
                        f.write(text)
                    continue
                ran += 1
                try:
                    p = subprocess.run(["bash", "-c", cmd], cwd=scratch, env=env, timeout=30,
                                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                       text=True, errors="replace")
                except subprocess.TimeoutExpired:
                    print(f"FAIL {where}: $ {cmd}\n  timed out after 30 s")
                    failures += 1
                    continue
                actual = p.stdout.splitlines()
                ok = p.returncode == 0 and matches(expected, actual)
                print(f"{'ok  ' if ok else 'FAIL'} {where}: $ {cmd}")
                if not ok:
                    failures += 1
                    print(f"  exit status {p.returncode}")
                    print("  expected:\n" + "".join(f"    | {l}\n" for l in expected), end="")
                    print("  got:\n" + "".join(f"    | {l}\n" for l in actual), end="")
    print(f"{ran} commands, {failures} failed, {time.monotonic() - t0:.1f} s")
    if ran == 0:
        print("no command marked for testing: the convention or the docs changed")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
