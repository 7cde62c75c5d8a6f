// SPDX-License-Identifier: GPL-2.0

//! The ioctls and binary writes that upstream consumers' userspace
//! interfaces need and a shell cannot make, for `tests/consumers.sh`. Built
//! static for the guest.
//!
//! Usage:
//! - `pwm-consumer-io ff-upload FD STRONG WEAK`: uploads an endless
//!   `FF_RUMBLE` effect with these magnitudes (0 to 65535) through the input
//!   event device open on file descriptor FD (`EVIOCSFF`); prints its id.
//! - `pwm-consumer-io lirc DEV CARRIER DUTY US...`: opens the LIRC device
//!   DEV, sets its carrier in Hz (`LIRC_SET_SEND_CARRIER`) and duty cycle in
//!   percent (`LIRC_SET_SEND_DUTY_CYCLE`) when not 0, and transmits the
//!   pulse and space lengths US (microseconds) in one write.
//!
//! Errors print `error: <what>: errno <n>` and exit with status 1.

use std::ffi::{c_int, c_ulong};
use std::fs::OpenOptions;
use std::io::{Error, Write};
use std::os::fd::AsRawFd;

extern "C" {
    fn ioctl(fd: c_int, request: c_ulong, ...) -> c_int;
}

/// `struct ff_effect` (64-bit layout) with the `ff_rumble_effect` member of
/// its union. The union holds a pointer (in `ff_periodic_effect`, its
/// largest member), so it starts 8-byte aligned, at 16, and is 32 bytes.
#[repr(C)]
#[derive(Default)]
struct FfEffect {
    kind: u16,
    id: i16,
    direction: u16,
    trigger_button: u16,
    trigger_interval: u16,
    replay_length: u16,
    replay_delay: u16,
    pad: u16,
    rumble_strong: u16,
    rumble_weak: u16,
    union_rest: [u16; 2],
    union_tail: [u64; 3],
}

const _: () = assert!(std::mem::size_of::<FfEffect>() == 48);
const _: () = assert!(std::mem::offset_of!(FfEffect, rumble_strong) == 16);

const fn ioc_write(kind: u8, nr: u64, size: usize) -> c_ulong {
    ((1 << 30) | ((size as u64) << 16) | ((kind as u64) << 8) | nr) as c_ulong
}

const FF_RUMBLE: u16 = 0x50;
const EVIOCSFF: c_ulong = ioc_write(b'E', 0x80, std::mem::size_of::<FfEffect>());
const LIRC_SET_SEND_CARRIER: c_ulong = ioc_write(b'i', 0x13, 4);
const LIRC_SET_SEND_DUTY_CYCLE: c_ulong = ioc_write(b'i', 0x15, 4);

fn errno() -> i32 {
    Error::last_os_error().raw_os_error().unwrap_or(0)
}

fn parse<T: std::str::FromStr>(what: &str, s: Option<&String>) -> Result<T, String> {
    s.and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{what}: missing or not a number"))
}

fn ff_upload(args: &[String]) -> Result<(), String> {
    let fd: c_int = parse("FD", args.first())?;
    let mut effect = FfEffect {
        kind: FF_RUMBLE,
        id: -1,
        rumble_strong: parse("STRONG", args.get(1))?,
        rumble_weak: parse("WEAK", args.get(2))?,
        ..Default::default()
    };
    // SAFETY: `effect` is a `struct ff_effect` the kernel reads and writes back.
    if unsafe { ioctl(fd, EVIOCSFF, &raw mut effect) } != 0 {
        return Err(format!("EVIOCSFF: errno {}", errno()));
    }
    println!("{}", effect.id);
    Ok(())
}

fn lirc_set(f: &std::fs::File, what: &str, cmd: c_ulong, value: u32) -> Result<(), String> {
    let mut v = value;
    // SAFETY: The LIRC ioctls read one `__u32` from the pointer.
    if unsafe { ioctl(f.as_raw_fd(), cmd, &raw mut v) } != 0 {
        return Err(format!("{what}: errno {}", errno()));
    }
    Ok(())
}

fn lirc(args: &[String]) -> Result<(), String> {
    let dev = args.first().ok_or("DEV: missing")?;
    let carrier: u32 = parse("CARRIER", args.get(1))?;
    let duty: u32 = parse("DUTY", args.get(2))?;
    let mut buf = Vec::new();
    for (i, a) in args.iter().enumerate().skip(3) {
        let us: u32 = parse(&format!("US {}", i - 2), Some(a))?;
        buf.extend_from_slice(&us.to_ne_bytes());
    }
    let mut f = OpenOptions::new()
        .write(true)
        .open(dev)
        .map_err(|e| format!("open {dev}: errno {}", e.raw_os_error().unwrap_or(0)))?;
    if carrier != 0 {
        lirc_set(&f, "LIRC_SET_SEND_CARRIER", LIRC_SET_SEND_CARRIER, carrier)?;
    }
    if duty != 0 {
        lirc_set(
            &f,
            "LIRC_SET_SEND_DUTY_CYCLE",
            LIRC_SET_SEND_DUTY_CYCLE,
            duty,
        )?;
    }
    if !buf.is_empty() {
        let n = f
            .write(&buf)
            .map_err(|e| format!("write: errno {}", e.raw_os_error().unwrap_or(0)))?;
        if n != buf.len() {
            return Err(format!("write: {n} of {} bytes", buf.len()));
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ff-upload") => ff_upload(&args[1..]),
        Some("lirc") => lirc(&args[1..]),
        _ => Err(
            "usage: pwm-consumer-io ff-upload FD STRONG WEAK | lirc DEV CARRIER DUTY US...".into(),
        ),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
