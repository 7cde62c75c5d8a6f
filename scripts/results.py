#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reads a `make test` guest log and prints the verdict.

The console log holds the KUnit suites' KTAP output (run by the kernel
before init); the in-guest tests' `guest-test:` lines come from the guest's
second serial port, which no kernel message can interleave with. KUnit
results are parsed with the kernel's own tools/testing/kunit/kunit.py, also
from the console log of the doctests boot when given; both logs are scanned
for
kernel reports (WARNING, BUG, KASAN, lockdep, RCU stalls, oopses), each of
which fails the run even when every case passed.

The last line printed is `N passed, N failed` (`, N skipped` when some were).
Exit status: 0 only when nothing failed and at least one case ran.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

# Kernel reports that fail a run. Lockdep, KASAN, UBSAN, debugobjects and
# refcount reports start with one of the first patterns; the rest catch
# reports that do not.
REPORT_PATTERNS = [
    r"WARNING:",
    r"BUG:",
    r"kernel BUG at",
    r"\bKASAN\b",
    r"UBSAN:",
    r"Oops[:\s]",
    r"general protection fault",
    r"Unable to handle",
    r"Kernel panic",
    r"Call Trace:",
    r"DEBUG_LOCKS_WARN_ON",
    r"INFO: lockdep is turned off",
    r"possible (recursive|circular) locking",
    r"inconsistent lock state",
    r"Invalid wait context",
    r"suspicious RCU usage",
    r"rcu: INFO:",
    r"detected stalls? on CPU",
    r"self-detected stall",
    r"blocked for more than \d+ seconds",
    r"soft lockup",
    r"hard LOCKUP",
]
REPORT_RE = re.compile("|".join(REPORT_PATTERNS))
GUEST_RE = re.compile(r"guest-test: (ok|not ok) (\S+)(?: # (.*))?$")
INIT_RE = re.compile(r"Run /init as init process")
# Lines of kunit.py's output that say nothing about the results:
# DEBUG_KOBJECT_RELEASE's notes, and the path of a temporary file.
NOISE_RE = re.compile(r"kobject_release, parent|Test results stored in")


def kunit_cases(group, prefix=""):
    """Yields (name, status) for each leaf case of a kunit.py JSON group."""
    name = group.get("name") or ""
    here = f"{prefix}.{name}" if prefix and name else (name or prefix)
    for case in group.get("test_cases", []):
        yield f"{here}.{case['name']}" if here else case["name"], case["status"]
    for sub in group.get("sub_groups", []):
        yield from kunit_cases(sub, here)


def parse_kunit(lines, kunit_py):
    """Runs `kunit.py parse` over the KUnit part of the log."""
    with tempfile.TemporaryDirectory() as tmp:
        log = os.path.join(tmp, "kunit.log")
        out = os.path.join(tmp, "kunit.json")
        with open(log, "w") as f:
            f.writelines(lines)
        proc = subprocess.run(
            [sys.executable, kunit_py, "parse", f"--json={out}", log],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout.splitlines(keepends=True):
            if not NOISE_RE.search(line):
                sys.stdout.write(line)
        if not os.path.exists(out):
            return [], 1
        with open(out) as f:
            data = json.load(f)
    errors = data.get("misc", {}).get("errors", 0)
    return list(kunit_cases(data)), errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log")
    ap.add_argument("--kunit-py", required=True)
    ap.add_argument("--results", required=True,
                    help="the guest's ttyS1 output: in-guest test results")
    ap.add_argument("--doctests-log",
                    help="console log of the boot that ran the doctests")
    args = ap.parse_args()

    logs = [args.log] + ([args.doctests_log] if args.doctests_log else [])
    log_lines = {}
    for path in logs:
        try:
            with open(path, errors="replace") as f:
                log_lines[path] = f.readlines()
        except FileNotFoundError:
            log_lines[path] = []
    lines = log_lines[args.log]
    passed = failed = skipped = 0

    print("== KUnit")
    cases, errors = [], 0
    for path in logs:
        part = log_lines[path]
        init_at = next((i for i, l in enumerate(part) if INIT_RE.search(l)),
                       len(part))
        c, e = parse_kunit(part[:init_at], args.kunit_py)
        cases += c
        errors += e
    for name, status in cases:
        if status == "PASS":
            passed += 1
        elif status == "SKIP":
            skipped += 1
        else:
            failed += 1
    if errors:
        print(f"KUnit output had {errors} parse error(s): a suite crashed "
              "or its output was cut")
        failed += 1

    print("== in-guest tests")
    done = False
    try:
        with open(args.results, errors="replace") as f:
            results = f.read().replace("\r", "").splitlines()
    except FileNotFoundError:
        results = []
    for line in results:
        if "guest-test: done" in line:
            done = True
        m = GUEST_RE.search(line)
        if not m:
            continue
        print(f"[{'PASSED' if m.group(1) == 'ok' else 'FAILED'}] {m.group(2)}"
              + (f": {m.group(3)}" if m.group(3) else ""))
        if m.group(1) == "ok":
            passed += 1
        else:
            failed += 1
    if not done:
        print("[FAILED] the guest did not finish its tests "
              "(crash, hang or timeout; see the log)")
        failed += 1

    if passed + failed + skipped == 0:
        print("[FAILED] no test case ran")
        failed += 1

    print("== kernel log")
    reports = [(path, i, l.rstrip("\n")) for path in logs
               for i, l in enumerate(log_lines[path]) if REPORT_RE.search(l)]
    if reports:
        print(f"[FAILED] {len(reports)} line(s) of kernel reports:")
        for path, i, l in reports[:20]:
            print(f"  {os.path.basename(path)}:{i + 1}: {l}")
        failed += 1
    else:
        print("[PASSED] no WARNING, BUG, KASAN, lockdep, RCU stall or oops")
        passed += 1

    summary = f"{passed} passed, {failed} failed"
    if skipped:
        summary += f", {skipped} skipped"
    print(summary)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
