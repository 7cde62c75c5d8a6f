// SPDX-License-Identifier: GPL-2.0

//! The PWM character device's userspace ABI (`include/uapi/linux/pwm.h`),
//! for the guest's test programs, which are single files built with rustc
//! alone: each includes this one with `#[path = "../uapi/pwm.rs"] mod uapi;`.

// Each program uses its own part of the ABI.
#![allow(dead_code)]

/// `struct pwmchip_waveform`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Wf {
    pub hwpwm: u32,
    pub pad: u32,
    pub period: u64,
    pub duty: u64,
    pub offset: u64,
}

/// `_IOC_NONE`, `_IOC_WRITE` and `_IOC_READ`.
pub const NONE: u64 = 0;
pub const WRITE: u64 = 1;
pub const READ: u64 = 2;

/// `_IOC(dir, 0x75, nr, size)`: the PWM ioctls' type is 0x75 ('u').
pub const fn ioc(dir: u64, nr: u64, size: u64) -> u64 {
    (dir << 30) | (size << 16) | (0x75 << 8) | nr
}

pub const WF_SIZE: u64 = std::mem::size_of::<Wf>() as u64;
pub const REQUEST: u64 = ioc(NONE, 1, 0);
pub const FREE: u64 = ioc(NONE, 2, 0);
pub const ROUNDWF: u64 = ioc(READ | WRITE, 3, WF_SIZE);
pub const GETWF: u64 = ioc(READ | WRITE, 4, WF_SIZE);
pub const SETROUNDEDWF: u64 = ioc(WRITE, 5, WF_SIZE);
pub const SETEXACTWF: u64 = ioc(WRITE, 6, WF_SIZE);
