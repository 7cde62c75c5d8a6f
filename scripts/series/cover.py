#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Writes the cover letter's subject and body for scripts/series.sh.

Fills scripts/series/cover-letter: a line that is only @NAME@ becomes a
section made from the repository (and from `make bench`'s results when
present); @RELEASE@ is replaced inline. The first line
printed is the subject, then a blank line, then the body.

Exit status 1 when checkpatch reported a kind of finding that
scripts/series/checkpatch-notes does not justify.
"""

import argparse
import collections
import json
import os
import re
import sys
import textwrap


def wrap(text, first="", rest=None):
    """Fills a paragraph to 72 columns; a bullet's lines hang under its text."""
    if rest is None:
        rest = "  " if first.startswith("-") else first
    return textwrap.fill(text, width=72, initial_indent=first,
                         subsequent_indent=rest,
                         break_on_hyphens=False, break_long_words=False)


def tests(top):
    sys.path.insert(0, os.path.join(top, "scripts"))
    import results  # the harness's own counting of expected cases

    out = []
    kunit = results.expected_kunit(top)
    doctests = results.expected_doctests(top)
    total = sum(kunit.values()) + doctests
    out.append(f"KUnit ({total} cases, counted from the sources as `make test` "
               "counts them):")
    out.append(wrap(", ".join(f"{s} {c}" for s, c in sorted(kunit.items()))
                    + f", and the {doctests} doctests of kernel::pwm.", "  "))
    guest = results.expected_guest(
        os.path.join(top, "tools/testing/pwm/tests/expected-cases"))
    main = {s: c for s, c in guest.items() if "/" not in s and s != "host"}
    acpi = {s: c for s, c in guest.items() if s.startswith("acpi/")}
    out.append("")
    out.append(f"In-guest suites (tools/testing/pwm/tests/, "
               f"{sum(main.values())} cases):")
    out.append(wrap(", ".join(f"{s} {c}" for s, c in sorted(main.items()))
                    + ".", "  "))
    if acpi:
        out.append(wrap(f"The ACPI boot (no device tree, no modules) runs "
                        f"{sum(acpi.values())} more: "
                        + ", ".join(f"{s} {c}" for s, c in sorted(acpi.items()))
                        + ".", ""))
    if "host" in guest:
        out.append(wrap(f"The host tests of tools/pwm/ (cargo test): "
                        f"{guest['host']} cases.", ""))

    readme = os.path.join(top, "README.md")
    if os.path.exists(readme):
        text = open(readme).read()
        rust = re.search(r"^\| Rust \| (\d+) \| (\d+) \|", text, re.M)
        c = re.search(r"^\| C \(`make test CORE=c`\) \| (\d+) \| (\d+) \| (\d+) \|",
                      text, re.M)
        if rust:
            line = (f"The last run the project's README records (its test "
                    f"and doctests boots): {rust.group(2)} of {rust.group(1)} "
                    f"cases passed on the Rust core")
            if c:
                line += (f"; on the C core (CONFIG_PWM_RUST_CORE=n, same "
                         f"suites) {c.group(2)} passed and {c.group(3)} failed, "
                         f"each failure listed in "
                         f"tools/testing/pwm/c-core-differences with the "
                         f"difference it shows, the rest not built or not "
                         f"run there because they crash or deadlock it")
            out.append("")
            out.append(wrap(line + "."))
    return "\n".join(out)


def bench(path):
    if not os.path.exists(path):
        return wrap("No `make bench` results in this build cache: the "
                    "benchmark's figures are not included.")
    d = json.load(open(path))
    out = [wrap("`make bench` (the same base built with either core, "
                "instructions per operation counted by QEMU with -icount; "
                "Rust / C, below 1 the Rust core costs less):"), ""]
    for r in d.get("rows", []):
        if r.get("ratio") is None:
            continue
        unit = {"ns": "insns", "ms": "M insns", "B": "bytes"}.get(r["unit"], r["unit"])
        out.append(wrap(f"{r['what']}: {r['rust']} / {r['c']} {unit}, "
                        f"{r['ratio']:.2f}", "- "))
    core = d.get("core_o")
    if core and "rust" in core and "c" in core:
        rt, ct = core["rust"]["text"], core["c"]["text"]
        out.append(wrap(f"core.o text and read-only data: {rt} / {ct} "
                        f"bytes, {rt / ct:.2f}", "- "))
    sp = d.get("derived", {})
    if "speedup2" in sp and "speedup4" in sp:
        out.append(wrap(f"wall clock, 2 / 4 processes on their own chips: "
                        f"speedup {sp['speedup2']['rust']:.2f} / "
                        f"{sp['speedup4']['rust']:.2f} on the Rust core, "
                        f"{sp['speedup2']['c']:.2f} / "
                        f"{sp['speedup4']['c']:.2f} on the C core", "- "))
    return "\n".join(out)


def differences(top):
    lines = open(os.path.join(top, "Documentation/driver-api/pwm.rst")).read().splitlines()
    try:
        i = lines.index("Differences from the C core")
    except ValueError:
        return "(Documentation/driver-api/pwm.rst has no such section.)"
    out = []
    for j in range(i + 2, len(lines)):
        if j + 1 < len(lines) and re.match(r"^[=\-~^]{4,}$", lines[j + 1]):
            break
        out.append(lines[j].replace("``", ""))
    while out and not out[-1].strip():
        out.pop()
    while out and not out[0].strip():
        out.pop(0)
    return "\n".join(out)


def checkpatch(findings_path, notes_path, nsteps):
    notes = {}
    for block in open(notes_path).read().split("\n\n"):
        block = "\n".join(l for l in block.splitlines() if not l.startswith("#"))
        if block.strip():
            kind, _, text = block.strip().partition(" ")
            notes[kind] = " ".join(text.split())
    count = collections.Counter()
    where = collections.defaultdict(set)
    for line in open(findings_path):
        patch, level, kind = line.split()
        count[(level, kind)] += 1
        where[(level, kind)].add(int(patch))
    if not count:
        return (f"scripts/checkpatch.pl --strict reports nothing on the "
                f"{nsteps} patches."), []
    missing = sorted({k for _, k in count if k not in notes})
    out = [wrap(f"scripts/checkpatch.pl --strict on the {nsteps} patches "
                f"reports {sum(count.values())} findings, of these kinds:"), ""]
    for (level, kind), c in sorted(count.items()):
        patches = ", ".join(str(p) for p in sorted(where[(level, kind)]))
        plural = "es" if len(where[(level, kind)]) > 1 else ""
        out.append(wrap(f"{level} {kind} ({c}, in patch{plural} {patches}): "
                        f"{notes.get(kind, '(not justified)')}", "- "))
    return "\n".join(out), missing


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--release", required=True)
    ap.add_argument("--findings", required=True)
    ap.add_argument("--notes", required=True)
    ap.add_argument("--template", required=True)
    ap.add_argument("--bench", required=True)
    ap.add_argument("--subjects", required=True)
    ap.add_argument("--steps", type=int, required=True)
    args = ap.parse_args()

    debian = ""
    marker = os.path.join(args.base, ".pwm-rs-base")
    if os.path.exists(marker):
        debian = open(marker).read().strip()
    if debian:
        debian = (f"Debian's linux-source-7.3 package, version {debian}, "
                  f"which is upstream {args.release}")
    else:
        debian = f"a Linux {args.release} source tree"

    cp_text, missing = checkpatch(args.findings, args.notes, args.steps)
    sections = {
        "TESTS": tests(args.top),
        "BENCH": bench(args.bench),
        "DIFFERENCES": differences(args.top),
        "CHECKPATCH": cp_text,
        "BASE": wrap(f"The series applies to Linux {args.release}. It was made "
                     f"and tested on {debian}. No upstream git history was at "
                     f"hand, so base-commit below names the release tag rather "
                     f"than a commit id; git am -3 works on a 7.3 tree whose "
                     f"files the series changes are those of {args.release}."),
    }
    out = []
    for line in open(args.template).read().splitlines():
        if line.startswith("#"):
            continue
        m = re.fullmatch(r"@([A-Z]+)@", line)
        if m and m.group(1) in sections:
            out.append(sections[m.group(1)])
            continue
        out.append(line.replace("@RELEASE@", args.release))
    print("\n".join(out).strip("\n"))
    if missing:
        print("checkpatch findings without a note in scripts/series/checkpatch-notes: "
              + ", ".join(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
