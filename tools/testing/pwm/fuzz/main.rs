// SPDX-License-Identifier: GPL-2.0

//! `pwm-fuzz`: model-checked random calls against one live pwm-sim chip.
//!
//! Usage: `pwm-fuzz NAME CALLS SEED`. NAME is the chip's directory in
//! `/sys/kernel/config/pwm-sim/` (live, no failures injected), CALLS how
//! many random calls to make, SEED (decimal or `0x` hex) the seed of the
//! built-in PRNG (splitmix64): the same seed on the same chip makes the same
//! calls. `npwm`, `mode`, `clock_hz` and `chip_name` come from configfs.
//! Nobody else may use the chip: the program exports and unexports each
//! channel first, and refuses to run if one is busy.
//!
//! The calls, valid and invalid:
//!
//! - `/dev/pwmchipN` (two open files): REQUEST and FREE (in
//!   and out of range, high bits in the argument, twice, held by the other
//!   file or exported); ROUNDWF, GETWF, SETROUNDEDWF and SETEXACTWF (valid
//!   waveforms, duty > period, offset >= period, period > S64_MAX, huge,
//!   zero period, nonzero `__pad`, channels not held; the structure at NULL,
//!   in a munmap'ed page, a PROT_NONE page, straddling into it, in kernel
//!   space, misaligned, or read-only); unknown ioctl numbers; closing and
//!   reopening a file. On a legacy chip (`CONFIG_PWM_LEGACY_CDEV`: when
//!   its `dev` attribute exists) SETROUNDEDWF applies the equivalent state,
//!   GETWF reads the state back and ROUNDWF and SETEXACTWF fail with
//!   EOPNOTSUPP; without a node, opening must fail with ENOENT.
//! - `/sys/class/pwm/pwmchipN`: `export`, `unexport`, and writes to
//!   `period`, `duty_cycle`, `enable` and `polarity` (decimal, hex, octal,
//!   `+`, negative, overflowing, trailing garbage, empty, duty above period,
//!   polarity changes while enabled, channels not exported); reads of these
//!   and of `capture`.
//!
//! For each call a reference model ([`Model`]) predicts the result: the
//! success value (bytes written, text read, waveform copied back) or the
//! exact errno, following `drivers/pwm/pwm_core` (cdev.rs, waveform.rs,
//! state.rs, request.rs, sysfs.rs, and kstrtox for the numbers) and
//! pwm-sim's rounding to whole cycles of its clock (hw.rs, ops.rs). After
//! each call the registers of every channel in `/sys/kernel/debug/pwm-sim/
//! NAME` (enabled, period, duty, offset, polarity; not the op counters) are
//! read: a rejected call must have left them as they were, and they must be
//! what the model predicts. Each disagreement is a mismatch; the first 20
//! are printed, and the model is then resynchronised (exports and their
//! state from sysfs, registers from debugfs). At the end the files are
//! closed, what the program exported is unexported, and it prints
//! `pwm-fuzz: calls=.. cdev=.. sysfs=.. rejected=.. mismatches=.. seed=..`;
//! the exit status is 0 without mismatches, 1 with, 2 if it could not run.
//! The outputs are left as the last calls set them.
//!
//! Not generated, on purpose: writes to `capture` or to missing files other
//! than a channel's attributes (kernfs's open decides those, not the PWM
//! core); NUL bytes and writes longer than a page (kernfs cuts or refuses
//! them); ioctl numbers of other types than 0x75, but TCGETS (the VFS
//! handles some, like FIGETBSZ or FIFREEZE, before the driver); removal of
//! the chip, concurrent calls, injected failures and preset registers,
//! which other tests cover.

use std::ffi::{c_int, c_ulong, c_void};
use std::fs::{self, File, OpenOptions};
use std::io::{Error, Write};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::exit;

extern "C" {
    fn ioctl(fd: c_int, request: c_ulong, ...) -> c_int;
    fn mmap(addr: *mut c_void, len: usize, prot: c_int, fl: c_int, fd: c_int, o: i64) -> *mut u8;
    fn mprotect(addr: *mut u8, len: usize, prot: c_int) -> c_int;
    fn munmap(addr: *mut u8, len: usize) -> c_int;
    fn mincore(addr: *mut u8, len: usize, vec: *mut u8) -> c_int;
}

const ENOENT: i32 = 2;
const EBADF: i32 = 9;
const EFAULT: i32 = 14;
const EBUSY: i32 = 16;
const ENODEV: i32 = 19;
const EINVAL: i32 = 22;
const ENOTTY: i32 = 25;
const EDOM: i32 = 33;
const EOPNOTSUPP: i32 = 95;
const ERANGE: i32 = 34;
const ETIMEDOUT: i32 = 110;

const CFS: &str = "/sys/kernel/config/pwm-sim";
const DBG: &str = "/sys/kernel/debug/pwm-sim";
const PAGE: usize = 4096;
const MAX_SHOWN: u64 = 20;

#[path = "../uapi/pwm.rs"]
mod uapi;
use uapi::Wf;

const fn ioc(dir: u32, nr: u32, size: u32) -> u32 {
    (dir << 30) | (size << 16) | (0x75 << 8) | nr
}
const WF_SIZE: u32 = std::mem::size_of::<Wf>() as u32;
/// REQUEST, FREE, ROUNDWF, GETWF, SETROUNDEDWF, SETEXACTWF.
const CMDS: [u32; 6] = [
    ioc(0, 1, 0),
    ioc(0, 2, 0),
    ioc(3, 3, WF_SIZE),
    ioc(3, 4, WF_SIZE),
    ioc(1, 5, WF_SIZE),
    ioc(1, 6, WF_SIZE),
];

/// A call's result: its success value as text, or the errno.
type Res = Result<String, i32>;

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let z = (self.0 ^ (self.0 >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// In `0..n`; 0 for `n == 0`.
    fn below(&mut self, n: u64) -> u64 {
        self.next().checked_rem(n).unwrap_or(0)
    }

    fn pct(&mut self, p: u64) -> bool {
        self.below(100) < p
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    /// One of the `|`-separated words of `list`.
    fn word(&mut self, list: &str) -> String {
        let words: Vec<&str> = list.split('|').collect();
        self.pick(&words).to_string()
    }
}

/// pwm-sim's conversions between nanoseconds and cycles (hw.rs).
#[derive(Clone, Copy)]
struct Clock(u64);

impl Clock {
    /// Cycles to ns, rounded up.
    fn ns(self, cycles: u32) -> u64 {
        let ns = u64::from(cycles) * 1_000_000_000;
        ns / self.0 + u64::from(ns % self.0 != 0)
    }

    /// Ns to cycles, rounded down and saturated at 32 bits.
    fn cycles(self, ns: u64) -> u32 {
        let ns = ns.min(self.ns(u32::MAX));
        u32::try_from(u128::from(ns) * u128::from(self.0) / 1_000_000_000).unwrap_or(u32::MAX)
    }
}

/// A channel's registers in ns, as its debugfs line shows them (each a
/// whole number of cycles, rounded up), without the op counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Regs {
    enabled: bool,
    period: u64,
    duty: u64,
    offset: u64,
    inversed: bool,
}

/// The registers of an enabled channel.
fn running(period: u64, duty: u64, offset: u64, inversed: bool) -> Regs {
    Regs {
        enabled: true,
        period,
        duty,
        offset,
        inversed,
    }
}

/// A legacy state (`pwm->state`), as the sysfs attributes show it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct State {
    period: u64,
    duty: u64,
    inversed: bool,
    enabled: bool,
}

/// A waveform: period, duty length, duty offset, in ns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Wave(u64, u64, u64);

/// Who holds a channel: nobody, one of the program's two open files, or
/// the program's export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Free,
    File(usize),
    Sysfs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum WfCmd {
    Round = 2,
    Get = 3,
    SetRounded = 4,
    SetExact = 5,
}

/// Where an ioctl's structure is: in read-write memory (aligned or not), in
/// a read-only page, at NULL, in a page unmapped again, in a PROT_NONE page,
/// 16 bytes before one, or in kernel space.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ptr {
    Good,
    Misaligned,
    ReadOnly,
    Null,
    Hole,
    Guard,
    Straddle,
    Kernel,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Attr {
    Period,
    Duty,
    Enable,
    Polarity,
    Capture,
}

const ATTR_NAMES: [&str; 5] = ["period", "duty_cycle", "enable", "polarity", "capture"];

/// One call.
#[derive(Clone, Debug)]
enum Op {
    Request(usize, u64),
    Free(usize, u64),
    Wf(usize, WfCmd, Ptr, Wf),
    BadCmd(usize, u32, u64),
    Reopen(usize),
    Export(String),
    Unexport(String),
    Write(u32, Attr, String),
    Read(u32, Attr),
}

/// `_kstrtoull(s, 0)` of lib/kstrtox.c; the end of `s` is its NUL.
fn parse_ull(s: &[u8]) -> Result<u64, i32> {
    let at = |i: usize| s.get(i).copied().unwrap_or(0);
    let base: u64 = match (at(0), at(1) | 0x20, at(2).is_ascii_hexdigit()) {
        (b'0', b'x', true) => 16,
        (b'0', _, _) => 8,
        _ => 10,
    };
    let start = if base == 16 { 2 } else { 0 };
    let (mut i, mut res, mut overflow) = (start, 0u64, false);
    loop {
        let val = match (at(i), at(i) | 0x20) {
            (c @ b'0'..=b'9', _) => u64::from(c - b'0'),
            (_, lc @ b'a'..=b'f') => u64::from(lc - b'a' + 10),
            _ => break,
        };
        if val >= base {
            break;
        }
        match res.checked_mul(base).and_then(|r| r.checked_add(val)) {
            Some(r) => res = r,
            None => (res, overflow) = (u64::MAX, true),
        }
        i += 1;
    }
    if overflow {
        return Err(ERANGE);
    }
    if i == start {
        return Err(EINVAL);
    }
    if at(i) == b'\n' {
        i += 1;
    }
    if i < s.len() {
        return Err(EINVAL);
    }
    Ok(res)
}

/// `kstrtoull(s, 0)`: `_kstrtoull` after one optional `+`.
fn kstrtoull(s: &[u8]) -> Result<u64, i32> {
    parse_ull(s.strip_prefix(b"+").unwrap_or(s))
}

fn kstrtouint(s: &[u8]) -> Result<u32, i32> {
    u32::try_from(kstrtoull(s)?).map_err(|_| ERANGE)
}

/// `kstrtoint(s, 0)`, through `kstrtoll`.
fn kstrtoint(s: &[u8]) -> Result<i32, i32> {
    let (v, out_of_range) = match s.strip_prefix(b"-") {
        Some(rest) => {
            let v = parse_ull(rest)?.wrapping_neg() as i64;
            (v, v > 0)
        }
        None => {
            let v = kstrtoull(s)? as i64;
            (v, v < 0)
        }
    };
    if out_of_range {
        return Err(ERANGE);
    }
    i32::try_from(v).map_err(|_| ERANGE)
}

/// `sysfs_streq`: equal, but for one trailing newline.
fn streq(s: &[u8], name: &str) -> bool {
    s == name.as_bytes() || s.strip_suffix(b"\n") == Some(name.as_bytes())
}

/// `waveform::from_state`: a disabled state is the zero waveform.
fn from_state(s: State) -> Wave {
    match (s.enabled, s.inversed) {
        (false, _) => Wave::default(),
        (true, false) => Wave(s.period, s.duty, 0),
        (true, true) => Wave(s.period, s.period.wrapping_sub(s.duty), s.duty),
    }
}

/// `waveform::to_state`: an active part reaching the end of the period is
/// an inversed state; any other offset is dropped.
fn to_state(w: Wave) -> State {
    match w {
        Wave(0, ..) => State::default(),
        Wave(period, duty, offset) if duty.wrapping_add(offset) >= period => State {
            period,
            duty: period.wrapping_sub(duty),
            inversed: true,
            enabled: true,
        },
        Wave(period, duty, _) => State {
            period,
            duty,
            inversed: false,
            enabled: true,
        },
    }
}

fn wf_text(hwpwm: u32, pad: u32, w: Wave) -> String {
    format!("hwpwm={hwpwm} pad={pad} wf={}/{}/{}", w.0, w.1, w.2)
}

fn wrote(n: usize) -> Res {
    Ok(format!("wrote {n}"))
}

/// What the program believes the chip is and does.
#[derive(Clone)]
struct Model {
    waveform: bool,
    /// Whether the chip has `/dev/pwmchipN`.
    cdev: bool,
    clock: Clock,
    owner: Vec<Owner>,
    /// `pwm->state` of each channel: what its sysfs attributes show.
    state: Vec<State>,
    regs: Vec<Regs>,
}

impl Model {
    fn chan(&self, hwpwm: u32) -> Option<usize> {
        let ch = hwpwm as usize;
        (ch < self.owner.len()).then_some(ch)
    }

    /// `round_waveform_tohw` and `round_waveform_fromhw`: what the hardware
    /// makes of `w`, and whether the period had to be rounded up.
    fn round(&self, w: Wave) -> (Wave, bool) {
        if w.0 == 0 {
            return (Wave::default(), false);
        }
        let c = self.clock;
        let period = c.cycles(w.0);
        let duty = c.cycles(w.1).min(period.max(1));
        let offset = c.cycles(w.2).min(period.max(1) - 1);
        let rounded = Wave(c.ns(period.max(1)), c.ns(duty), c.ns(offset));
        (rounded, period == 0)
    }

    /// `write_waveform` of a rounded waveform.
    fn write_wf(&mut self, ch: usize, w: Wave) {
        let r = &mut self.regs[ch];
        match w.0 {
            0 => r.enabled = false,
            _ => *r = running(w.0, w.1, w.2, false),
        }
    }

    /// `read_waveform` and `round_waveform_fromhw`.
    fn read_wf(&self, ch: usize) -> Wave {
        match self.regs[ch] {
            r if r.enabled && r.period != 0 => Wave(r.period, r.duty, r.offset),
            _ => Wave::default(),
        }
    }

    /// The state a request reads from the hardware: `get_state`, or
    /// `read_waveform` and `waveform::to_state`.
    fn hw_state(&self, ch: usize) -> State {
        let r = self.regs[ch];
        let Wave(period, duty, offset) = self.read_wf(ch);
        let (period, duty, inversed, enabled) = match (self.waveform, period) {
            (false, _) => (r.period, r.duty, r.inversed, r.enabled),
            (true, 0) => return State::default(),
            (true, _) if duty.wrapping_add(offset) >= period => {
                (period, period.wrapping_sub(duty), true, true)
            }
            (true, _) => (period, duty, false, true),
        };
        State {
            period,
            duty,
            inversed,
            enabled,
        }
    }

    fn take(&mut self, ch: usize, owner: Owner) {
        self.owner[ch] = owner;
        self.state[ch] = self.hw_state(ch);
    }

    /// Closing file `f` gives back its channels.
    fn release(&mut self, f: usize) {
        for o in self.owner.iter_mut().filter(|o| **o == Owner::File(f)) {
            *o = Owner::Free;
        }
    }

    fn predict(&mut self, op: &Op) -> Res {
        match op {
            Op::Request(file, arg) => {
                let ch = self.chan(*arg as u32).ok_or(EINVAL)?;
                match self.owner[ch] {
                    Owner::File(f) if f == *file => {}
                    Owner::Free => self.take(ch, Owner::File(*file)),
                    _ => return Err(EBUSY),
                }
                Ok(String::new())
            }
            Op::Free(file, arg) => {
                let ch = self.chan(*arg as u32).ok_or(EINVAL)?;
                if self.owner[ch] == Owner::File(*file) {
                    self.owner[ch] = Owner::Free;
                }
                Ok(String::new())
            }
            Op::Wf(file, cmd, ptr, wf) => self.wf_ioctl(*file, *cmd, *ptr, wf),
            Op::BadCmd(..) => Err(ENOTTY),
            Op::Reopen(file) => {
                self.release(*file);
                self.cdev.then(String::new).ok_or(ENOENT)
            }
            Op::Export(text) => self.export(text.as_bytes(), true),
            Op::Unexport(text) => self.export(text.as_bytes(), false),
            Op::Write(ch, attr, text) => self.write(*ch, *attr, text.as_bytes()),
            Op::Read(ch, attr) => self.read(*ch, *attr),
        }
    }

    fn wf_ioctl(&mut self, file: usize, cmd: WfCmd, ptr: Ptr, wf: &Wf) -> Res {
        if !matches!(ptr, Ptr::Good | Ptr::Misaligned | Ptr::ReadOnly) {
            return Err(EFAULT);
        }
        if wf.pad != 0 {
            return Err(EINVAL);
        }
        let held = |ch: &usize| self.owner[*ch] == Owner::File(file);
        let ch = self.chan(wf.hwpwm).filter(held).ok_or(EINVAL)?;
        let w = Wave(wf.period, wf.duty, wf.offset);
        let valid = w.0 <= i64::MAX as u64 && w.1 <= w.0 && (w.2 == 0 || w.2 < w.0);
        let out = match cmd {
            WfCmd::Get if !self.waveform => from_state(self.hw_state(ch)),
            WfCmd::Get => self.read_wf(ch),
            _ if !valid => return Err(EINVAL),
            WfCmd::SetRounded if !self.waveform => {
                self.apply(ch, to_state(w))?;
                return Ok(String::new());
            }
            _ if !self.waveform => return Err(EOPNOTSUPP),
            WfCmd::Round => self.round(w).0,
            WfCmd::SetRounded | WfCmd::SetExact => {
                let rounded = self.round(w).0;
                if cmd == WfCmd::SetExact && w.0 != 0 && rounded != w {
                    return Err(EDOM);
                }
                self.write_wf(ch, rounded);
                return Ok(String::new());
            }
        };
        // The answer cannot be copied back to a read-only page.
        if ptr == Ptr::ReadOnly {
            return Err(EFAULT);
        }
        Ok(wf_text(wf.hwpwm, 0, out))
    }

    fn export(&mut self, text: &[u8], export: bool) -> Res {
        if text.is_empty() {
            return wrote(0);
        }
        let ch = self.chan(kstrtouint(text)?).ok_or(ENODEV)?;
        match (export, self.owner[ch]) {
            (true, Owner::Free) => self.take(ch, Owner::Sysfs),
            (true, _) => return Err(EBUSY),
            (false, Owner::Sysfs) => self.owner[ch] = Owner::Free,
            (false, _) => return Err(ENODEV),
        }
        wrote(text.len())
    }

    /// A channel whose attributes exist (`ENOENT` from open otherwise).
    fn exported(&self, ch: u32) -> Result<usize, i32> {
        let exported = |ch: &usize| self.owner[*ch] == Owner::Sysfs;
        self.chan(ch).filter(exported).ok_or(ENOENT)
    }

    fn write(&mut self, ch: u32, attr: Attr, text: &[u8]) -> Res {
        let ch = self.exported(ch)?;
        if text.is_empty() {
            return wrote(0);
        }
        let mut new = self.state[ch];
        match attr {
            Attr::Period => new.period = kstrtoull(text)?,
            Attr::Duty => new.duty = kstrtoull(text)?,
            Attr::Enable => {
                new.enabled = match kstrtoint(text)? {
                    0 => false,
                    1 => true,
                    _ => return Err(EINVAL),
                }
            }
            Attr::Polarity if streq(text, "normal") => new.inversed = false,
            Attr::Polarity if streq(text, "inversed") => new.inversed = true,
            Attr::Polarity | Attr::Capture => return Err(EINVAL),
        }
        self.apply(ch, new)?;
        wrote(text.len())
    }

    /// `apply_locked` of state.rs, with pwm-sim's ops.
    fn apply(&mut self, ch: usize, new: State) -> Result<(), i32> {
        let valid = |s: &State| !s.enabled || (s.period != 0 && s.duty <= s.period);
        if !valid(&new) {
            if valid(&self.state[ch]) {
                return Err(EINVAL);
            }
            self.state[ch] = new;
            return Ok(());
        }
        if new == self.state[ch] {
            return Ok(());
        }
        let c = self.clock;
        if self.waveform {
            let (rounded, up) = self.round(from_state(new));
            if up {
                return Err(EINVAL);
            }
            self.write_wf(ch, rounded);
        } else if !new.enabled {
            self.regs[ch].enabled = false;
        } else {
            let period = c.cycles(new.period);
            if period == 0 {
                return Err(EINVAL);
            }
            let duty = c.ns(c.cycles(new.duty).min(period));
            self.regs[ch] = running(c.ns(period), duty, 0, new.inversed);
        }
        self.state[ch] = new;
        Ok(())
    }

    fn read(&self, ch: u32, attr: Attr) -> Res {
        let ch = self.exported(ch)?;
        let (s, r) = (self.state[ch], self.regs[ch]);
        Ok(match attr {
            Attr::Period => format!("{}\n", s.period),
            Attr::Duty => format!("{}\n", s.duty),
            Attr::Enable => format!("{}\n", u8::from(s.enabled)),
            Attr::Polarity if s.inversed => "inversed\n".into(),
            Attr::Polarity => "normal\n".into(),
            Attr::Capture if !r.enabled => return Err(ETIMEDOUT),
            Attr::Capture => {
                let clamp = |ns: u64| ns.min(u64::from(u32::MAX));
                let inversed = r.period.saturating_sub(r.duty);
                let duty = clamp(if r.inversed { inversed } else { r.duty });
                format!("{} {duty}\n", clamp(r.period))
            }
        })
    }
}

/// A scratch mapping of five pages: read-write, PROT_NONE, read-only, a
/// hole (unmapped again, between mappings), read-write.
struct Mem(*mut u8);

impl Mem {
    fn new() -> Option<Mem> {
        // SAFETY: A new anonymous private mapping, which only this object uses.
        let base = unsafe { mmap(std::ptr::null_mut(), 5 * PAGE, 3, 0x22, -1, 0) };
        if base as isize == -1 {
            return None;
        }
        // SAFETY: Pages of the mapping just made; nothing refers to them.
        let ok = unsafe {
            mprotect(base.add(PAGE), PAGE, 0) == 0
                && mprotect(base.add(2 * PAGE), PAGE, 1) == 0
                && munmap(base.add(3 * PAGE), PAGE) == 0
        };
        let mem = Mem(base);
        ok.then_some(mem)
    }

    fn addr(&self, ptr: Ptr) -> u64 {
        let base = self.0 as u64;
        let page = PAGE as u64;
        match ptr {
            Ptr::Good => base,
            Ptr::Misaligned => base + 1001,
            Ptr::ReadOnly => base + 2 * page,
            Ptr::Null => 0,
            Ptr::Hole => {
                let mut vec = 0u8;
                // SAFETY: mincore only looks up the range and writes one byte to `vec`.
                let mapped = unsafe { mincore((base + 3 * page) as *mut u8, PAGE, &mut vec) } == 0;
                // Should an allocation have reused the hole: a page never mapped.
                if mapped {
                    page
                } else {
                    base + 3 * page
                }
            }
            Ptr::Guard => base + page,
            Ptr::Straddle => base + page - 16,
            Ptr::Kernel => 0xffff_ffff_ff00_0000,
        }
    }

    /// Puts `wf` where `ptr` points, as far as that can be written.
    fn place(&self, ptr: Ptr, wf: &Wf) -> u64 {
        let addr = self.addr(ptr);
        let dst = addr as *mut u8;
        // SAFETY: Each address written is in a page of the mapping that is (made) writable
        // for the bytes written: 32 within one page, or 16 at the end of the first one.
        unsafe {
            match ptr {
                Ptr::Good | Ptr::Misaligned => dst.cast::<Wf>().write_unaligned(*wf),
                Ptr::Straddle => std::ptr::copy_nonoverlapping((wf as *const Wf).cast(), dst, 16),
                Ptr::ReadOnly => {
                    mprotect(dst, PAGE, 3);
                    dst.cast::<Wf>().write_unaligned(*wf);
                    mprotect(dst, PAGE, 1);
                }
                _ => {}
            }
        }
        addr
    }
}

impl Drop for Mem {
    fn drop(&mut self) {
        // SAFETY: The whole mapping, the hole included; nothing uses it any more.
        unsafe { munmap(self.0, 5 * PAGE) };
    }
}

fn errno(e: &Error) -> i32 {
    e.raw_os_error().unwrap_or(-1)
}

/// One write, as `echo` makes.
fn write_file(path: &str, text: &str) -> Res {
    let f = OpenOptions::new().write(true).open(path);
    match f.map_err(|e| errno(&e))?.write(text.as_bytes()) {
        Ok(n) => wrote(n),
        Err(e) => Err(errno(&e)),
    }
}

/// The real chip.
struct Sys {
    node: String,
    class: String,
    dbg: String,
    files: [Option<File>; 2],
    mem: Mem,
}

impl Sys {
    fn io(&self, file: usize, cmd: u32, arg: u64) -> Res {
        let f = self.files[file].as_ref().ok_or(EBADF)?;
        // SAFETY: The kernel checks `arg`; bad pointers are part of the test.
        match unsafe { ioctl(f.as_raw_fd(), c_ulong::from(cmd), arg as c_ulong) } {
            0 => Ok(String::new()),
            r if r > 0 => Ok(format!("returned {r}")),
            _ => Err(errno(&Error::last_os_error())),
        }
    }

    fn perform(&mut self, op: &Op) -> Res {
        let class = &self.class;
        let attr = |ch: &u32, a: &Attr| format!("{class}/pwm{ch}/{}", ATTR_NAMES[*a as usize]);
        match op {
            Op::Request(file, arg) => self.io(*file, CMDS[0], *arg),
            Op::Free(file, arg) => self.io(*file, CMDS[1], *arg),
            Op::BadCmd(file, cmd, arg) => self.io(*file, *cmd, *arg),
            Op::Wf(file, cmd, ptr, wf) => {
                let addr = self.mem.place(*ptr, wf);
                let r = self.io(*file, CMDS[*cmd as usize], addr)?;
                let readable = matches!(ptr, Ptr::Good | Ptr::Misaligned | Ptr::ReadOnly);
                if !r.is_empty() || !readable || matches!(cmd, WfCmd::SetRounded | WfCmd::SetExact)
                {
                    return Ok(r);
                }
                // SAFETY: 32 bytes within one readable page of the mapping.
                let w = unsafe { (addr as *const Wf).read_unaligned() };
                Ok(wf_text(w.hwpwm, w.pad, Wave(w.period, w.duty, w.offset)))
            }
            Op::Reopen(file) => {
                self.files[*file] = None;
                let f = OpenOptions::new().read(true).write(true).open(&self.node);
                self.files[*file] = Some(f.map_err(|e| errno(&e))?);
                Ok(String::new())
            }
            Op::Export(text) => write_file(&format!("{class}/export"), text),
            Op::Unexport(text) => write_file(&format!("{class}/unexport"), text),
            Op::Write(ch, a, text) => write_file(&attr(ch, a), text),
            Op::Read(ch, a) => fs::read_to_string(attr(ch, a)).map_err(|e| errno(&e)),
        }
    }

    /// The registers of every channel, from debugfs.
    fn read_hw(&self, npwm: usize) -> Result<Vec<Regs>, String> {
        let text = fs::read_to_string(&self.dbg).map_err(|e| format!("{}: {e}", self.dbg))?;
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let bad = || format!("{}: unexpected line {line:?}", self.dbg);
            let rest = line.strip_prefix(&format!("pwm{i}: ")).ok_or_else(bad)?;
            let (mut r, mut seen) = (Regs::default(), 0);
            for (k, v) in rest.split(' ').filter_map(|kv| kv.split_once('=')) {
                let num = || v.parse::<u64>().map_err(|_| bad());
                match k {
                    "enabled" => r.enabled = v == "1",
                    "period_ns" => r.period = num()?,
                    "duty_ns" => r.duty = num()?,
                    "offset_ns" => r.offset = num()?,
                    "polarity" => r.inversed = v == "inversed",
                    // The op counters change on every call.
                    _ => continue,
                }
                seen += 1;
            }
            if seen != 5 {
                return Err(bad());
            }
            out.push(r);
        }
        if out.len() != npwm {
            return Err(format!("{}: {} channels, not {npwm}", self.dbg, out.len()));
        }
        Ok(out)
    }
}

fn show(r: &Res) -> String {
    const NAMES: &str = "2 ENOENT 9 EBADF 14 EFAULT 16 EBUSY 19 ENODEV 22 EINVAL 25 ENOTTY \
        33 EDOM 34 ERANGE 110 ETIMEDOUT";
    let words: Vec<&str> = NAMES.split(' ').collect();
    match r {
        Ok(s) if s.is_empty() => "success".into(),
        Ok(s) => format!("success ({s:?})"),
        Err(e) => {
            let name = words.chunks(2).find(|w| w[0] == e.to_string());
            format!("errno {e} ({})", name.map_or("?", |w| w[1]))
        }
    }
}

fn show_hw(hw: &[Regs]) -> String {
    let line = |(i, r): (usize, &Regs)| {
        let pol = if r.inversed { "inversed" } else { "normal" };
        let (e, p, d, o) = (u8::from(r.enabled), r.period, r.duty, r.offset);
        format!("pwm{i} en={e} {p}/{d}+{o} {pol}")
    };
    let lines: Vec<String> = hw.iter().enumerate().map(line).collect();
    lines.join("; ")
}

/// Odd numbers for sysfs: empty, garbage, at and past the limits of each type.
const ODD: &str = "|\n|abc\n|0x\n|0xg|08\n|1e3\n|-\n|+\n|18446744073709551616\n|\
    18446744073709551615\n|99999999999999999999999x|0x10000000000000000\n|\
    01777777777777777777777\n|02000000000000000000000|4294967296\n|4294967295\n|\
    2147483648\n|-2147483648\n|-2147483649\n|-9223372036854775808\n|-0\n|0\n";

/// A number as text, mostly as `echo` writes it, sometimes mangled.
fn num_text(rng: &mut Rng, v: u64) -> String {
    match rng.below(26) {
        0..=9 => format!("{v}\n"),
        10..=12 => format!("{v}"),
        13 => format!("0x{v:x}\n"),
        14 => format!("0X{v:X}"),
        15 => format!("0{v:o}\n"),
        16 => format!("+{v}\n"),
        17 => format!("-{v}\n"),
        18 => format!("{v}{}", rng.word("abc| |\n\n|\t|x|.5|\n1")),
        19 => format!("{}{v}", rng.word(" |++|+-|x|\n|0x")),
        20 => format!("{v:o}\n"),
        _ => rng.word(ODD),
    }
}

struct Run {
    model: Model,
    sys: Sys,
    rng: Rng,
    hw: Vec<Regs>,
    /// Calls, of them through the cdev, through sysfs, and rejected; mismatches.
    n: [u64; 5],
}

impl Run {
    fn mismatch(&mut self, what: String) {
        self.n[4] += 1;
        if self.n[4] <= MAX_SHOWN {
            let (n, call) = (self.n[4], self.n[0]);
            println!("pwm-fuzz: MISMATCH {n} (call {call}): {what}");
        } else if self.n[4] == MAX_SHOWN + 1 {
            println!("pwm-fuzz: further mismatches are only counted");
        }
    }

    /// Makes one call, predicts it and checks the result and the hardware.
    fn step(&mut self, op: Op) {
        let before = self.model.clone();
        let expected = self.model.predict(&op);
        let actual = self.sys.perform(&op);
        let cdev = !matches!(
            op,
            Op::Export(_) | Op::Unexport(_) | Op::Write(..) | Op::Read(..)
        );
        self.n[0] += 1;
        self.n[if cdev { 1 } else { 2 }] += 1;
        self.n[3] += u64::from(actual.is_err());
        if expected != actual {
            let (e, a) = (show(&expected), show(&actual));
            self.mismatch(format!("{op:?}: expected {e}, got {a}"));
            self.resync(before, &op, &actual);
        }
        let after = match self.sys.read_hw(self.hw.len()) {
            Ok(hw) => hw,
            Err(e) => {
                println!("pwm-fuzz: {e}");
                exit(2);
            }
        };
        if actual.is_err() && after != self.hw {
            let (b, a) = (show_hw(&self.hw), show_hw(&after));
            self.mismatch(format!(
                "rejected {op:?} changed the hardware: [{b}] -> [{a}]"
            ));
        } else if after != self.model.regs {
            let (m, a) = (show_hw(&self.model.regs), show_hw(&after));
            self.mismatch(format!(
                "after {op:?} the model has [{m}], the hardware [{a}]"
            ));
        }
        self.model.regs.clone_from(&after);
        self.hw = after;
    }

    /// After a wrong prediction: a failed call is taken to have changed
    /// nothing (but a closed file is closed), a successful one to have done
    /// what the model does (a request: to have taken the channel), and the
    /// exports and their states are read back from sysfs.
    fn resync(&mut self, before: Model, op: &Op, actual: &Res) {
        match (op, actual) {
            (Op::Reopen(file), Err(_)) => {
                self.model = before;
                self.model.release(*file);
            }
            (_, Err(_)) => self.model = before,
            (Op::Request(file, arg), Ok(_)) => {
                if let Some(ch) = self.model.chan(*arg as u32) {
                    self.model.owner[ch] = Owner::File(*file);
                }
            }
            _ => {}
        }
        for ch in 0..self.model.owner.len() {
            let dir = format!("{}/pwm{ch}", self.sys.class);
            let owner = &mut self.model.owner[ch];
            if !Path::new(&dir).exists() {
                if *owner == Owner::Sysfs {
                    *owner = Owner::Free;
                }
                continue;
            }
            *owner = Owner::Sysfs;
            let get = |a: &str| fs::read_to_string(format!("{dir}/{a}")).unwrap_or_default();
            let s = &mut self.model.state[ch];
            s.period = get("period").trim().parse().unwrap_or(s.period);
            s.duty = get("duty_cycle").trim().parse().unwrap_or(s.duty);
            s.inversed = get("polarity").trim() == "inversed";
            s.enabled = get("enable").trim() == "1";
        }
    }

    fn channels(&self, owner: Owner) -> Vec<u64> {
        let n = self.model.owner.len() as u64;
        (0..n)
            .filter(|&i| self.model.owner[i as usize] == owner)
            .collect()
    }

    /// A channel index: one of `prefer` mostly, else any, sometimes out of
    /// range or with high bits (which only REQUEST and FREE ignore).
    fn index(&mut self, prefer: &[u64]) -> u64 {
        let n = self.model.owner.len() as u64;
        if !prefer.is_empty() && self.rng.pct(70) {
            return self.rng.pick(prefer);
        }
        match self.rng.below(20) {
            0 => n,
            1 => n + self.rng.below(100),
            2 => u64::from(u32::MAX),
            3 => (self.rng.next() << 32) | self.rng.below(n),
            _ => self.rng.below(n),
        }
    }

    /// A duration: whole cycles, any ns, tiny, or extreme.
    fn ns(&mut self) -> u64 {
        let c = self.model.clock;
        let max = c.ns(u32::MAX);
        match self.rng.below(11) {
            0..=3 => c.ns(self.rng.below(2000) as u32),
            4..=6 => self.rng.below(c.ns(2000) + 1),
            7 => self.rng.below(11),
            8 => self.rng.pick(&[0, 1, max - 1, max, max + 1]),
            9 => self.rng.pick(&[i64::MAX as u64, 1 << 63, u64::MAX]),
            _ => self.rng.next() >> self.rng.below(64),
        }
    }

    /// At most `max`: whole cycles or any ns.
    fn at_most(&mut self, max: u64) -> u64 {
        let c = self.model.clock;
        if self.rng.pct(50) {
            c.ns(self.rng.below(u64::from(c.cycles(max)) + 1) as u32)
        } else {
            self.rng.below(max.saturating_add(1))
        }
    }

    /// A waveform: mostly valid, else duty > period, offset >= period, all
    /// zero, or random.
    fn wave(&mut self) -> Wave {
        let p = self.ns();
        match self.rng.below(10) {
            0..=5 if p == 0 || self.rng.pct(50) => Wave(p, self.at_most(p), 0),
            0..=5 => Wave(p, self.at_most(p), self.at_most(p - 1)),
            6 => Wave(p, p.saturating_add(1 + self.rng.below(1000)), 0),
            7 => Wave(
                p,
                self.at_most(p),
                p.saturating_add(self.rng.below(3)).max(1),
            ),
            8 => Wave(0, 0, 0),
            _ => Wave(p, self.ns(), self.ns()),
        }
    }

    fn gen_cdev(&mut self) -> Op {
        let file = self.rng.below(2) as usize;
        if self.sys.files[file].is_none() || self.rng.pct(3) {
            return Op::Reopen(file);
        }
        let held = self.channels(Owner::File(file));
        // A file that holds nothing mostly requests first.
        let roll = if held.is_empty() && self.rng.pct(50) {
            0
        } else {
            self.rng.below(100)
        };
        match roll {
            0..=11 => {
                let free = self.channels(Owner::Free);
                Op::Request(file, self.index(&free))
            }
            12..=19 => Op::Free(file, self.index(&held)),
            20..=26 => {
                // Other numbers of type 0x75, known numbers with another
                // size or direction, and TCGETS.
                let cmd = match self.rng.below(4) {
                    0 => ioc(0, self.rng.pick(&[0, 7, 8, 9, 0x7f, 0xff]), 0),
                    1 => 0x5401,
                    2 => self.rng.pick(&CMDS) ^ (1 << (16 + self.rng.below(16))),
                    _ => ioc(self.rng.below(4) as u32, 1 + self.rng.below(6) as u32, 0),
                };
                let cmd = Some(cmd)
                    .filter(|c| !CMDS.contains(c))
                    .unwrap_or(ioc(0, 0, 0));
                Op::BadCmd(file, cmd, self.rng.next())
            }
            _ => {
                use {Ptr::*, WfCmd::*};
                let cmds = [Round, Get, SetRounded, SetRounded, SetExact, SetExact];
                let cmd = self.rng.pick(&cmds);
                let bad = [Misaligned, ReadOnly, Null, Hole, Guard, Straddle, Kernel];
                let ptr = if self.rng.pct(85) {
                    Good
                } else {
                    self.rng.pick(&bad)
                };
                let Wave(period, duty, offset) = self.wave();
                // `__pad` is nonzero in 4 % of the calls.
                let pad = (self.rng.next() as u32 | 1) * u32::from(self.rng.pct(4));
                let hwpwm = self.index(&held) as u32;
                let wf = Wf {
                    hwpwm,
                    pad,
                    period,
                    duty,
                    offset,
                };
                Op::Wf(file, cmd, ptr, wf)
            }
        }
    }

    fn gen_sysfs(&mut self) -> Op {
        let exported = self.channels(Owner::Sysfs);
        // With nothing exported, mostly export first.
        let roll = if exported.is_empty() && self.rng.pct(50) {
            0
        } else {
            self.rng.below(100)
        };
        if roll < 17 {
            let free = self.channels(Owner::Free);
            let v = self.index(if roll < 10 { &free } else { &exported });
            let text = num_text(&mut self.rng, v);
            return if roll < 10 {
                Op::Export(text)
            } else {
                Op::Unexport(text)
            };
        }
        // An attribute of a channel: exported, not, or beyond npwm.
        let ch = self.index(&exported).min(self.model.owner.len() as u64) as u32;
        use Attr::*;
        if roll >= 83 {
            let attr = self.rng.pick(&[Period, Duty, Enable, Polarity, Capture]);
            return Op::Read(ch, attr);
        }
        let st = self.model.exported(ch).map(|c| self.model.state[c]);
        let st = st.unwrap_or_default();
        let attr = self.rng.pick(&[Period, Duty, Enable, Polarity]);
        let text = match attr {
            Period if self.rng.pct(40) => {
                let v = st.duty.saturating_add(self.at_most(1_000_000));
                num_text(&mut self.rng, v)
            }
            Duty if self.rng.pct(60) => {
                let v = self.at_most(st.period);
                num_text(&mut self.rng, v)
            }
            Period | Duty => {
                let v = self.ns();
                num_text(&mut self.rng, v)
            }
            Enable if self.rng.pct(80) => self.rng.word("0\n|1\n|1\n|0|1"),
            Enable => {
                let v = self.rng.pick(&[0, 1, 2, 3, 1 << 31, 1 << 32]);
                num_text(&mut self.rng, v)
            }
            _ => self.rng.word(
                "normal\n|inversed\n|normal|inversed|Normal\n|normal\n\n||\n|inverse\n|\
                 inversed \n| normal\n|1\n",
            ),
        };
        Op::Write(ch, attr, text)
    }

    /// Closes the files and unexports what the program exported.
    fn cleanup(&mut self) {
        for file in 0..2 {
            self.sys.files[file] = None;
            self.model.release(file);
        }
        for ch in self.channels(Owner::Sysfs) {
            self.step(Op::Unexport(format!("{ch}\n")));
        }
        for ch in 0..self.model.owner.len() {
            let dir = format!("{}/pwm{ch}", self.sys.class);
            if Path::new(&dir).exists() {
                self.mismatch(format!("{dir} is left at the end"));
            }
        }
    }
}

fn setup(name: &str, seed: u64) -> Result<Run, String> {
    let cfg = |attr: &str| {
        let path = format!("{CFS}/{name}/{attr}");
        let text = fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
        Ok::<_, String>(text.trim().to_string())
    };
    let number = |attr: &str| {
        let v = cfg(attr)?;
        let n = v.parse::<u64>().ok().filter(|&n| n != 0);
        n.ok_or(format!("{attr}: {v:?}"))
    };
    if cfg("live")? != "1" {
        return Err(format!("{name} is not live"));
    }
    let fail = cfg("fail_next")?;
    if !fail.starts_with("0 ") {
        return Err(format!("{name} has failures to inject: {fail:?}"));
    }
    let (npwm, hz) = (number("npwm")?, number("clock_hz")?);
    let (mode, chip, atomic) = (cfg("mode")?, cfg("chip_name")?, cfg("atomic")?);
    println!("pwm-fuzz: {name} is {chip}: npwm={npwm} mode={mode} clock_hz={hz} atomic={atomic}");
    let sys = Sys {
        node: format!("/dev/{chip}"),
        class: format!("/sys/class/pwm/{chip}"),
        dbg: format!("{DBG}/{name}"),
        files: [None, None],
        mem: Mem::new().ok_or("mmap failed")?,
    };
    // Nobody else may hold a channel: each must export and unexport.
    let (export, unexport) = (
        format!("{}/export", sys.class),
        format!("{}/unexport", sys.class),
    );
    for ch in 0..npwm {
        let text = format!("{ch}\n");
        let r = write_file(&export, &text).and_then(|_| write_file(&unexport, &text));
        r.map_err(|e| format!("channel {ch}: export and unexport: errno {e} (in use?)"))?;
    }
    let hw = sys.read_hw(npwm as usize)?;
    let model = Model {
        waveform: mode == "waveform",
        cdev: Path::new(&format!("{}/dev", sys.class)).exists(),
        clock: Clock(hz),
        owner: vec![Owner::Free; npwm as usize],
        state: vec![State::default(); npwm as usize],
        regs: hw.clone(),
    };
    let (rng, n) = (Rng(seed), [0; 5]);
    Ok(Run {
        model,
        sys,
        rng,
        hw,
        n,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let number = |i: usize| {
        let s = args.get(i)?;
        match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => s.parse().ok(),
        }
    };
    let (Some(name), Some(calls), Some(seed), 4) = (args.get(1), number(2), number(3), args.len())
    else {
        eprintln!("usage: pwm-fuzz NAME CALLS SEED");
        exit(2);
    };
    let mut run = setup(name, seed).unwrap_or_else(|e| {
        println!("pwm-fuzz: {e}");
        exit(2);
    });
    println!("pwm-fuzz: {calls} calls, seed={seed}");
    // Opens both files; without a node, checks the first fails.
    run.step(Op::Reopen(0));
    if run.model.cdev {
        run.step(Op::Reopen(1));
    }
    while run.n[0] < calls {
        let op = if run.model.cdev && run.rng.pct(55) {
            run.gen_cdev()
        } else {
            run.gen_sysfs()
        };
        run.step(op);
    }
    run.cleanup();
    let [calls, cdev, sysfs, rejected, mismatches] = run.n;
    println!(
        "pwm-fuzz: calls={calls} cdev={cdev} sysfs={sysfs} rejected={rejected} \
         mismatches={mismatches} seed={seed}"
    );
    exit(i32::from(mismatches != 0));
}
