// SPDX-License-Identifier: GPL-2.0

//! The load of `tools/testing/pwm/tests/stress.sh`: processes that drive
//! whatever PWM chips exist while others create and remove them. Built
//! static for the guest, 64- and 32-bit (the character device's compat
//! path). Every error is expected (a chip may go at any moment, a channel
//! may be busy): only the kernel's log says whether something went wrong.
//! Each worker runs until the file STOP exists, then prints how many calls
//! it made and how many of them succeeded, `calls=N ok=N`. It leaves alone
//! the chips named in the file `$PWM_STRESS_SKIP` (read every round; words
//! such as `pwmchip3`, or a parent device such as `pwm-sim.2`), which other
//! parts of the campaign use alone.
//!
//! Usage:
//! - `pwm-stress cdev STOP SEED`: opens a random `/dev/pwmchipN`, requests
//!   random channels and issues random `PWM_IOCTL_*` calls on them (valid
//!   and invalid waveforms, channels it does not hold, `FREE`), then closes
//!   the file, with or without freeing first.
//! - `pwm-stress gpio STOP SEED`: requests lines of the GPIO chips that the
//!   PWM core provides for its chips (`CONFIG_PWM_PROVIDE_GPIO`; their label
//!   is the PWM chip's parent device, `pwm-sim.N`) as outputs and sets them.
//! - `pwm-stress inject-request DEV CH MAX`: fails the first, second, ...
//!   allocation of `PWM_IOCTL_REQUEST` on channel CH of DEV, through
//!   `/proc/thread-self/fail-nth`, until the request makes fewer
//!   allocations than that (or MAX is reached); after each, the channel
//!   must be requestable again. Prints `<faults injected> <steps> <1 if the
//!   request ran to its end> <times the channel was left unusable>`.

use std::ffi::{c_int, c_ulong};
use std::fs::{self, File, OpenOptions};
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::exit;

extern "C" {
    fn ioctl(fd: c_int, request: c_ulong, ...) -> c_int;
}

#[path = "../uapi/pwm.rs"]
mod uapi;
use uapi::Wf;
const REQUEST: c_ulong = uapi::REQUEST as c_ulong;
const FREE: c_ulong = uapi::FREE as c_ulong;
const ROUNDWF: c_ulong = uapi::ROUNDWF as c_ulong;
const GETWF: c_ulong = uapi::GETWF as c_ulong;
const SETROUNDEDWF: c_ulong = uapi::SETROUNDEDWF as c_ulong;
const SETEXACTWF: c_ulong = uapi::SETEXACTWF as c_ulong;

/// `_IOC(dir, ty, nr, size)`, for the GPIO ioctls.
const fn gpio_ioc(dir: u64, nr: u64, size: usize) -> c_ulong {
    ((dir << 30) | ((size as u64) << 16) | (0xb4 << 8) | nr) as c_ulong
}

/// `struct gpiochip_info`.
#[repr(C)]
struct ChipInfo {
    name: [u8; 32],
    label: [u8; 32],
    lines: u32,
}

/// `struct gpio_v2_line_request`, its configuration left empty but for
/// the flags.
#[repr(C)]
struct LineRequest {
    offsets: [u32; 64],
    consumer: [u8; 32],
    flags: u64,
    num_attrs: u32,
    config_padding: [u32; 5],
    attrs: [[u64; 3]; 10],
    num_lines: u32,
    event_buffer_size: u32,
    padding: [u32; 5],
    fd: i32,
}

/// `struct gpio_v2_line_values`.
#[repr(C)]
struct LineValues {
    bits: u64,
    mask: u64,
}

const GPIO_GET_CHIPINFO: c_ulong = gpio_ioc(2, 1, std::mem::size_of::<ChipInfo>());
const GPIO_V2_GET_LINE: c_ulong = gpio_ioc(3, 7, std::mem::size_of::<LineRequest>());
const GPIO_V2_LINE_SET_VALUES: c_ulong = gpio_ioc(3, 0xf, std::mem::size_of::<LineValues>());
const GPIO_V2_LINE_FLAG_OUTPUT: u64 = 1 << 3;

/// A small PRNG (xorshift64*), seeded per process.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn pick<'a, T>(&mut self, v: &'a [T]) -> Option<&'a T> {
        let i = self.below(v.len() as u64);
        v.get(usize::try_from(i).unwrap_or(0))
    }
}

/// Counts of one worker.
#[derive(Default)]
struct Count {
    calls: u64,
    ok: u64,
}

impl Count {
    fn add(&mut self, ret: c_int) {
        self.calls += 1;
        if ret >= 0 {
            self.ok += 1;
        }
    }
}

fn open_rw(path: &Path) -> Option<File> {
    OpenOptions::new().read(true).write(true).open(path).ok()
}

/// The paths in `dir` whose names start with `prefix`.
fn list(dir: &str, prefix: &str) -> Vec<std::path::PathBuf> {
    fs::read_dir(dir)
        .map(|d| {
            d.flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with(prefix))
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default()
}

/// A waveform that is valid most of the time, and sometimes not.
fn random_wf(rng: &mut Rng, hwpwm: u32) -> Wf {
    let period = match rng.below(8) {
        0 => 0,
        1 => u64::MAX - rng.below(3),
        2 => 1 + rng.below(10),
        _ => 1000 + rng.below(1_000_000),
    };
    let duty = match rng.below(6) {
        0 => period.wrapping_add(1),
        _ => rng.below(period.saturating_add(1)),
    };
    let offset = match rng.below(6) {
        0 => period,
        1 | 2 => rng.below(period.max(1)),
        _ => 0,
    };
    Wf {
        hwpwm,
        pad: u32::from(rng.below(50) == 0),
        period,
        duty,
        offset,
    }
}

/// The chips to leave alone, from `$PWM_STRESS_SKIP`.
fn skipped() -> Vec<String> {
    std::env::var("PWM_STRESS_SKIP")
        .ok()
        .and_then(|p| fs::read_to_string(p).ok())
        .map(|s| s.split_whitespace().map(String::from).collect())
        .unwrap_or_default()
}

fn cdev_round(rng: &mut Rng, n: &mut Count) {
    let skip = skipped();
    // A chip is skipped by its name or by its parent device's.
    let devs: Vec<_> = list("/dev", "pwmchip")
        .into_iter()
        .filter(|p| {
            let name = p.file_name().map(|f| f.to_string_lossy().into_owned());
            let parent = name.as_ref().and_then(|n| {
                let link = fs::read_link(format!("/sys/class/pwm/{n}/device")).ok()?;
                Some(link.file_name()?.to_string_lossy().into_owned())
            });
            !skip
                .iter()
                .any(|s| Some(s) == name.as_ref() || Some(s) == parent.as_ref())
        })
        .collect();
    let Some(f) = rng.pick(&devs).and_then(|p| open_rw(p)) else {
        return;
    };
    let fd = f.as_raw_fd();
    for _ in 0..1 + rng.below(50) {
        let ch = u32::try_from(rng.below(5)).unwrap_or(0);
        let ret = match rng.below(10) {
            // SAFETY: REQUEST and FREE take the channel by value.
            0 => unsafe { ioctl(fd, REQUEST, c_ulong::from(ch)) },
            // SAFETY: As above.
            1 => unsafe { ioctl(fd, FREE, c_ulong::from(ch)) },
            k => {
                let cmd = match k {
                    2 => ROUNDWF,
                    3 => GETWF,
                    4 => SETEXACTWF,
                    _ => SETROUNDEDWF,
                };
                let mut wf = random_wf(rng, ch);
                // SAFETY: `wf` is a `struct pwmchip_waveform` the ioctl may read and write.
                unsafe { ioctl(fd, cmd, &raw mut wf) }
            }
        };
        n.add(ret);
    }
    // Half of the time the channels go with the file.
    if rng.below(2) == 0 {
        for ch in 0..5u32 {
            // SAFETY: FREE takes the channel by value.
            n.add(unsafe { ioctl(fd, FREE, c_ulong::from(ch)) });
        }
    }
}

fn gpio_round(rng: &mut Rng, n: &mut Count) {
    let skip = skipped();
    for path in list("/dev", "gpiochip") {
        let Some(f) = open_rw(&path) else {
            continue;
        };
        let mut info = ChipInfo {
            name: [0; 32],
            label: [0; 32],
            lines: 0,
        };
        // SAFETY: `info` is a `struct gpiochip_info` the ioctl writes.
        let ret = unsafe { ioctl(f.as_raw_fd(), GPIO_GET_CHIPINFO, &raw mut info) };
        n.add(ret);
        if ret != 0 || !info.label.starts_with(b"pwm-sim") || info.lines == 0 {
            continue;
        }
        let end = info
            .label
            .iter()
            .position(|&b| b == 0)
            .unwrap_or(info.label.len());
        let label = String::from_utf8_lossy(&info.label[..end]);
        if skip.iter().any(|s| *s == label) {
            continue;
        }
        let mut req = LineRequest {
            offsets: [0; 64],
            consumer: [0; 32],
            flags: GPIO_V2_LINE_FLAG_OUTPUT,
            num_attrs: 0,
            config_padding: [0; 5],
            attrs: [[0; 3]; 10],
            num_lines: 1,
            event_buffer_size: 0,
            padding: [0; 5],
            fd: -1,
        };
        // Lines 0 to 3: the stress campaign injects failures on channel 7.
        req.offsets[0] = u32::try_from(rng.below(u64::from(info.lines.min(4)))).unwrap_or(0);
        req.consumer[..6].copy_from_slice(b"stress");
        // SAFETY: `req` is a `struct gpio_v2_line_request` the ioctl reads and writes.
        let ret = unsafe { ioctl(f.as_raw_fd(), GPIO_V2_GET_LINE, &raw mut req) };
        n.add(ret);
        if ret != 0 || req.fd < 0 {
            continue;
        }
        // SAFETY: The kernel returned a new file descriptor, owned by nobody else.
        let line = unsafe { File::from_raw_fd(req.fd) };
        for i in 0..1 + rng.below(20) {
            let mut v = LineValues {
                bits: i & 1,
                mask: 1,
            };
            // SAFETY: `v` is a `struct gpio_v2_line_values` the ioctl reads.
            n.add(unsafe { ioctl(line.as_raw_fd(), GPIO_V2_LINE_SET_VALUES, &raw mut v) });
        }
    }
}

/// `pwm-stress inject-request DEV CH MAX`.
fn inject_request(dev: &str, ch: c_ulong, max: u64) -> Result<String, String> {
    let f = open_rw(Path::new(dev)).ok_or(format!("cannot open {dev}"))?;
    // Opened before any failure is injected, and read and written without
    // allocating, so that only the request's allocations count.
    let nth = open_rw(Path::new("/proc/thread-self/fail-nth")).ok_or("no fail-nth")?;
    let (mut faults, mut done, mut broken, mut step) = (0u64, false, 0u64, 1u64);
    while step <= max {
        nth.write_at(step.to_string().as_bytes(), 0)
            .map_err(|e| format!("fail-nth: {e}"))?;
        // SAFETY: REQUEST takes the channel by value.
        let ret = unsafe { ioctl(f.as_raw_fd(), REQUEST, ch) };
        let mut buf = [0u8; 16];
        let len = nth
            .read_at(&mut buf, 0)
            .map_err(|e| format!("fail-nth: {e}"))?;
        let left = String::from_utf8_lossy(&buf[..len]).trim().to_string();
        nth.write_at(b"0", 0)
            .map_err(|e| format!("fail-nth: {e}"))?;
        if ret == 0 {
            // SAFETY: FREE takes the channel by value.
            unsafe { ioctl(f.as_raw_fd(), FREE, ch) };
        }
        // Whatever failed, the channel can be requested now.
        // SAFETY: As above.
        if unsafe { ioctl(f.as_raw_fd(), REQUEST, ch) } != 0 {
            broken += 1;
        }
        // SAFETY: As above.
        unsafe { ioctl(f.as_raw_fd(), FREE, ch) };
        if left != "0" {
            done = true;
            break;
        }
        faults += 1;
        step += 1;
    }
    Ok(format!("{faults} {step} {} {broken}", u8::from(done)))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_some_and(|a| a == "inject-request") {
        let ch = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
        let max = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(100);
        match inject_request(args.get(1).map_or("", String::as_str), ch, max) {
            Ok(line) => println!("{line}"),
            Err(e) => {
                eprintln!("pwm-stress: {e}");
                exit(1);
            }
        }
        return;
    }
    let (Some(kind), Some(stop), Some(seed)) = (
        args.first(),
        args.get(1),
        args.get(2).and_then(|s| s.parse::<u64>().ok()),
    ) else {
        eprintln!("usage: pwm-stress cdev|gpio STOP SEED");
        exit(2);
    };
    let round: fn(&mut Rng, &mut Count) = match kind.as_str() {
        "cdev" => cdev_round,
        "gpio" => gpio_round,
        _ => {
            eprintln!("pwm-stress: unknown worker {kind}");
            exit(2);
        }
    };
    let mut rng = Rng(seed | 1);
    let mut n = Count::default();
    while !Path::new(stop).exists() {
        round(&mut rng, &mut n);
        // Leaves time to the shell loops that create and remove the chips.
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    println!("calls={} ok={}", n.calls, n.ok);
}
