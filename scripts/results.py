#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reads a `make test` guest log and prints the verdict.

The console log holds the KUnit suites' KTAP output (run by the kernel
before init); the in-guest tests' `guest-test:` lines come from the guest's
second serial port, which no kernel message can interleave with. KUnit
results are parsed with the kernel's own tools/testing/kunit/kunit.py, also
from the console log of the doctests boot when given. The ACPI boot's
in-guest results, when given, count under `acpi/<suite>`. Every console log
is scanned for kernel reports (WARNING, BUG, KASAN, lockdep, RCU stalls,
oopses), each of which fails the run even when every case passed.

Every case must be accounted for: the KUnit suites of this repository must
run as many cases as their sources declare (`#[test]` under
`#[kunit_tests(...)]`), the doctests of the kernel crate's files written
here (kernel::pwm, kernel::sysfs, kernel::chrdev) as many as
their documentation has examples, and each in-guest suite as many as the manifest
tools/testing/pwm/tests/expected-cases lists (`acpi/<suite>` for the
ACPI boot's). A suite missing or short, a case reported twice, and a
skipped case all fail the run.

With `--core c` (`make test CORE=c`, the same suites on the stock C core)
the cases of the expected-differences list (--differences) are judged by
it: a case listed as `fails` must fail, and then counts as an expected
difference, not as a failure; a case listed as `absent` must not run (it is
built or run for the Rust core only) and is not expected by the inventory.
Each entry quotes the entry of "Differences from the C core" in
Documentation/driver-api/pwm.rst that it stems from, and the quote must be
there. A case that differs and is not listed fails the run, and so does a
listed case that does not differ. A `fails` entry whose case has a `*`
covers the cases it matches (a whole interface the C core lacks): those
cases may fail, and at least one must.

The host tests of the userspace workspace tools/pwm/ (`cargo test`, its
output in --host-log) count as suite `host`, each case named
`host.<test binary>.<test>`; the manifest gives their number too.

The last line printed is `N passed, N failed`.
Exit status: 0 only when nothing failed and at least one case ran.
"""

import argparse
import fnmatch
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
    r"turning off the locking correctness validator",
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
    # of_node_get()/of_node_put() imbalances found when an overlay goes.
    r"OF: (\w+: )?ERROR",
]
REPORT_RE = re.compile("|".join(REPORT_PATTERNS))
GUEST_RE = re.compile(r"guest-test: (ok|not ok) (\S+)(?: # (.*))?$")
INIT_RE = re.compile(r"Run /init as init process")
# Lines of kunit.py's output that say nothing about the results:
# DEBUG_KOBJECT_RELEASE's notes, and the path of a temporary file.
NOISE_RE = re.compile(r"kobject_release, parent|Test results stored in")
# `cargo test`'s output: the test binary that runs, and each case's result.
CARGO_RUNNING_RE = re.compile(
    r"^\s*(?:Running \S+(?: \S+)? \(.*/deps/([\w-]+?)-[0-9a-f]+\)"
    r"|Doc-tests ([\w-]+))")
CARGO_TEST_RE = re.compile(r"^test (.+) \.\.\. (ok|FAILED|ignored)\s*$")


KUNIT_SUITE_RE = re.compile(r"#\[kunit_tests\((\w+)\)\]")
KUNIT_TEST_RE = re.compile(r"^\s*#\[test\]")
FENCE_RE = re.compile(r"^\s*//[/!]\s*```(.*)$")
# The files of the kernel crate written here (kernel::pwm, and the device
# attributes and character devices the core stands on), whose examples run
# as `rust_doctest_kernel_<path>*`.
DOCTEST_SUITE = "rust_doctests_kernel"
DOCTEST_PREFIXES = ("rust_doctest_kernel_pwm",
                    "rust_doctest_kernel_sysfs_rs",
                    "rust_doctest_kernel_sysfs_child_rs",
                    "rust_doctest_kernel_chrdev_rs")
DOCTEST_FILES = ("rust/kernel/sysfs.rs", "rust/kernel/sysfs/child.rs",
                 "rust/kernel/chrdev.rs")


def expected_kunit(top):
    """Suite -> number of cases, from the sources of this repository."""
    out = {}
    files = subprocess.run(["git", "-C", top, "ls-files", "*.rs"],
                           stdout=subprocess.PIPE, text=True).stdout.split()
    for rel in files:
        with open(os.path.join(top, rel), errors="replace") as f:
            text = f.read()
        m = KUNIT_SUITE_RE.search(text)
        if not m:
            continue
        body = text[m.end():].splitlines()
        out[m.group(1)] = sum(1 for l in body if KUNIT_TEST_RE.match(l))
    return out


def expected_doctests(top):
    """The examples in the documentation of the kernel crate's files written
    here that run as doctests."""
    count = 0
    paths = [os.path.join(top, p)
             for p in ("rust/kernel/pwm.rs",) + DOCTEST_FILES]
    sub = os.path.join(top, "rust/kernel/pwm")
    if os.path.isdir(sub):
        paths += [os.path.join(sub, n) for n in sorted(os.listdir(sub))
                  if n.endswith(".rs")]
    for path in paths:
        inside = False
        with open(path, errors="replace") as f:
            for line in f:
                m = FENCE_RE.match(line)
                if not m:
                    continue
                if not inside:
                    attrs = m.group(1).strip()
                    if not any(a in attrs for a in ("ignore", "text")):
                        count += 1
                inside = not inside
    return count


def expected_guest(path):
    """Suite -> number of cases, from the in-guest tests' manifest."""
    out = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) == 2:
                out[line[0]] = int(line[1])
    return out


DIFF_DOC = "Documentation/driver-api/pwm.rst"
DIFF_SECTION = "Differences from the C core"
DIFF_KINDS = ("fails", "absent")


def normalise(text):
    return " ".join(text.replace("`", "").split())


def differences(path, top):
    """Case -> (kind, quote) from the expected-differences list, and the
    problems found in it (a bad kind, a quote not in pwm.rst's section)."""
    with open(os.path.join(top, DIFF_DOC)) as f:
        doc = f.read()
    start = doc.find(DIFF_SECTION)
    section = doc[start:]
    end = re.search(r"\n\S[^\n]*\n=+\n", section[len(DIFF_SECTION) + 1:])
    if end:
        section = section[:len(DIFF_SECTION) + 1 + end.start()]
    section = normalise(section)
    out, problems = {}, []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            fields = line.split(None, 2)
            if len(fields) != 3 or fields[1] not in DIFF_KINDS:
                problems.append(f"{path}:{n}: expected CASE fails|absent QUOTE")
                continue
            case, kind, quote = fields
            if "*" in case and kind != "fails":
                problems.append(f"{path}:{n}: only a fails entry may have a *")
            if start < 0 or normalise(quote) not in section:
                problems.append(f"{path}:{n}: '{quote}' is not in "
                                f"{DIFF_DOC}, {DIFF_SECTION}")
            if case in out:
                problems.append(f"{path}:{n}: {case} listed twice")
            out[case] = (kind, quote)
    return out, problems


def host_cases(path):
    """Yields (name, status) of each case in `cargo test`'s output."""
    unit = "?"
    try:
        with open(path, errors="replace") as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return
    for line in lines:
        m = CARGO_RUNNING_RE.match(line)
        if m:
            unit = (m.group(1) or m.group(2) + "-doc").replace("-", "_")
            continue
        m = CARGO_TEST_RE.match(line)
        if m:
            yield f"host.{unit}.{m.group(1)}", m.group(2)


def check_inventory(names, expected, what):
    """Failures: suites of `expected` whose case count in `names` differs."""
    got = {}
    for n in names:
        suite = n.split(".", 1)[0]
        got[suite] = got.get(suite, 0) + 1
    failures = []
    for suite, count in sorted(expected.items()):
        if got.get(suite, 0) != count:
            failures.append(f"{what} suite {suite}: expected {count} "
                            f"case(s), got {got.get(suite, 0)}")
    return failures


def kunit_cases(group, prefix=""):
    """Yields (name, status) for each leaf case of a kunit.py JSON group,
    named `suite.case` (kunit.py's top group has no name of a suite)."""
    name = group.get("name") or ""
    if name == "KUnit Test Group" and not prefix:
        name = ""
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
    ap.add_argument("--acpi-log",
                    help="console log of the ACPI boot; its in-guest "
                    "results are in ACPI_LOG.results")
    ap.add_argument("--host-log",
                    help="output of `cargo test` in tools/pwm/")
    ap.add_argument("--top", required=True,
                    help="the repository, whose sources and manifest say "
                    "which cases must run")
    ap.add_argument("--core", choices=("rust", "c"), default="rust",
                    help="the core the guest ran: c judges the cases of "
                    "--differences by it")
    ap.add_argument("--differences",
                    help="the expected differences of the C core")
    args = ap.parse_args()

    diffs, diff_problems = {}, []
    if args.core == "c":
        if not args.differences:
            ap.error("--core c needs --differences")
        diffs, diff_problems = differences(args.differences, args.top)
    expected_diffs = 0
    diff_seen = set()
    globs = {k: v for k, v in diffs.items() if "*" in k}
    glob_failed = set()

    def entry(name):
        """The entry of the list that covers the case, or None."""
        if name in diffs:
            return name
        return next((g for g in globs if fnmatch.fnmatchcase(name, g)), None)

    def judge(name, ok):
        """1 when the case counts as passed, 0 when as an expected
        difference, -1 when as failed; prints the verdict's reason."""
        nonlocal expected_diffs
        key = entry(name)
        kind = diffs[key][0] if key else None
        diff_seen.add(key or name)
        if kind == "fails" and not ok:
            print(f"[EXPECTED] {name} fails on the C core: "
                  f"{diffs[key][1]}")
            expected_diffs += 1
            glob_failed.add(key)
            return 0
        if kind == "fails" and key in globs:
            return 1
        if kind == "fails":
            print(f"[FAILED] {name} passes on the C core but is listed "
                  f"as failing there")
            return -1
        if kind == "absent":
            print(f"[FAILED] {name} ran on the C core but is listed as absent")
            return -1
        return 1 if ok else -1

    logs = [args.log] + ([args.doctests_log] if args.doctests_log else [])
    kunit_logs = list(logs)
    if args.acpi_log:
        logs.append(args.acpi_log)
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
    for path in kunit_logs:
        part = log_lines[path]
        init_at = next((i for i, l in enumerate(part) if INIT_RE.search(l)),
                       len(part))
        c, e = parse_kunit(part[:init_at], args.kunit_py)
        cases += c
        errors += e
    for name, status in cases:
        if status == "SKIP" and diffs.get(name, ("",))[0] == "absent":
            # Built for the Rust core only: `#[kunit_tests]` reports a case
            # whose function is configured out as skipped.
            print(f"[EXPECTED] {name} is not built for the C core: "
                  f"{diffs[name][1]}")
            diff_seen.add(name)
            expected_diffs += 1
            continue
        if status == "SKIP":
            # A case that cannot run here is a case that does not test.
            print(f"[FAILED] {name} was skipped")
            failed += 1
            continue
        verdict = judge(name, status == "PASS")
        passed += verdict == 1
        failed += verdict == -1
    kunit_expected = expected_kunit(args.top)
    kunit_expected[DOCTEST_SUITE] = expected_doctests(args.top)
    kunit_names = [n for n, _ in cases
                   if not n.startswith(DOCTEST_SUITE + ".")
                   or n.split(".", 1)[1].startswith(DOCTEST_PREFIXES)]
    absent = [n for n, (kind, _) in diffs.items() if kind == "absent"]
    problems = check_inventory(kunit_names, kunit_expected, "KUnit")
    if errors:
        print(f"KUnit output had {errors} parse error(s): a suite crashed "
              "or its output was cut")
        failed += 1

    print("== in-guest tests")
    guest_names = []
    boots = [("", args.results)]
    if args.acpi_log:
        boots.append(("acpi/", args.acpi_log + ".results"))
    for prefix, path in boots:
        try:
            with open(path, errors="replace") as f:
                results = f.read().replace("\r", "").splitlines()
        except FileNotFoundError:
            results = []
        done = False
        for line in results:
            if "guest-test: done" in line:
                done = True
            m = GUEST_RE.search(line)
            if not m:
                continue
            name = prefix + m.group(2)
            guest_names.append(name)
            verdict = judge(name, m.group(1) == "ok")
            if verdict != 0:
                print(f"[{'PASSED' if m.group(1) == 'ok' else 'FAILED'}] "
                      f"{name}" + (f": {m.group(3)}" if m.group(3) else ""))
            passed += verdict == 1
            failed += verdict == -1
        if not done:
            print(f"[FAILED] the guest did not finish its tests "
                  f"(crash, hang or timeout; see {path.removesuffix('.results')})")
            failed += 1

    if args.host_log:
        print("== host tests (tools/pwm)")
        for name, status in host_cases(args.host_log):
            guest_names.append(name)
            ok = status == "ok"
            print(f"[{'PASSED' if ok else 'FAILED'}] {name}"
                  + ("" if status in ("ok", "FAILED") else f": {status}"))
            passed += ok
            failed += not ok

    print("== inventory")
    manifest = os.path.join(args.top, "tools/testing/pwm/tests/expected-cases")
    guest_expected = expected_guest(manifest)
    if not args.acpi_log:
        guest_expected = {s: c for s, c in guest_expected.items()
                          if not s.startswith("acpi/")}
    if not args.host_log:
        guest_expected.pop("host", None)
    for n in absent:
        suite = n.split(".", 1)[0]
        if suite in guest_expected:
            guest_expected[suite] -= 1
    # A listed case that no suite has is a stale entry.
    for n in sorted(set(diffs) - diff_seen - set(absent)):
        problems.append(f"{n} is listed in {args.differences} but did not run")
    for g in globs:
        if g in diff_seen and g not in glob_failed:
            problems.append(f"no case of {g} failed on the C core, as listed")
    problems += diff_problems
    # A script that exits non-zero adds `<suite>.exit-status`, a failure of
    # its own, not one of the cases the manifest counts.
    problems += check_inventory(
        [n for n in guest_names if not n.endswith(".exit-status")],
        guest_expected, "in-guest")
    for suite in sorted({n.split(".", 1)[0] for n in guest_names}
                        - set(guest_expected)):
        problems.append(f"in-guest suite {suite} is not in {manifest}")
    seen = set()
    for name in kunit_names + guest_names:
        if name in seen:
            problems.append(f"case {name} reported more than once")
        seen.add(name)
    for p in problems:
        print(f"[FAILED] {p}")
    failed += len(problems)
    if not problems:
        total = sum(kunit_expected.values()) + sum(guest_expected.values())
        print(f"[PASSED] every expected case ran once ({total} in "
              f"{len(kunit_expected) + len(guest_expected)} suites)")

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

    if args.core == "c":
        print("== the C core")
        not_run = len([n for n in absent if n not in diff_seen])
        print(f"{expected_diffs} case(s) differed as listed (failed, or "
              f"were not built for the C core) and {not_run} listed in-guest "
              f"case(s) did not run; {passed} passed")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
