// SPDX-License-Identifier: GPL-2.0

//! `/sys/kernel/config/pwm-sim/<name>/`: one directory per simulated chip,
//! its configuration, injected faults, and `live`, which registers a
//! platform device for it (and with it the chip) or removes it again.

use crate::{
    hw::{
        Config,
        Hw,
        Mode,
        Preset,
        MAX_APPLY_DELAY_US,
        MAX_NPWM, //
    },
    registry,
};
use core::{
    fmt::{
        self,
        Write, //
    },
    sync::atomic::Ordering,
};
use kernel::{
    bindings,
    configfs::{
        self,
        configfs_attrs, //
    },
    error::from_err_ptr,
    new_mutex,
    page::PAGE_SIZE,
    prelude::*,
    str::CString,
    sync::{
        Arc,
        Mutex, //
    },
};

/// The top directory, `/sys/kernel/config/pwm-sim`, with the read-only
/// `max_npwm` (the most channels a chip may have).
#[pin_data]
pub(crate) struct Root {}

#[vtable]
impl configfs::AttributeOperations<0> for Root {
    type Data = Root;

    fn show(_root: &Root, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        show(page, format_args!("{MAX_NPWM}"))
    }
}

impl Root {
    pub(crate) fn new() -> impl PinInit<Self, Error> {
        try_pin_init!(Self {})
    }
}

#[vtable]
impl configfs::GroupOperations for Root {
    type Child = SimDir;

    fn make_group(&self, name: &CStr) -> Result<impl PinInit<configfs::Group<SimDir>, Error>> {
        let item_type = configfs_attrs! {
            container: configfs::Group<SimDir>,
            data: SimDir,
            attributes: [
                npwm: 0,
                atomic: 1,
                mode: 2,
                clock_hz: 3,
                apply_delay_us: 4,
                fail_next: 5,
                live: 6,
                dev_name: 7,
                chip_name: 8,
                preset: 9,
            ],
        };
        Ok(configfs::Group::new(
            CString::try_from(name)?,
            item_type,
            SimDir::new(CString::try_from(name)?),
        ))
    }
}

/// A registered platform device for a live chip.
///
/// # Invariants
///
/// `pdev` is registered, and `id` is in the registry, until `drop`.
struct Live {
    pdev: *mut bindings::platform_device,
    id: u32,
    hw: Arc<Hw>,
}

// SAFETY: The platform device may be unregistered from any thread.
unsafe impl Send for Live {}

impl Live {
    fn new(hw: Arc<Hw>) -> Result<Self> {
        let id = registry::insert(hw.clone())?;
        // The id travels as platform data. Not as a property: that would make
        // a managed software node the device's fwnode, which the GPIO chip of
        // `CONFIG_PWM_PROVIDE_GPIO` shares, and removing a device that shares a
        // managed node drops one reference too many (swnode.c).
        let info = bindings::platform_device_info {
            name: c"pwm-sim".as_char_ptr(),
            id: bindings::PLATFORM_DEVID_AUTO,
            data: (&raw const id).cast(),
            size_data: core::mem::size_of::<u32>(),
            ..Default::default()
        };
        // SAFETY: `info` and what it points to are valid for the call, which copies them.
        let pdev = match from_err_ptr(unsafe { bindings::platform_device_register_full(&info) }) {
            Ok(pdev) => pdev,
            Err(e) => {
                registry::remove(id);
                return Err(e);
            }
        };
        // INVARIANT: Registered, and in the registry.
        let live = Self { pdev, id, hw };
        // The probe runs synchronously: a device without a driver now failed.
        // SAFETY: By the type invariant the device is registered.
        if !unsafe { bindings::device_is_bound(&raw mut (*live.pdev).dev) } {
            let errno = live.hw.probe_error.load(Ordering::Relaxed);
            return Err(if errno < 0 {
                Error::from_errno(errno)
            } else {
                ENXIO
            });
        }
        Ok(live)
    }

    fn dev_name(&self) -> &CStr {
        // SAFETY: By the type invariant the device is registered; its name is a C string that
        // lives as long.
        unsafe { CStr::from_char_ptr(bindings::dev_name(&raw mut (*self.pdev).dev)) }
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the device is registered; only this unregisters it.
        // Unbinding removes the chip.
        unsafe { bindings::platform_device_unregister(self.pdev) };
        registry::remove(self.id);
    }
}

/// A directory's settings and, once live, its device.
struct State {
    config: Config,
    fail_count: u32,
    fail_errno: i32,
    fail_enabling: bool,
    /// Registers each channel has when the chip goes live, by channel.
    presets: [Option<Preset>; MAX_NPWM as usize],
    live: Option<Live>,
}

/// `/sys/kernel/config/pwm-sim/<name>`.
#[pin_data]
pub(crate) struct SimDir {
    name: CString,
    #[pin]
    state: Mutex<State>,
}

impl SimDir {
    fn new(name: CString) -> impl PinInit<Self, Error> {
        try_pin_init!(Self {
            name,
            state <- new_mutex!(State {
                config: Config::default(),
                fail_count: 0,
                fail_errno: EIO.to_errno().abs(),
                fail_enabling: false,
                presets: [None; MAX_NPWM as usize],
                live: None,
            }),
        })
    }

    /// Changes the configuration, which is fixed while live.
    fn configure(&self, page: &[u8], set: impl FnOnce(&mut Config, &[u8]) -> Result) -> Result {
        let mut state = self.state.lock();
        if state.live.is_some() {
            return Err(EBUSY);
        }
        let mut config = state.config;
        set(&mut config, trim(page))?;
        config.validate()?;
        state.config = config;
        Ok(())
    }
}

/// `page` without the trailing newline `echo` adds.
fn trim(page: &[u8]) -> &[u8] {
    page.strip_suffix(b"\n").unwrap_or(page)
}

/// A decimal `u32` with nothing around it.
fn parse_u32(s: &[u8]) -> Result<u32> {
    if s.is_empty() {
        return Err(EINVAL);
    }
    s.iter().try_fold(0u32, |acc, &c| {
        if !c.is_ascii_digit() {
            return Err(EINVAL);
        }
        acc.checked_mul(10)
            .and_then(|v| v.checked_add(u32::from(c - b'0')))
            .ok_or(EINVAL)
    })
}

fn parse_bool(s: &[u8]) -> Result<bool> {
    match s {
        b"0" => Ok(false),
        b"1" => Ok(true),
        _ => Err(EINVAL),
    }
}

/// Formats into a configfs page.
struct Page<'a> {
    buf: &'a mut [u8; PAGE_SIZE],
    len: usize,
}

impl Write for Page<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len.checked_add(s.len()).ok_or(fmt::Error)?;
        self.buf
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

fn show(page: &mut [u8; PAGE_SIZE], args: fmt::Arguments<'_>) -> Result<usize> {
    let mut out = Page { buf: page, len: 0 };
    out.write_fmt(args).map_err(|_| EINVAL)?;
    out.write_str("\n").map_err(|_| EINVAL)?;
    Ok(out.len)
}

#[vtable]
impl configfs::AttributeOperations<0> for SimDir {
    type Data = SimDir;

    fn show(dir: &SimDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let npwm = dir.state.lock().config.npwm;
        show(page, format_args!("{npwm}"))
    }

    fn store(dir: &SimDir, page: &[u8]) -> Result {
        dir.configure(page, |c, s| {
            c.npwm = parse_u32(s)?;
            Ok(())
        })
    }
}

#[vtable]
impl configfs::AttributeOperations<1> for SimDir {
    type Data = SimDir;

    fn show(dir: &SimDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let atomic = dir.state.lock().config.atomic;
        show(page, format_args!("{}", u8::from(atomic)))
    }

    fn store(dir: &SimDir, page: &[u8]) -> Result {
        dir.configure(page, |c, s| {
            c.atomic = parse_bool(s)?;
            Ok(())
        })
    }
}

#[vtable]
impl configfs::AttributeOperations<2> for SimDir {
    type Data = SimDir;

    fn show(dir: &SimDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let mode = dir.state.lock().config.mode;
        show(page, format_args!("{}", mode.name()))
    }

    fn store(dir: &SimDir, page: &[u8]) -> Result {
        dir.configure(page, |c, s| {
            c.mode = Mode::parse(s)?;
            Ok(())
        })
    }
}

#[vtable]
impl configfs::AttributeOperations<3> for SimDir {
    type Data = SimDir;

    fn show(dir: &SimDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let hz = dir.state.lock().config.clock_hz;
        show(page, format_args!("{hz}"))
    }

    fn store(dir: &SimDir, page: &[u8]) -> Result {
        dir.configure(page, |c, s| {
            c.clock_hz = parse_u32(s)?;
            Ok(())
        })
    }
}

/// `apply_delay_us` may change while live: it is how long the next applies
/// take, not what the chip is.
#[vtable]
impl configfs::AttributeOperations<4> for SimDir {
    type Data = SimDir;

    fn show(dir: &SimDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let us = dir.state.lock().config.apply_delay_us;
        show(page, format_args!("{us}"))
    }

    fn store(dir: &SimDir, page: &[u8]) -> Result {
        let us = parse_u32(trim(page))?;
        if us > MAX_APPLY_DELAY_US {
            return Err(EINVAL);
        }
        let mut state = dir.state.lock();
        state.config.apply_delay_us = us;
        if let Some(live) = &state.live {
            live.hw.apply_delay_us.store(us, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// `fail_next`: `N`, `N ERRNO` or `N ERRNO enable`; the next N ops that can
/// fail return -ERRNO (default EIO). With `enable`, only ops that turn an
/// output on fail (`apply` of an enabled state, `write_waveform` with a
/// period), as resuming from system sleep does. Reads back what is left, in
/// the same form.
#[vtable]
impl configfs::AttributeOperations<5> for SimDir {
    type Data = SimDir;

    fn show(dir: &SimDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let state = dir.state.lock();
        let (count, errno, enabling) = match &state.live {
            Some(live) => (
                live.hw.fail_count.load(Ordering::Relaxed),
                live.hw.fail_errno.load(Ordering::Relaxed),
                live.hw.fail_enabling.load(Ordering::Relaxed),
            ),
            None => (state.fail_count, state.fail_errno, state.fail_enabling),
        };
        let when = if enabling { " enable" } else { "" };
        show(page, format_args!("{count} {errno}{when}"))
    }

    fn store(dir: &SimDir, page: &[u8]) -> Result {
        let mut words = trim(page).split(|&c| c == b' ');
        let count = parse_u32(words.next().ok_or(EINVAL)?)?;
        let errno = match words.next() {
            Some(w) => parse_u32(w)?,
            None => EIO.to_errno().unsigned_abs(),
        };
        let enabling = match words.next() {
            None => false,
            Some(b"enable") => true,
            Some(_) => return Err(EINVAL),
        };
        if words.next().is_some() || errno == 0 || errno > bindings::MAX_ERRNO {
            return Err(EINVAL);
        }
        let errno = errno as i32;
        let mut state = dir.state.lock();
        state.fail_count = count;
        state.fail_errno = errno;
        state.fail_enabling = enabling;
        if let Some(live) = &state.live {
            // The count last: a failure taken between these stores has the new errno.
            live.hw.fail_errno.store(errno, Ordering::Relaxed);
            live.hw.fail_enabling.store(enabling, Ordering::Relaxed);
            live.hw.fail_count.store(count, Ordering::Relaxed);
        }
        Ok(())
    }
}

/// `live`: 1 registers the chip, 0 removes it; writing the current value
/// does nothing.
#[vtable]
impl configfs::AttributeOperations<6> for SimDir {
    type Data = SimDir;

    fn show(dir: &SimDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let live = dir.state.lock().live.is_some();
        show(page, format_args!("{}", u8::from(live)))
    }

    fn store(dir: &SimDir, page: &[u8]) -> Result {
        let want = parse_bool(trim(page))?;
        let mut state = dir.state.lock();
        if want == state.live.is_some() {
            return Ok(());
        }
        if !want {
            // Unregisters the device, which removes the chip.
            state.live = None;
            return Ok(());
        }
        let hw = Hw::new(CString::try_from(&*dir.name)?, state.config)?;
        hw.fail_errno.store(state.fail_errno, Ordering::Relaxed);
        hw.fail_enabling
            .store(state.fail_enabling, Ordering::Relaxed);
        hw.fail_count.store(state.fail_count, Ordering::Relaxed);
        for (hwpwm, preset) in (0u32..).zip(state.presets.iter()) {
            if let Some(preset) = preset {
                // A preset channel the chip does not have: `EINVAL`.
                hw.preset(hwpwm, preset)?;
            }
        }
        state.live = Some(Live::new(hw)?);
        Ok(())
    }
}

/// `dev_name`: the platform device of a live chip (`pwm-sim.N.auto`).
#[vtable]
impl configfs::AttributeOperations<7> for SimDir {
    type Data = SimDir;

    fn show(dir: &SimDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let state = dir.state.lock();
        let live = state.live.as_ref().ok_or(ENODEV)?;
        show(
            page,
            format_args!("{}", live.dev_name().to_str().map_err(|_| EINVAL)?),
        )
    }
}

/// `chip_name`: the chip of a live chip (`pwmchipN`).
#[vtable]
impl configfs::AttributeOperations<8> for SimDir {
    type Data = SimDir;

    fn show(dir: &SimDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let state = dir.state.lock();
        let live = state.live.as_ref().ok_or(ENODEV)?;
        let id = live.hw.chip_id.load(Ordering::Relaxed);
        show(page, format_args!("pwmchip{id}"))
    }
}

/// `preset`: `HWPWM PERIOD_NS DUTY_NS OFFSET_NS normal|inversed 0|1` sets
/// what channel HWPWM's registers hold when the chip goes live, as a
/// bootloader may leave them (the duty may be longer than the period);
/// `clear` drops every preset. Fixed while live. Reads back one line per
/// preset channel, in the same form.
#[vtable]
impl configfs::AttributeOperations<9> for SimDir {
    type Data = SimDir;

    fn show(dir: &SimDir, page: &mut [u8; PAGE_SIZE]) -> Result<usize> {
        let state = dir.state.lock();
        let mut out = Page { buf: page, len: 0 };
        for (hwpwm, preset) in state.presets.iter().enumerate() {
            if let Some(p) = preset {
                writeln!(
                    out,
                    "{hwpwm} {} {} {} {} {}",
                    p.period_ns,
                    p.duty_ns,
                    p.offset_ns,
                    if p.inversed { "inversed" } else { "normal" },
                    u8::from(p.enabled)
                )
                .map_err(|_| EINVAL)?;
            }
        }
        Ok(out.len)
    }

    fn store(dir: &SimDir, page: &[u8]) -> Result {
        let page = trim(page);
        let mut state = dir.state.lock();
        if state.live.is_some() {
            return Err(EBUSY);
        }
        if page == b"clear" {
            state.presets = [None; MAX_NPWM as usize];
            return Ok(());
        }
        let (hwpwm, preset) = parse_preset(page)?;
        *state.presets.get_mut(hwpwm).ok_or(EINVAL)? = Some(preset);
        Ok(())
    }
}

/// Parses `HWPWM PERIOD_NS DUTY_NS OFFSET_NS normal|inversed 0|1`.
fn parse_preset(s: &[u8]) -> Result<(usize, Preset)> {
    let mut words = s.split(|&c| c == b' ');
    let mut next = || words.next().ok_or(EINVAL);
    let hwpwm = parse_u32(next()?)?;
    let preset = Preset {
        period_ns: parse_u32(next()?)?,
        duty_ns: parse_u32(next()?)?,
        offset_ns: parse_u32(next()?)?,
        inversed: match next()? {
            b"normal" => false,
            b"inversed" => true,
            _ => return Err(EINVAL),
        },
        enabled: parse_bool(next()?)?,
    };
    if next().is_ok() {
        return Err(EINVAL);
    }
    // `store` refuses a channel beyond `MAX_NPWM`.
    Ok((hwpwm as usize, preset))
}
