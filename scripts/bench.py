#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Reads the boots of `make bench` and prints the table of medians.

Each boot's results (BENCH_DIR/boot<i>-<core>-<phase>.log.results, from
the guest's tools/testing/pwm/bench.sh) hold `bench: <row> <value>` lines,
one per repetition. The cost phase ran in a guest whose clock counts
instructions (QEMU -icount, 1 ns per instruction), so its rows are
instructions per operation and the same from boot to boot; the wall phase
ran in real time with parallel vCPUs, for the scaling rows and a few
headline rows again. Per row, core and phase the median over every
repetition of every boot is taken; the ratio is Rust/C of the medians
(below 1: the Rust core is faster or smaller); the spread is
(max - min) / median over the same values. Rows through a system call
also get the ratio of their cost above the floor (an ioctl rejected at once
by another driver), which is the core's own. The sizes of core.o come from
both build trees.

Writes BENCH_DIR/bench.json and BENCH_DIR/bench.svg (per-operation cost,
Rust against C, with the floor). Exit status 1 when a boot did not finish
or a workload failed.
"""

import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys

# Row -> (what it measures, unit, whether the floor is part of it). In the
# cost phase, ns and ms are of the instruction-counting clock.
ROWS = {
    "floor_ns": ("ioctl rejected by /dev/null (the floor)", "ns", False),
    "cdev_setroundedwf_ns": ("/dev/pwmchipN PWM_IOCTL_SETROUNDEDWF, no-op chip", "ns", True),
    "cdev_roundwf_ns": ("/dev/pwmchipN PWM_IOCTL_ROUNDWF, no-op chip", "ns", True),
    "cdev_getwf_ns": ("/dev/pwmchipN PWM_IOCTL_GETWF, no-op chip", "ns", True),
    "sim_cdev_setroundedwf_ns": ("PWM_IOCTL_SETROUNDEDWF, pwm-sim", "ns", True),
    "sim_cdev_roundwf_ns": ("PWM_IOCTL_ROUNDWF, pwm-sim", "ns", True),
    "sim_cdev_getwf_ns": ("PWM_IOCTL_GETWF, pwm-sim", "ns", True),
    "cdev_sweep_ms": ("the seed's sweep, 50,001 SETROUNDEDWF", "ms", False),
    "open_close_ns": ("open and close of /dev/pwmchipN", "ns", True),
    "sysfs_duty_ns": ("sysfs duty_cycle write, no-op chip", "ns", True),
    "sysfs_sweep_ms": ("the seed's sweep through sysfs duty_cycle", "ms", False),
    "sim_sysfs_duty_ns": ("sysfs duty_cycle write, pwm-sim", "ns", True),
    "export_unexport_ns": ("sysfs export and unexport, pwm-sim", "ns", False),
    "k_apply_ns": ("pwm_apply_might_sleep()", "ns", False),
    "k_apply_atomic_ns": ("pwm_apply_atomic(), task", "ns", False),
    "k_apply_hrtimer_ns": ("pwm_apply_atomic(), hard hrtimer", "ns", False),
    "k_set_waveform_ns": ("pwm_set_waveform_might_sleep()", "ns", False),
    "k_get_state_hw_ns": ("pwm_get_state_hw()", "ns", False),
    "k_get_put_ns": ("pwm_get() and pwm_put(), lookup table", "ns", False),
    "k_register_ns": ("pwmchip_alloc/add/remove/put", "ns", False),
    "chip1_bytes": ("kmalloc bytes per registered chip, npwm 1", "B", False),
    "chip16_bytes": ("kmalloc bytes per registered chip, npwm 16", "B", False),
    "chip64_bytes": ("kmalloc bytes per registered chip, npwm 64", "B", False),
    "open_file_bytes": ("kmalloc bytes per open /dev/pwmchipN", "B", False),
    "export_bytes": ("kmalloc bytes per exported channel", "B", False),
}

# The wall phase's rows: scaling, and headline rows of the cost phase
# again in real time.
WALL_ROWS = {
    "floor_ns": ("ioctl rejected by /dev/null (the floor)", "ns", False),
    "cdev_setroundedwf_ns": ("PWM_IOCTL_SETROUNDEDWF, no-op chip", "ns", True),
    "sysfs_duty_ns": ("sysfs duty_cycle write, no-op chip", "ns", True),
    "k_apply_ns": ("pwm_apply_might_sleep()", "ns", False),
    "scale1_ns": ("1 chip, 1 process: wall ns per SETROUNDEDWF", "ns", False),
    "scale2_ns": ("2 chips, 2 processes at once", "ns", False),
    "scale2_seq_ns": ("2 chips, 2 processes one after another", "ns", False),
    "scale4_ns": ("4 chips, 4 processes at once", "ns", False),
    "scale4_seq_ns": ("4 chips, 4 processes one after another", "ns", False),
}

PHASES = {"cost": ROWS, "wall": WALL_ROWS}

# Row -> the target for Rust/C (at most), or a speedup (at least).
TARGETS = {
    "cdev_setroundedwf_ns": ("ratio", 0.85),
    "sysfs_duty_ns": ("ratio", 1.0),
    "k_apply_ns": ("ratio", 1.0),
    "k_apply_atomic_ns": ("ratio", 1.0),
    "speedup2": ("speedup", 1.85),
    "chip16_bytes": ("ratio", 1.5),
    "text": ("ratio", 1.5),
}

LINE_RE = re.compile(r"bench: (\S+) (\S+)$")


def read_boots(bench_dir):
    """phase -> core -> row -> values; and the problems found."""
    values = {phase: {"rust": {}, "c": {}} for phase in PHASES}
    problems = []
    for path in sorted(glob.glob(os.path.join(bench_dir, "boot*-*-*.log.results"))):
        core, phase = os.path.basename(path).split(".", 1)[0].split("-")[1:3]
        if phase not in values or core not in values[phase]:
            continue
        done = False
        with open(path, errors="replace") as f:
            for line in f.read().replace("\r", "").splitlines():
                m = LINE_RE.search(line)
                if line.endswith("bench: done"):
                    done = True
                if not m:
                    continue
                row, value = m.groups()
                if row in ("rep", "phase"):
                    continue
                if row == "error":
                    problems.append(f"{os.path.basename(path)}: {value} failed")
                    continue
                try:
                    values[phase][core].setdefault(row, []).append(int(value))
                except ValueError:
                    problems.append(f"{os.path.basename(path)}: {row}: '{value}'")
        if not done:
            problems.append(f"{os.path.basename(path)}: the guest did not finish")
    return values, problems


def sizes(size_tool, obj):
    """text, data and bss of the core in the build tree obj: core.o, or
    when built in as parts (kbuild links a built-in composite object into
    built-in.a without a core.o) the sum of drivers/pwm/pwm_core/*.o."""
    paths = [os.path.join(obj, "drivers/pwm/core.o")]
    if not os.path.exists(paths[0]):
        paths = sorted(glob.glob(os.path.join(obj, "drivers/pwm/pwm_core/*.o")))
    total = {"text": 0, "data": 0, "bss": 0}
    try:
        for path in paths:
            out = subprocess.run([size_tool, path], stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, text=True).stdout
            text, data, bss = out.splitlines()[1].split()[:3]
            total["text"] += int(text)
            total["data"] += int(data)
            total["bss"] += int(bss)
    except (OSError, IndexError, ValueError):
        return None
    return total if paths else None


def spread(vals):
    med = statistics.median(vals)
    return (max(vals) - min(vals)) / med if med else 0.0


def svg(rows, floor, path):
    """Horizontal bars of the cost phase's ns rows (instructions): Rust and
    C, and the floor."""
    ns_rows = [r for r in rows if r["unit"] == "ns" and r["row"] != "floor_ns"]
    top = max([max(r["rust"], r["c"]) for r in ns_rows] + [1])
    width, left, bar, gap = 900, 330, 9, 8
    height = 60 + len(ns_rows) * (2 * bar + gap)
    scale = (width - left - 20) / top
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" '
           f'height="{height}" font-family="sans-serif" font-size="11">',
           '<text x="10" y="18" font-size="14">PWM core: instructions per '
           'operation (median), Rust (orange) and C (blue); dashed: the '
           'floor</text>']
    y = 40
    for r in ns_rows:
        out.append(f'<text x="{left - 6}" y="{y + bar + 3}" '
                   f'text-anchor="end">{r["row"]}</text>')
        for i, (core, colour) in enumerate((("rust", "#d9641e"), ("c", "#2a6fb0"))):
            w = max(1, r[core] * scale)
            out.append(f'<rect x="{left}" y="{y + i * bar}" width="{w:.1f}" '
                       f'height="{bar - 1}" fill="{colour}"/>')
            out.append(f'<text x="{left + w + 4:.1f}" y="{y + i * bar + bar - 2}">'
                       f'{r[core]}</text>')
        y += 2 * bar + gap
    if floor:
        x = left + floor * scale
        out.append(f'<line x1="{x:.1f}" y1="34" x2="{x:.1f}" y2="{y}" '
                   'stroke="#555" stroke-dasharray="4,3"/>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def table(values, row_defs, problems, phase):
    """The rows of one phase: medians, ratio, spread, net ratio."""
    floor = {core: statistics.median(values[core]["floor_ns"])
             for core in values if values[core].get("floor_ns")}
    rows = []
    for row, (what, unit, via_syscall) in row_defs.items():
        if not values["rust"].get(row) or not values["c"].get(row):
            problems.append(f"{phase} row {row}: no values")
            continue
        r, c = (statistics.median(values[k][row]) for k in ("rust", "c"))
        entry = {"row": row, "what": what, "unit": unit, "rust": r, "c": c,
                 "ratio": r / c if c > 0 else None,
                 "spread_rust": spread(values["rust"][row]),
                 "spread_c": spread(values["c"][row]),
                 "n": len(values["rust"][row])}
        if via_syscall and len(floor) == 2 and c > floor["c"]:
            entry["net_ratio"] = (r - floor["rust"]) / (c - floor["c"])
        rows.append(entry)
    return rows


def print_rows(rows):
    print(f"{'row':<26} {'Rust':>10} {'C':>10} {'Rust/C':>7} {'net':>6} "
          f"{'spread R/C':>13}  what")
    for e in rows:
        net = f"{e['net_ratio']:.2f}" if "net_ratio" in e else ""
        ratio = f"{e['ratio']:.2f}" if e["ratio"] is not None else "-"
        print(f"{e['row']:<26} {e['rust']:>10g} {e['c']:>10g} "
              f"{ratio:>7} {net:>6} "
              f"{e['spread_rust'] * 100:>5.0f}%/{e['spread_c'] * 100:>4.0f}%  "
              f"{e['what']}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("bench_dir")
    ap.add_argument("--rust-obj", required=True)
    ap.add_argument("--c-obj", required=True)
    ap.add_argument("--size", default="size")
    args = ap.parse_args()

    values, problems = read_boots(args.bench_dir)
    tables = {}
    for phase, row_defs in PHASES.items():
        tables[phase] = table(values[phase], row_defs, problems, phase)
    rows, wall = tables["cost"], tables["wall"]
    floor = {core: statistics.median(values["cost"][core]["floor_ns"])
             for core in ("rust", "c") if values["cost"][core].get("floor_ns")}
    by_row = {e["row"]: e for e in rows}
    by_wall = {e["row"]: e for e in wall}
    derived = {}
    for k in ("2", "4"):
        par, seq = by_wall.get(f"scale{k}_ns"), by_wall.get(f"scale{k}_seq_ns")
        if par and seq:
            derived[f"speedup{k}"] = {core: seq[core] / par[core]
                                      for core in ("rust", "c") if par[core]}
    size = {"rust": sizes(args.size, args.rust_obj),
            "c": sizes(args.size, args.c_obj)}

    print("== cost: instructions per operation (QEMU -icount; _ms rows: "
          "millions, _bytes rows: bytes)")
    print_rows(rows)
    print("== wall clock: ns per operation, parallel vCPUs (noisy)")
    print_rows(wall)
    for k, v in derived.items():
        if len(v) == 2:
            print(f"{k:<26} {v['rust']:>10.2f} {v['c']:>10.2f} "
                  f"{v['rust'] / v['c']:>7.2f}        "
                  f"speedup over the same work done sequentially")
    if size["rust"] and size["c"]:
        for part in ("text", "data", "bss"):
            r, c = size["rust"][part], size["c"][part]
            print(f"core.o .{part:<19} {r:>10} {c:>10} "
                  f"{(r / c if c else 0):>7.2f}        bytes")
    else:
        problems.append("no core.o to measure in the build trees")

    print("== targets")
    for key, (kind, limit) in TARGETS.items():
        if key == "text" and size["rust"] and size["c"]:
            got = size["rust"]["text"] / size["c"]["text"]
        elif key in derived and "rust" in derived[key]:
            got = derived[key]["rust"]
        elif key in by_row and by_row[key]["ratio"] is not None:
            got = by_row[key]["ratio"]
        else:
            continue
        ok = got <= limit if kind == "ratio" else got >= limit
        sign = "<=" if kind == "ratio" else ">="
        print(f"{'met' if ok else 'MISSED':<7} {key:<22} {got:.2f} "
              f"(target {sign} {limit})")

    with open(os.path.join(args.bench_dir, "bench.json"), "w") as f:
        json.dump({"rows": rows, "wall_rows": wall, "derived": derived,
                   "core_o": size,
                   "floor_ns": floor, "problems": problems}, f, indent=1)
    svg(rows, floor.get("c"), os.path.join(args.bench_dir, "bench.svg"))
    print(f"table: {os.path.join(args.bench_dir, 'bench.json')}, "
          f"plot: {os.path.join(args.bench_dir, 'bench.svg')}")
    for p in problems:
        print(f"error: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
