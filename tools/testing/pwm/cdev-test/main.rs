// SPDX-License-Identifier: GPL-2.0

//! In-guest tests of `/dev/pwmchipN` (`<uapi/linux/pwm.h>`) against pwm-sim
//! chips, built static for the guest (x86_64, and i686 for `compat_ioctl`).
//!
//! Each case prints `guest-test: ok <suite>.<case>` or
//! `guest-test: not ok <suite>.<case> # <why>` to stdout and `/dev/ttyS1`.
//! The simulated hardware is read from `/sys/kernel/debug/pwm-sim/<name>`.
//!
//! Usage: `pwm-cdev-test <suite> [quick]`; `quick` runs the cases a 32-bit
//! build repeats. `pwm-cdev-test request FD HWPWM` makes one
//! `PWM_IOCTL_REQUEST` on file descriptor FD, open on a `/dev/pwmchipN`, and
//! prints `ok` or `errno N`.

use std::ffi::c_int;
use std::fs::{self, File, OpenOptions};
use std::io::{Error, Write};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

extern "C" {
    fn ioctl(fd: c_int, request: std::ffi::c_ulong, ...) -> c_int;
    fn mmap(
        addr: *mut std::ffi::c_void,
        len: usize,
        prot: c_int,
        flags: c_int,
        fd: c_int,
        off: i64,
    ) -> *mut std::ffi::c_void;
    fn mprotect(addr: *mut std::ffi::c_void, len: usize, prot: c_int) -> c_int;
    fn munmap(addr: *mut std::ffi::c_void, len: usize) -> c_int;
}

#[path = "../uapi/pwm.rs"]
mod uapi;
use uapi::{ioc, Wf, FREE, GETWF, NONE, REQUEST, ROUNDWF, SETEXACTWF, SETROUNDEDWF};

const EFAULT: i32 = 14;
const EBUSY: i32 = 16;
const ENODEV: i32 = 19;
const EINVAL: i32 = 22;
const ENOTTY: i32 = 25;
const EDOM: i32 = 33;
const ENOENT: i32 = 2;
const EIO: i32 = 5;
const EOPNOTSUPP: i32 = 95;

const CFS: &str = "/sys/kernel/config/pwm-sim";
const DBG: &str = "/sys/kernel/debug/pwm-sim";

struct Report {
    suite: String,
    tty: Option<File>,
    failed: u32,
}

impl Report {
    fn line(&mut self, s: &str) {
        println!("guest-test: {s}");
        if let Some(t) = &mut self.tty {
            let _ = writeln!(t, "guest-test: {s}");
        }
    }

    /// A line that is not a result: the harness ignores it.
    fn note(&mut self, s: &str) {
        self.line(&format!("# {}: {s}", self.suite));
    }

    fn check(&mut self, name: &str, ok: bool, why: impl FnOnce() -> String) {
        if ok {
            self.line(&format!("ok {}.{name}", self.suite));
        } else {
            self.failed += 1;
            let why = why();
            self.line(&format!("not ok {}.{name} # {why}", self.suite));
        }
    }

    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, name: &str, expected: T, got: T) {
        let ok = expected == got;
        self.check(name, ok, || format!("expected {expected:?}, got {got:?}"));
    }
}

/// An ioctl's result: `Ok(())` or the errno.
fn io(fd: &File, cmd: u64, arg: u64) -> Result<(), i32> {
    // SAFETY: The kernel checks `arg`; bad pointers are part of the tests.
    let r = unsafe { ioctl(fd.as_raw_fd(), cmd as _, arg as std::ffi::c_ulong) };
    if r == 0 {
        Ok(())
    } else {
        Err(Error::last_os_error().raw_os_error().unwrap_or(0))
    }
}

fn wf_io(fd: &File, cmd: u64, wf: &mut Wf) -> Result<(), i32> {
    io(fd, cmd, wf as *mut Wf as usize as u64)
}

fn wf(hwpwm: u32, period: u64, duty: u64, offset: u64) -> Wf {
    Wf {
        hwpwm,
        pad: 0,
        period,
        duty,
        offset,
    }
}

/// A pwm-sim chip made live through configfs, removed on drop.
struct Sim {
    name: String,
    dev: String,
}

impl Sim {
    fn new(name: &str, attrs: &[(&str, &str)]) -> Result<Self, String> {
        let dir = format!("{CFS}/{name}");
        fs::create_dir(&dir).map_err(|e| format!("mkdir {dir}: {e}"))?;
        let mut sim = Sim {
            name: name.into(),
            dev: String::new(),
        };
        for (k, v) in attrs {
            fs::write(format!("{dir}/{k}"), v).map_err(|e| format!("{k}={v}: {e}"))?;
        }
        sim.set("live", "1")?;
        let chip = fs::read_to_string(format!("{dir}/chip_name"))
            .map_err(|e| format!("chip_name: {e}"))?;
        sim.dev = format!("/dev/{}", chip.trim());
        Ok(sim)
    }

    fn set(&self, attr: &str, v: &str) -> Result<(), String> {
        fs::write(format!("{CFS}/{}/{attr}", self.name), v).map_err(|e| format!("{attr}={v}: {e}"))
    }

    /// The node of the chip as first made live (recreating keeps the id
    /// only when nothing else took it meanwhile).
    fn dev(&self) -> String {
        self.dev.clone()
    }

    fn open(&self) -> Result<File, i32> {
        OpenOptions::new()
            .read(true)
            .write(true)
            .open(self.dev())
            .map_err(|e| e.raw_os_error().unwrap_or(0))
    }

    /// A field of channel `ch` in the debugfs file.
    fn hw(&self, ch: u32, field: &str) -> String {
        let text = fs::read_to_string(format!("{DBG}/{}", self.name)).unwrap_or_default();
        let prefix = format!("pwm{ch}: ");
        text.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .and_then(|l| {
                l.split(' ')
                    .find_map(|kv| kv.strip_prefix(&format!("{field}=")).map(String::from))
            })
            .unwrap_or_default()
    }

    /// Waits (up to ten seconds) until `field` of channel `ch` reads
    /// `value`; whether it did.
    fn wait_hw(&self, ch: u32, field: &str, value: &str) -> bool {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.hw(ch, field) != value {
            if Instant::now() > deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// What every channel's hardware runs, and how often it was written:
    /// the debugfs lines without the other op counters; empty when the file
    /// cannot be read, which callers treat as a failure.
    fn hw_all(&self) -> String {
        let text = fs::read_to_string(format!("{DBG}/{}", self.name)).unwrap_or_default();
        let keep = [
            "enabled=",
            "period_ns=",
            "duty_ns=",
            "offset_ns=",
            "polarity=",
            "apply=",
            "write=",
        ];
        text.lines()
            .map(|l| {
                l.split(' ')
                    .filter(|kv| kv.ends_with(':') || keep.iter().any(|k| kv.starts_with(k)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.set("live", "0");
        let _ = fs::remove_dir(format!("{CFS}/{}", self.name));
    }
}

/// The cases both builds run: request, the four waveform ioctls, errors.
fn basic(r: &mut Report, tag: &str, atomic: bool) -> Result<(), String> {
    let name = format!("cdev{tag}{}", u8::from(atomic));
    let a = if atomic { "1" } else { "0" };
    let sim = Sim::new(
        &name,
        &[("npwm", "2"), ("atomic", a), ("clock_hz", "100000000")],
    )?;
    let t = |s: &str| format!("{tag}atomic{}.{s}", u8::from(atomic));
    let f = sim
        .open()
        .map_err(|e| format!("open {}: errno {e}", sim.dev()))?;

    r.eq(&t("request"), Ok(()), io(&f, REQUEST, 0));
    r.eq(&t("request-again-same-file"), Ok(()), io(&f, REQUEST, 0));
    r.eq(&t("request-out-of-range"), Err(EINVAL), io(&f, REQUEST, 2));
    let g = sim.open().map_err(|e| format!("second open: errno {e}"))?;
    r.eq(
        &t("request-held-by-other-file"),
        Err(EBUSY),
        io(&g, REQUEST, 0),
    );
    r.eq(&t("free-out-of-range"), Err(EINVAL), io(&f, FREE, 9));
    r.eq(&t("free-not-held"), Ok(()), io(&f, FREE, 1));

    let before = sim.hw_all();
    let mut w = wf(0, 50_005, 20_007, 1_003);
    r.eq(&t("roundwf"), Ok(()), wf_io(&f, ROUNDWF, &mut w));
    r.eq(&t("roundwf-rounds-down"), wf(0, 50_000, 20_000, 1_000), w);
    r.eq(
        &t("roundwf-changes-no-hardware"),
        true,
        !before.is_empty() && before == sim.hw_all(),
    );
    let mut w = wf(1, 50_000, 0, 0);
    r.eq(
        &t("roundwf-not-requested"),
        Err(EINVAL),
        wf_io(&g, ROUNDWF, &mut w),
    );
    let mut w = wf(0, 50_000, 0, 0);
    w.pad = 1;
    r.eq(
        &t("roundwf-nonzero-pad"),
        Err(EINVAL),
        wf_io(&f, ROUNDWF, &mut w),
    );
    r.eq(&t("roundwf-bad-pointer"), Err(EFAULT), io(&f, ROUNDWF, 16));

    let mut w = wf(0, 50_005, 20_007, 0);
    r.eq(&t("setroundedwf"), Ok(()), wf_io(&f, SETROUNDEDWF, &mut w));
    r.eq(
        &t("setroundedwf-hardware"),
        ("1", "50000", "20000"),
        (
            &*sim.hw(0, "enabled"),
            &*sim.hw(0, "period_ns"),
            &*sim.hw(0, "duty_ns"),
        ),
    );
    let mut got = wf(0, 0, 0, 0);
    r.eq(&t("getwf"), Ok(()), wf_io(&f, GETWF, &mut got));
    r.eq(&t("getwf-reads-hardware"), wf(0, 50_000, 20_000, 0), got);
    r.eq(&t("getwf-bad-pointer"), Err(EFAULT), io(&f, GETWF, 8));

    let before = sim.hw_all();
    let rejects = [
        (
            "setexactwf-inexact",
            SETEXACTWF,
            wf(0, 50_005, 20_000, 0),
            EDOM,
        ),
        (
            "set-duty-above-period",
            SETROUNDEDWF,
            wf(0, 1_000, 2_000, 0),
            EINVAL,
        ),
        (
            "set-offset-not-below-period",
            SETROUNDEDWF,
            wf(0, 1_000, 0, 1_000),
            EINVAL,
        ),
        (
            "set-period-above-s64max",
            SETROUNDEDWF,
            wf(0, 1 << 63, 0, 0),
            EINVAL,
        ),
        (
            "set-not-requested",
            SETROUNDEDWF,
            wf(1, 1_000, 0, 0),
            EINVAL,
        ),
        ("set-out-of-range", SETROUNDEDWF, wf(7, 1_000, 0, 0), EINVAL),
    ];
    for (case, cmd, mut w, errno) in rejects {
        r.eq(&t(case), Err(errno), wf_io(&f, cmd, &mut w));
    }
    let mut w = wf(0, 1_000, 0, 0);
    w.pad = 7;
    r.eq(
        &t("set-nonzero-pad"),
        Err(EINVAL),
        wf_io(&f, SETEXACTWF, &mut w),
    );
    r.eq(&t("set-bad-pointer"), Err(EFAULT), io(&f, SETROUNDEDWF, 1));
    r.eq(
        &t("unknown-ioctl"),
        Err(ENOTTY),
        io(&f, ioc(NONE, 99, 0), 0),
    );
    r.eq(&t("foreign-ioctl"), Err(ENOTTY), io(&f, 0x5401, 0));
    r.eq(
        &t("rejected-changes-no-hardware"),
        true,
        !before.is_empty() && before == sim.hw_all(),
    );

    let mut w = wf(0, 40_000, 10_000, 0);
    r.eq(
        &t("setexactwf-exact"),
        Ok(()),
        wf_io(&f, SETEXACTWF, &mut w),
    );
    r.eq(
        &t("setexactwf-hardware"),
        "10000".to_string(),
        sim.hw(0, "duty_ns"),
    );
    // Below one cycle: rounded up to one, and that is not an error.
    let mut w = wf(0, 5, 0, 0);
    r.eq(
        &t("setroundedwf-rounds-up"),
        Ok(()),
        wf_io(&f, SETROUNDEDWF, &mut w),
    );
    r.eq(
        &t("rounded-up-hardware"),
        "10".to_string(),
        sim.hw(0, "period_ns"),
    );

    faults(r, &f, &sim, &t);
    race(r, &f, &g, &t);

    drop(g);
    let frees = sim.hw(0, "free");
    drop(f);
    r.eq(
        &t("close-frees"),
        (frees.parse::<u32>().unwrap_or(99) + 1).to_string(),
        sim.hw(0, "free"),
    );
    let h = sim.open().map_err(|e| format!("reopen: errno {e}"))?;
    r.eq(&t("request-after-close"), Ok(()), io(&h, REQUEST, 0));
    Ok(())
}

/// Opens the node of `sim`, or `/dev/null` when the chip has none (the C
/// core, or `CONFIG_PWM_LEGACY_CDEV=n`): every case then runs and fails
/// with `ENOTTY`, so the suite's count stays whole. A note names the cause.
fn open_or_null(r: &mut Report, sim: &Sim, what: &str) -> Result<File, String> {
    sim.open().or_else(|e| {
        r.note(&format!(
            "{what}: {}: errno {e}; using /dev/null",
            sim.dev()
        ));
        OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
            .map_err(|e| format!("{what}: /dev/null: {e}"))
    })
}

/// Chips with only the legacy ops (`CONFIG_PWM_LEGACY_CDEV`): `SETROUNDEDWF`
/// applies the equivalent state, `GETWF` reads it back as a waveform,
/// `ROUNDWF` and `SETEXACTWF` fail with `-EOPNOTSUPP`; every other rule is
/// that of waveform chips. Both builds run these.
fn legacy(r: &mut Report, tag: &str, atomic: bool) -> Result<(), String> {
    let a = if atomic { "1" } else { "0" };
    let sim = Sim::new(
        &format!("cdevleg{tag}{a}"),
        &[
            ("mode", "legacy"),
            ("npwm", "2"),
            ("atomic", a),
            ("clock_hz", "100000000"),
        ],
    )?;
    let t = |s: &str| format!("{tag}legacy{a}.{s}");
    let f = open_or_null(r, &sim, &t("open"))?;
    let g = open_or_null(r, &sim, &t("second-open"))?;
    r.eq(&t("request"), Ok(()), io(&f, REQUEST, 0));
    r.eq(
        &t("request-held-by-other-file"),
        Err(EBUSY),
        io(&g, REQUEST, 0),
    );
    r.eq(&t("request-out-of-range"), Err(EINVAL), io(&f, REQUEST, 2));

    let hw = |sim: &Sim| ["enabled", "period_ns", "duty_ns", "polarity"].map(|k| sim.hw(0, k));
    let expect = |e: &str, p: &str, d: &str, pol: &str| [e, p, d, pol].map(String::from);
    // (case, request, what pwm-sim programs, what GETWF reads back)
    let sets = [
        (
            "normal",
            wf(0, 50_005, 20_007, 0),
            expect("1", "50000", "20000", "normal"),
            wf(0, 50_000, 20_000, 0),
        ),
        (
            "inversed",
            wf(0, 40_000, 30_000, 10_000),
            expect("1", "40000", "10000", "inversed"),
            wf(0, 40_000, 30_000, 10_000),
        ),
        (
            "offset-rounded-to-zero",
            wf(0, 40_000, 10_000, 5_000),
            expect("1", "40000", "10000", "normal"),
            wf(0, 40_000, 10_000, 0),
        ),
        // Active for the whole period: as upstream maps it, an inversed
        // output that is never inactive.
        (
            "full-duty",
            wf(0, 30_000, 30_000, 0),
            expect("1", "30000", "0", "inversed"),
            wf(0, 30_000, 30_000, 0),
        ),
        (
            "zero-period-disables",
            wf(0, 0, 0, 0),
            expect("0", "30000", "0", "inversed"),
            wf(0, 0, 0, 0),
        ),
    ];
    for (case, mut w, hw_after, back) in sets {
        r.eq(
            &t(&format!("set-{case}")),
            Ok(()),
            wf_io(&f, SETROUNDEDWF, &mut w),
        );
        r.eq(&t(&format!("set-{case}-hardware")), hw_after, hw(&sim));
        let mut got = wf(0, 1, 1, 1);
        let res = wf_io(&f, GETWF, &mut got);
        r.eq(&t(&format!("getwf-{case}")), (Ok(()), back), (res, got));
    }

    let mut w = wf(0, 20_000, 5_000, 0);
    let _ = wf_io(&f, SETROUNDEDWF, &mut w);
    // The registers only: a refusal by the driver counts its `apply` call.
    let regs = |sim: &Sim| {
        [0, 1].map(|ch| {
            ["enabled", "period_ns", "duty_ns", "offset_ns", "polarity"].map(|k| sim.hw(ch, k))
        })
    };
    let before = regs(&sim);
    let rejects = [
        (
            "roundwf-unsupported",
            ROUNDWF,
            wf(0, 20_000, 5_000, 0),
            EOPNOTSUPP,
        ),
        (
            "setexactwf-unsupported",
            SETEXACTWF,
            wf(0, 20_000, 5_000, 0),
            EOPNOTSUPP,
        ),
        (
            "set-duty-above-period",
            SETROUNDEDWF,
            wf(0, 1_000, 2_000, 0),
            EINVAL,
        ),
        (
            "set-offset-not-below-period",
            SETROUNDEDWF,
            wf(0, 1_000, 0, 1_000),
            EINVAL,
        ),
        (
            "set-period-above-s64max",
            SETROUNDEDWF,
            wf(0, 1 << 63, 0, 0),
            EINVAL,
        ),
        (
            "set-not-requested",
            SETROUNDEDWF,
            wf(1, 1_000, 0, 0),
            EINVAL,
        ),
        ("getwf-not-requested", GETWF, wf(1, 0, 0, 0), EINVAL),
        ("set-out-of-range", SETROUNDEDWF, wf(7, 1_000, 0, 0), EINVAL),
        // Below one cycle of pwm-sim's clock: its apply refuses.
        ("set-driver-refuses", SETROUNDEDWF, wf(0, 5, 0, 0), EINVAL),
    ];
    for (case, cmd, mut w, errno) in rejects {
        r.eq(&t(case), Err(errno), wf_io(&f, cmd, &mut w));
    }
    let mut w = wf(0, 1_000, 0, 0);
    w.pad = 1;
    r.eq(
        &t("set-nonzero-pad"),
        Err(EINVAL),
        wf_io(&f, SETROUNDEDWF, &mut w),
    );
    r.eq(&t("set-bad-pointer"), Err(EFAULT), io(&f, SETROUNDEDWF, 1));
    r.eq(&t("getwf-bad-pointer"), Err(EFAULT), io(&f, GETWF, 8));
    r.eq(
        &t("unknown-ioctl"),
        Err(ENOTTY),
        io(&f, ioc(NONE, 99, 0), 0),
    );
    // The driver's errors are passed on, except -EDOM, which only an
    // exact request that cannot be met returns.
    let driver = [("5", EIO), ("33", EINVAL)];
    for (errno, want) in driver {
        let mut w = wf(0, 10_000, 1_000, 0);
        let res = sim
            .set("fail_next", &format!("1 {errno}"))
            .map_err(|_| -1)
            .and_then(|()| wf_io(&f, SETROUNDEDWF, &mut w));
        r.eq(&t(&format!("set-driver-errno-{errno}")), Err(want), res);
    }
    let _ = sim.set("fail_next", "0");
    r.eq(&t("rejected-changes-no-hardware"), before, regs(&sim));
    let mut w = wf(0, 1, 1, 1);
    let res = sim
        .set("fail_next", "1")
        .map_err(|_| -1)
        .and_then(|()| wf_io(&f, GETWF, &mut w));
    let _ = sim.set("fail_next", "0");
    r.eq(&t("getwf-driver-error"), Err(EIO), res);

    let frees = sim.hw(0, "free");
    drop(g);
    let g = open_or_null(r, &sim, &t("reopen"))?;
    drop(f);
    r.eq(
        &t("close-frees"),
        (frees.parse::<u32>().unwrap_or(99) + 1).to_string(),
        sim.hw(0, "free"),
    );
    r.eq(&t("request-after-close"), Ok(()), io(&g, REQUEST, 0));
    drop(sim);
    let mut w = wf(0, 10_000, 1_000, 0);
    r.eq(
        &t("removed-chip-enodev"),
        (Err(ENODEV), Err(ENODEV)),
        (wf_io(&g, SETROUNDEDWF, &mut w), wf_io(&g, GETWF, &mut w)),
    );
    Ok(())
}

/// User copies that fault part of the way: a waveform that runs into an
/// inaccessible page, and one in read-only memory, where the kernel can read
/// the request but not write the answer. Channel 0 of `f` is requested.
fn faults(r: &mut Report, f: &File, sim: &Sim, t: &dyn Fn(&str) -> String) {
    const PAGE: usize = 4096;
    // SAFETY: A new anonymous private mapping; nothing else refers to it.
    let base = unsafe { mmap(std::ptr::null_mut(), 2 * PAGE, 3, 0x22, -1, 0) };
    if base as isize == -1 {
        r.check(&t("faults-setup"), false, || "mmap failed".into());
        return;
    }
    let base = base.cast::<u8>();
    // The second page inaccessible, but kept reserved: unmapped, it could be
    // handed to the next allocation.
    // SAFETY: The second page of the mapping just made; nothing refers to it.
    unsafe { mprotect(base.add(PAGE).cast(), PAGE, 0) };
    let before = sim.hw_all();
    // The first 16 bytes (hwpwm, pad and period 0) readable, the rest in
    // the inaccessible page.
    // SAFETY: The 16 bytes before the end of the first page, which is mapped.
    let straddle = unsafe { base.add(PAGE - 16) };
    // SAFETY: As above.
    unsafe { std::ptr::write_bytes(straddle, 0, 16) };
    r.eq(
        &t("set-straddling-buffer"),
        Err(EFAULT),
        io(f, SETROUNDEDWF, straddle as usize as u64),
    );
    r.eq(
        &t("straddling-changes-no-hardware"),
        true,
        !before.is_empty() && before == sim.hw_all(),
    );
    // SAFETY: The first page is mapped, writable and aligned for a `Wf`.
    unsafe {
        base.cast::<Wf>().write(wf(0, 50_000, 10_000, 0));
        mprotect(base.cast(), PAGE, 1);
    }
    r.eq(
        &t("getwf-readonly-buffer"),
        Err(EFAULT),
        io(f, GETWF, base as usize as u64),
    );
    r.eq(
        &t("roundwf-readonly-buffer"),
        Err(EFAULT),
        io(f, ROUNDWF, base as usize as u64),
    );
    // SAFETY: The whole mapping; nothing refers to it any more.
    unsafe { munmap(base.cast(), 2 * PAGE) };
}

/// `FREE` and `REQUEST` racing `SETROUNDEDWF` on the same open file (a
/// duplicate of its descriptor): each SET applies or finds the channel not
/// held, and the channel is released at the end. `g` is another open file.
fn race(r: &mut Report, f: &File, g: &File, t: &dyn Fn(&str) -> String) {
    r.eq(&t("race-request"), Ok(()), io(f, REQUEST, 1));
    let setter = match f.try_clone() {
        Ok(dup) => thread::spawn(move || {
            for i in 0..3000u64 {
                let mut w = wf(1, 10_000, i % 10_000, 0);
                match wf_io(&dup, SETROUNDEDWF, &mut w) {
                    Ok(()) | Err(EINVAL) => {}
                    Err(e) => return Some(e),
                }
            }
            None
        }),
        Err(e) => {
            r.check(&t("race-setup"), false, || format!("dup: {e}"));
            return;
        }
    };
    let mut held = None;
    for _ in 0..1000 {
        if let Err(e) = io(f, FREE, 1).and_then(|()| io(f, REQUEST, 1)) {
            held = Some(e);
            break;
        }
    }
    let set = setter.join().unwrap_or(Some(-1));
    r.eq(&t("race-set-applies-or-einval"), None, set);
    r.eq(&t("race-free-request-succeed"), None, held);
    r.eq(
        &t("race-freed-for-others"),
        (Ok(()), Ok(()), Ok(())),
        (io(f, FREE, 1), io(g, REQUEST, 1), io(g, FREE, 1)),
    );
}

/// Removal under open files and ioctls, sweeps, parallel chips, high ids.
fn full(r: &mut Report) -> Result<(), String> {
    // The seed's sweep on a legacy chip: every duty value at 50 us.
    let legacy = Sim::new("cdevlegsweep", &[("mode", "legacy")])?;
    match legacy.open() {
        Ok(f) => {
            let _ = io(&f, REQUEST, 0);
            let mut failed = 0;
            for duty in 0..=50_000 {
                let mut w = wf(0, 50_000, duty, 0);
                failed += u32::from(wf_io(&f, SETROUNDEDWF, &mut w).is_err());
            }
            // The last one, always active, is programmed as upstream maps
            // it: inversed, never inactive.
            let mut got = wf(0, 0, 0, 0);
            let res = wf_io(&f, GETWF, &mut got);
            r.eq(
                "legacy-sweep",
                (
                    0,
                    ["1", "50000", "0", "inversed"].map(String::from),
                    Ok(wf(0, 50_000, 50_000, 0)),
                ),
                (
                    failed,
                    ["enabled", "period_ns", "duty_ns", "polarity"].map(|k| legacy.hw(0, k)),
                    res.map(|()| got),
                ),
            );
        }
        Err(e) => r.check("legacy-sweep", false, || format!("open: errno {e}")),
    }
    drop(legacy);

    // The duty sweep at 50 us, and the final hardware state.
    let mut sim = Sim::new("cdevsweep", &[])?;
    let f = sim.open().map_err(|e| format!("open: errno {e}"))?;
    let _ = io(&f, REQUEST, 0);
    let mut ok = true;
    for duty in (0..=50_000).step_by(1_000) {
        let mut w = wf(0, 50_000, duty, 0);
        ok &= wf_io(&f, SETEXACTWF, &mut w).is_ok();
    }
    r.eq("sweep-all-applied", true, ok);
    r.eq(
        "sweep-final-hardware",
        ("1", "50000", "50000"),
        (
            &*sim.hw(0, "enabled"),
            &*sim.hw(0, "period_ns"),
            &*sim.hw(0, "duty_ns"),
        ),
    );

    // Removal with the file open: every ioctl fails, close still works,
    // the node is gone, and a recreated chip opens again.
    sim.set("live", "0")?;
    let mut w = wf(0, 50_000, 0, 0);
    r.eq(
        "removed-setwf",
        Err(ENODEV),
        wf_io(&f, SETROUNDEDWF, &mut w),
    );
    r.eq("removed-getwf", Err(ENODEV), wf_io(&f, GETWF, &mut w));
    r.eq("removed-request", Err(ENODEV), io(&f, REQUEST, 0));
    r.eq("removed-free", Err(ENODEV), io(&f, FREE, 0));
    r.eq("removed-node-gone", Err(ENOENT), sim.open().map(|_| ()));
    drop(f);
    sim.set("live", "1")?;
    sim.dev = fs::read_to_string(format!("{CFS}/cdevsweep/chip_name"))
        .map(|c| format!("/dev/{}", c.trim()))
        .map_err(|e| format!("chip_name: {e}"))?;
    let f = sim
        .open()
        .map_err(|e| format!("reopen after recreate: errno {e}"))?;
    r.eq("recreated-request", Ok(()), io(&f, REQUEST, 0));
    drop(f);
    drop(sim);

    // Removal while another thread sleeps inside an ioctl's driver op (a
    // slow bus, one second): the removal waits for the op, and the ioctl,
    // whose op had started, completes.
    let slow = Sim::new("cdevslow", &[("apply_delay_us", "1000000")])?;
    let f = Arc::new(slow.open().map_err(|e| format!("open: errno {e}"))?);
    r.eq("remove-during-ioctl-request", Ok(()), io(&f, REQUEST, 0));
    let f2 = f.clone();
    let t = thread::spawn(move || {
        let mut w = wf(0, 30_000, 1_000, 0);
        wf_io(&f2, SETROUNDEDWF, &mut w)
    });
    let in_op = slow.wait_hw(0, "busy", "1");
    r.eq("remove-during-ioctl-op-running", true, in_op);
    let start = Instant::now();
    slow.set("live", "0")?;
    let waited = start.elapsed();
    let res = t.join().unwrap_or(Err(-1));
    r.eq("remove-during-ioctl-completes", Ok(()), res);
    // The op had (nearly) all its second to go when the removal started.
    r.check(
        "remove-during-ioctl-removal-waited",
        waited >= Duration::from_millis(500),
        || format!("the removal took {waited:?}"),
    );
    r.eq(
        "remove-during-ioctl-then-enodev",
        Err(ENODEV),
        io(&f, REQUEST, 0),
    );
    drop(f);
    drop(slow);

    // No lock shared between chips: an ioctl on one chip completes while
    // another chip's driver sleeps inside one.
    let slow = Sim::new("cdevpar1", &[("apply_delay_us", "500000")])?;
    let fast = Sim::new("cdevpar2", &[])?;
    let fs_ = Arc::new(slow.open().map_err(|e| format!("open: errno {e}"))?);
    let ff = fast.open().map_err(|e| format!("open: errno {e}"))?;
    r.eq(
        "other-chip-requests",
        (Ok(()), Ok(())),
        (io(&fs_, REQUEST, 0), io(&ff, REQUEST, 0)),
    );
    let f2 = fs_.clone();
    let t = thread::spawn(move || {
        let mut w = wf(0, 30_000, 1_000, 0);
        wf_io(&f2, SETROUNDEDWF, &mut w)
    });
    r.eq(
        "other-chip-slow-op-running",
        true,
        slow.wait_hw(0, "busy", "1"),
    );
    let mut w = wf(0, 20_000, 5_000, 0);
    let res = wf_io(&ff, SETROUNDEDWF, &mut w);
    // Still inside the slow chip's driver: the fast ioctl did not wait for it.
    let overlapped = slow.hw(0, "busy") == "1";
    let slow_res = t.join().unwrap_or(Err(-1));
    r.eq("other-chip-during-slow-ioctl", Ok(()), res);
    r.eq("other-chip-did-not-wait", true, overlapped);
    r.eq("other-chip-slow-ioctl-completes", Ok(()), slow_res);
    drop((fs_, ff, slow, fast));

    // Chip ids of 256 and above get a node too.
    let mut fillers = Vec::new();
    for i in 0..256 {
        match Sim::new(&format!("fill{i}"), &[("mode", "legacy")]) {
            Ok(s) => fillers.push(s),
            Err(e) => return Err(format!("filler {i}: {e}")),
        }
    }
    let high = Sim::new("cdevhigh", &[])?;
    let id = high.dev();
    r.eq(
        "high-id-is-256-or-more",
        true,
        id.trim_start_matches("/dev/pwmchip")
            .parse::<u32>()
            .unwrap_or(0)
            >= 256,
    );
    match high.open() {
        Ok(f) => {
            let mut w = wf(0, 10_000, 2_500, 0);
            let ok = io(&f, REQUEST, 0).is_ok() && wf_io(&f, SETROUNDEDWF, &mut w).is_ok();
            r.eq(
                "high-id-node-works",
                (true, "2500".to_string()),
                (ok, high.hw(0, "duty_ns")),
            );
        }
        Err(e) => r.check("high-id-node-works", false, || {
            format!("open {id}: errno {e}")
        }),
    }
    drop(high);
    drop(fillers);
    Ok(())
}

/// `pwm-cdev-test churn /dev/pwmchipN COUNT`: requests and frees channel 0
/// COUNT times, so that its label comes and goes while others read it
/// (`tests/lifetime.sh`); fails on the first error.
fn churn(node: &str, count: u32) -> Result<(), String> {
    let f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(node)
        .map_err(|e| format!("open {node}: {e}"))?;
    for i in 0..count {
        io(&f, REQUEST, 0).map_err(|e| format!("request {i}: errno {e}"))?;
        io(&f, FREE, 0).map_err(|e| format!("free {i}: errno {e}"))?;
    }
    Ok(())
}

/// `request FD HWPWM`: for a file a shell opened (and keeps open).
fn request(fd: Option<&String>, hwpwm: Option<&String>) {
    let (Some(fd), Some(hwpwm)) = (
        fd.and_then(|s| s.parse::<c_int>().ok()),
        hwpwm.and_then(|s| s.parse::<u64>().ok()),
    ) else {
        println!("usage: pwm-cdev-test request FD HWPWM");
        std::process::exit(2);
    };
    // SAFETY: `PWM_IOCTL_REQUEST` takes its argument by value.
    let r = unsafe { ioctl(fd, REQUEST as _, hwpwm as std::ffi::c_ulong) };
    if r == 0 {
        println!("ok");
    } else {
        println!(
            "errno {}",
            Error::last_os_error().raw_os_error().unwrap_or(0)
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "request") {
        request(args.get(2), args.get(3));
        return;
    }
    if args.get(1).is_some_and(|a| a == "churn") {
        let node = args.get(2).cloned().unwrap_or_default();
        let count = args.get(3).and_then(|c| c.parse().ok()).unwrap_or(0);
        if let Err(e) = churn(&node, count) {
            println!("churn: {e}");
            std::process::exit(1);
        }
        return;
    }
    let suite = args.get(1).cloned().unwrap_or_else(|| "cdev".into());
    let quick = args.get(2).is_some_and(|a| a == "quick");
    let tty = OpenOptions::new().write(true).open("/dev/ttyS1").ok();
    let mut r = Report {
        suite,
        tty,
        failed: 0,
    };
    let tag = if quick { "q" } else { "" };
    for atomic in [false, true] {
        if let Err(e) = basic(&mut r, tag, atomic) {
            r.check(
                &format!("{tag}atomic{}.setup", u8::from(atomic)),
                false,
                || e,
            );
        }
    }
    for atomic in [false, true] {
        if let Err(e) = legacy(&mut r, tag, atomic) {
            r.check(
                &format!("{tag}legacy{}.setup", u8::from(atomic)),
                false,
                || e,
            );
        }
    }
    if !quick {
        if let Err(e) = full(&mut r) {
            r.check("full.setup", false, || e);
        }
    }
    // The last case: a run that crashed or hung before it is missing it.
    r.check("completed", true, String::new);
    std::process::exit(i32::from(r.failed != 0));
}
