#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judges a `make stress` boot and prints its figures.

The guest ran tools/testing/pwm/tests/stress.sh alone. Its cases are on
LOG.results (`guest-test: ok|not ok stress.<case>`), its last line of
figures on the console (`stress: summary key=value ...`). The run fails
when a case failed, when the suite did not report as many cases as
tools/testing/pwm/tests/expected-cases lists for it, when the guest did
not finish, or when the console log holds a kernel report (the patterns
of scripts/results.py). Ends with `N passed, N failed`.
"""

import argparse
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from results import GUEST_RE, REPORT_RE, expected_guest  # noqa: E402

SUMMARY_RE = re.compile(r"stress: summary (.*)$")
WHAT = {
    "seconds": "seconds of load",
    "cycles": "removal cycles (pwm-sim chips, unbinds, module unloads)",
    "cdev64": "character-device calls, 64-bit processes",
    "cdev32": "character-device calls, 32-bit processes",
    "gpio": "GPIO line calls (CONFIG_PWM_PROVIDE_GPIO)",
    "sysfs": "sysfs export/write/unexport rounds",
    "debugfs": "debugfs reads",
    "leds": "leds-pwm overlay rounds",
    "rust_consumer": "Rust consumer sample rounds on pwm-gpio",
    "ir_tx": "pwm-ir-tx overlay rounds (hard-hrtimer atomic applies)",
    "faults": "allocation failures injected",
    "fuzz": "model-checked calls",
    "mismatches": "model mismatches (must be 0)",
    "trinity": "trinity syscalls",
    "leaks": "kmemleak leaks of the PWM subsystem (must be 0)",
    "other_leaks": "kmemleak leaks elsewhere (must be 0)",
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("log")
    ap.add_argument("--results", required=True)
    ap.add_argument("--top", required=True)
    args = ap.parse_args()

    passed = failed = 0
    names = []
    done = False
    try:
        with open(args.results, errors="replace") as f:
            results = f.read().splitlines()
        with open(args.log, errors="replace") as f:
            log = f.read().splitlines()
    except OSError as e:
        print(f"[FAILED] {e}")
        print("0 passed, 1 failed")
        return 1
    for line in results:
        if "guest-test: done" in line:
            done = True
        m = GUEST_RE.search(line)
        if not m:
            continue
        names.append(m.group(2))
        if m.group(1) == "ok":
            passed += 1
        else:
            failed += 1
            print(f"[FAILED] {m.group(2)}" + (f": {m.group(3)}" if m.group(3) else ""))
    if not done:
        print(f"[FAILED] the guest did not finish (crash, hang or timeout; see {args.log})")
        failed += 1
    expected = expected_guest(
        os.path.join(args.top, "tools/testing/pwm/tests/expected-cases")).get("stress")
    got = len([n for n in names if n.startswith("stress.")
               and not n.endswith(".exit-status")])
    if got != expected:
        print(f"[FAILED] the stress suite reported {got} cases, not {expected}")
        failed += 1
    reports = [(i, l) for i, l in enumerate(log) if REPORT_RE.search(l)]
    if reports:
        print(f"[FAILED] {len(reports)} line(s) of kernel reports:")
        for i, l in reports[:20]:
            print(f"  {os.path.basename(args.log)}:{i + 1}: {l}")
        failed += 1
    else:
        print("[PASSED] no WARNING, BUG, KASAN, lockdep, kmemleak, hung task, "
              "RCU stall or oops")
        passed += 1

    summary = {}
    for line in log:
        m = SUMMARY_RE.search(line)
        if m:
            summary = dict(kv.split("=", 1) for kv in m.group(1).split()
                           if "=" in kv)
    print("== the campaign")
    for key, what in WHAT.items():
        print(f"{summary.get(key, '?'):>10}  {what}")
    print(f"{len(reports):>10}  kernel reports (must be 0)")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
