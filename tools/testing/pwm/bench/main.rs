// SPDX-License-Identifier: GPL-2.0

//! The userspace half of `make bench`, built static for the guest: timed
//! loops over the PWM core's userspace interfaces. Each prints one line,
//! `<nanoseconds per operation>` (or milliseconds for a whole sweep), which
//! `tools/testing/pwm/bench.sh` labels.
//!
//! Usage:
//! - `pwm-bench floor N`: an ioctl that another driver rejects at once
//!   (`PWM_IOCTL_GETWF` on `/dev/null`, `ENOTTY`): the system call's floor.
//! - `pwm-bench cdev DEV CH OP N`: OP is `setroundedwf`, `roundwf` or
//!   `getwf` on channel CH of the character device DEV.
//! - `pwm-bench cdev-sweep DEV CH`: the seed's sweep, 50,001 waveforms of
//!   period 50,000 ns with duty 0 to 50,000 ns; milliseconds in all.
//! - `pwm-bench sysfs PWMDIR N`: `duty_cycle` writes to an exported channel
//!   (one open file, `pwrite`). `sysfs-sweep PWMDIR`: the sweep through it.
//! - `pwm-bench open-close DEV N`: opening and closing DEV.
//! - `pwm-bench export CHIPDIR N`: exporting and unexporting channel 0.
//! - `pwm-bench scale N DEV...`: one process per DEV doing N
//!   `SETROUNDEDWF` on channel 0 at once; nanoseconds of wall time per
//!   operation over all of them. `scale-seq N DEV...`: the same processes
//!   one after another. The clock runs only while the processes loop: each
//!   starts, opens and requests its channel, says it is ready and waits to
//!   be let go, so that starting and ending processes, which does not
//!   scale under QEMU, is not timed.
//! - `pwm-bench scale-child DEV N`: one such process (used by `scale`).
//! - `pwm-bench kmem`: bytes of kernel memory allocated through kmalloc and
//!   the slab caches now: the slab objects in use (`/proc/slabinfo`) and the
//!   large kmalloc allocations, which take whole pages (`Slab:` of
//!   `/proc/meminfo` less the pages of the slab caches). Every cache is
//!   shrunk first, so that per-CPU slabs do not count as wholly in use.
//! - `pwm-bench open-files DEV COUNT`: such bytes per open file of DEV,
//!   with COUNT of them open at once.

use std::ffi::{c_int, c_ulong};
use std::fs::{self, File, OpenOptions};
use std::io::{Error, Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::fs::FileExt;
use std::process::{exit, Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

extern "C" {
    fn ioctl(fd: c_int, request: c_ulong, ...) -> c_int;
}

#[path = "../uapi/pwm.rs"]
mod uapi;
use uapi::Wf;
const REQUEST: c_ulong = uapi::REQUEST as c_ulong;
const ROUNDWF: c_ulong = uapi::ROUNDWF as c_ulong;
const GETWF: c_ulong = uapi::GETWF as c_ulong;
const SETROUNDEDWF: c_ulong = uapi::SETROUNDEDWF as c_ulong;
const PERIOD: u64 = 50_000;

type Res<T> = Result<T, String>;

fn open_rw(path: &str) -> Res<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| format!("open {path}: {e}"))
}

fn errno() -> i32 {
    Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn wf_ioctl(f: &File, cmd: c_ulong, wf: &mut Wf) -> c_int {
    // SAFETY: `wf` is a `struct pwmchip_waveform` the ioctl reads and writes.
    unsafe { ioctl(f.as_raw_fd(), cmd, &raw mut *wf) }
}

fn request(f: &File, ch: u32) -> Res<()> {
    // SAFETY: `PWM_IOCTL_REQUEST` takes the channel by value.
    if unsafe { ioctl(f.as_raw_fd(), REQUEST, c_ulong::from(ch)) } != 0 {
        return Err(format!("PWM_IOCTL_REQUEST: errno {}", errno()));
    }
    Ok(())
}

/// Runs `op(i)` for i in 0..n; nanoseconds per call.
fn per_op(n: u64, mut op: impl FnMut(u64) -> Res<()>) -> Res<u64> {
    let start = Instant::now();
    for i in 0..n {
        op(i)?;
    }
    let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
    Ok(ns / n.max(1))
}

fn duty(i: u64) -> u64 {
    if i % 2 == 0 {
        PERIOD / 2
    } else {
        PERIOD / 4
    }
}

fn set_wf(f: &File, ch: u32, duty: u64) -> Res<()> {
    let mut w = Wf {
        hwpwm: ch,
        period: PERIOD,
        duty,
        ..Default::default()
    };
    if wf_ioctl(f, SETROUNDEDWF, &mut w) != 0 {
        return Err(format!("PWM_IOCTL_SETROUNDEDWF: errno {}", errno()));
    }
    Ok(())
}

fn cdev(dev: &str, ch: u32, op: &str, n: u64) -> Res<u64> {
    let f = open_rw(dev)?;
    request(&f, ch)?;
    set_wf(&f, ch, PERIOD / 2)?;
    match op {
        "setroundedwf" => per_op(n, |i| set_wf(&f, ch, duty(i))),
        "roundwf" | "getwf" => {
            let cmd = if op == "roundwf" { ROUNDWF } else { GETWF };
            per_op(n, |i| {
                let mut w = Wf {
                    hwpwm: ch,
                    period: PERIOD,
                    duty: duty(i),
                    ..Default::default()
                };
                if wf_ioctl(&f, cmd, &mut w) != 0 {
                    return Err(format!("{op}: errno {}", errno()));
                }
                Ok(())
            })
        }
        _ => Err(format!("unknown operation {op}")),
    }
}

fn sweep(mut set: impl FnMut(u64) -> Res<()>) -> Res<u64> {
    let start = Instant::now();
    for d in 0..=PERIOD {
        set(d)?;
    }
    Ok(u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX))
}

fn sysfs_duty(pwm: &str) -> Res<File> {
    fs::write(format!("{pwm}/period"), PERIOD.to_string()).map_err(|e| format!("period: {e}"))?;
    fs::write(format!("{pwm}/enable"), "1").map_err(|e| format!("enable: {e}"))?;
    OpenOptions::new()
        .write(true)
        .open(format!("{pwm}/duty_cycle"))
        .map_err(|e| format!("duty_cycle: {e}"))
}

fn write_duty(f: &File, d: u64) -> Res<()> {
    f.write_at(d.to_string().as_bytes(), 0)
        .map(|_| ())
        .map_err(|e| format!("duty_cycle: {e}"))
}

fn export(chip: &str, n: u64) -> Res<u64> {
    per_op(n, |_| {
        fs::write(format!("{chip}/export"), "0").map_err(|e| format!("export: {e}"))?;
        fs::write(format!("{chip}/unexport"), "0").map_err(|e| format!("unexport: {e}"))
    })
}

/// One child per device, all let go together (`parallel`) or each after
/// the last one ended; wall time per operation, of the loops alone.
fn scale(n: u64, devs: &[String], parallel: bool) -> Res<u64> {
    let me = std::env::current_exe().map_err(|e| e.to_string())?;
    let spawn = |dev: &String| -> Res<Child> {
        let mut child = Command::new(&me)
            .args(["scale-child", dev, &n.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .map_err(|e| e.to_string())?;
        expect_line(&mut child, "ready")?;
        Ok(child)
    };
    let go = |child: &mut Child| -> Res<()> {
        let stdin = child.stdin.as_mut().ok_or("no stdin")?;
        stdin.write_all(b"go\n").map_err(|e| e.to_string())
    };
    let finish = |mut child: Child| -> Res<()> {
        expect_line(&mut child, "done")?;
        drop(child.stdin.take());
        match child.wait() {
            Ok(st) if st.success() => Ok(()),
            _ => Err("a child failed".into()),
        }
    };
    let mut elapsed = Duration::ZERO;
    if parallel {
        let mut children = devs.iter().map(spawn).collect::<Res<Vec<_>>>()?;
        let start = Instant::now();
        for c in &mut children {
            go(c)?;
        }
        for c in children {
            finish(c)?;
        }
        elapsed = start.elapsed();
    } else {
        for d in devs {
            let mut c = spawn(d)?;
            let start = Instant::now();
            go(&mut c)?;
            let result = finish(c);
            elapsed += start.elapsed();
            result?;
        }
    }
    let ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
    Ok(ns / (n * devs.len() as u64).max(1))
}

/// Reads a line from the child's standard output; it must be `want`.
fn expect_line(child: &mut Child, want: &str) -> Res<()> {
    let out = child.stdout.as_mut().ok_or("no stdout")?;
    let mut line = Vec::new();
    let mut byte = [0u8];
    while out.read(&mut byte).map_err(|e| e.to_string())? == 1 && byte[0] != b'\n' {
        line.push(byte[0]);
    }
    if line != want.as_bytes() {
        return Err(format!(
            "a child said {:?}, not {want}",
            String::from_utf8_lossy(&line)
        ));
    }
    Ok(())
}

/// A process of `scale`: gets ready on channel 0 of `dev`, waits for a line
/// on its standard input, does `n` `SETROUNDEDWF`, then says `done`.
fn scale_child(dev: &str, n: u64) -> Res<()> {
    let f = open_rw(dev)?;
    request(&f, 0)?;
    set_wf(&f, 0, PERIOD / 2)?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "ready")
        .and_then(|()| stdout.flush())
        .map_err(|e| e.to_string())?;
    let mut go = String::new();
    std::io::stdin()
        .read_line(&mut go)
        .map_err(|e| e.to_string())?;
    for i in 0..n {
        set_wf(&f, 0, duty(i))?;
    }
    writeln!(stdout, "done")
        .and_then(|()| stdout.flush())
        .map_err(|e| e.to_string())
}

/// Shrinks every slab cache: flushes the per-CPU slabs into the node
/// lists, where `/proc/slabinfo` counts their free objects as free.
fn shrink_slabs() {
    if let Ok(dir) = fs::read_dir("/sys/kernel/slab") {
        for entry in dir.flatten() {
            // Aliases and caches without the file are skipped.
            let _ = fs::write(entry.path().join("shrink"), "1");
        }
    }
}

fn kmem() -> Res<u64> {
    shrink_slabs();
    let text = fs::read_to_string("/proc/slabinfo").map_err(|e| format!("slabinfo: {e}"))?;
    let (mut objects, mut slab_pages) = (0u64, 0u64);
    for line in text.lines().skip(2) {
        // name active_objs num_objs objsize objperslab pagesperslab
        //   : tunables ... : slabdata active_slabs num_slabs sharedavail
        let f: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|v| v.parse().ok())
            .collect();
        if let [active, _, size, _, pages_per_slab, .., _, num_slabs, _] = f[..] {
            objects = objects.saturating_add(active.saturating_mul(size));
            slab_pages = slab_pages.saturating_add(num_slabs.saturating_mul(pages_per_slab));
        }
    }
    let meminfo = fs::read_to_string("/proc/meminfo").map_err(|e| format!("meminfo: {e}"))?;
    let slab_kb: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("Slab:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .ok_or("meminfo: no Slab")?;
    let large = slab_kb
        .saturating_mul(1024)
        .saturating_sub(slab_pages.saturating_mul(4096));
    Ok(objects.saturating_add(large))
}

fn arg<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> Res<T> {
    args.get(i)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{what}: missing or invalid"))
}

fn run(args: &[String]) -> Res<u64> {
    let s = |i: usize| args.get(i).cloned().unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("floor") => {
            let f = open_rw("/dev/null")?;
            per_op(arg(args, 1, "N")?, |_| {
                let mut w = Wf::default();
                wf_ioctl(&f, GETWF, &mut w);
                Ok(())
            })
        }
        Some("cdev") => cdev(&s(1), arg(args, 2, "CH")?, &s(3), arg(args, 4, "N")?),
        Some("cdev-sweep") => {
            let ch = arg(args, 2, "CH")?;
            let f = open_rw(&s(1))?;
            request(&f, ch)?;
            sweep(|d| set_wf(&f, ch, d))
        }
        Some("sysfs") => {
            let f = sysfs_duty(&s(1))?;
            per_op(arg(args, 2, "N")?, |i| write_duty(&f, duty(i)))
        }
        Some("sysfs-sweep") => {
            let f = sysfs_duty(&s(1))?;
            sweep(|d| write_duty(&f, d))
        }
        Some("open-close") => {
            let dev = s(1);
            per_op(arg(args, 2, "N")?, |_| open_rw(&dev).map(drop))
        }
        Some("export") => export(&s(1), arg(args, 2, "N")?),
        Some("scale-child") => {
            scale_child(&s(1), arg(args, 2, "N")?)?;
            // The parent reads "done" instead of a figure.
            exit(0)
        }
        Some(cmd @ ("scale" | "scale-seq")) => scale(
            arg(args, 1, "N")?,
            &args[2.min(args.len())..],
            cmd == "scale",
        ),
        Some("kmem") => kmem(),
        Some("open-files") => {
            let count: u64 = arg(args, 2, "COUNT")?;
            // Each reading after a pause, in which RCU frees what the
            // previous one queued.
            let settle = || thread::sleep(Duration::from_secs(1));
            settle();
            let before = kmem()?;
            let files = (0..count)
                .map(|_| open_rw(&s(1)))
                .collect::<Res<Vec<_>>>()?;
            settle();
            let after = kmem()?;
            drop(files);
            Ok(after.saturating_sub(before) / count.max(1))
        }
        _ => Err("usage: see the comment at the top of tools/testing/pwm/bench/main.rs".into()),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(v) => println!("{v}"),
        Err(e) => {
            eprintln!("error: {e}");
            exit(1);
        }
    }
}
