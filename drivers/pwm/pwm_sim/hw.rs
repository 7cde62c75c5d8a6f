// SPDX-License-Identifier: GPL-2.0

//! The simulated hardware: per-channel registers counted in clock cycles,
//! op counters, injected failures and delays.

use core::{
    fmt,
    num::NonZeroU64,
    sync::atomic::{
        AtomicBool,
        AtomicI32,
        AtomicU32,
        Ordering, //
    },
};
use kernel::{
    prelude::*,
    str::CString,
    sync::Arc, //
};

/// Most channels a simulated chip may have.
pub(crate) const MAX_NPWM: u32 = 64;
/// Fastest clock, in Hz: one cycle per nanosecond.
pub(crate) const MAX_CLOCK_HZ: u32 = 1_000_000_000;
/// Longest apply delay, in microseconds.
pub(crate) const MAX_APPLY_DELAY_US: u32 = 1_000_000;
/// Longest busy-wait an atomic chip does for its apply delay, in microseconds.
pub(crate) const MAX_ATOMIC_DELAY_US: u32 = 100;

const NSEC_PER_SEC: u64 = 1_000_000_000;

/// Which op set the chip implements.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// `round_waveform_tohw`, `round_waveform_fromhw`, `read_waveform`,
    /// `write_waveform`.
    Waveform,
    /// `apply` and `get_state`.
    Legacy,
}

impl Mode {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Waveform => "waveform",
            Self::Legacy => "legacy",
        }
    }

    pub(crate) fn parse(s: &[u8]) -> Result<Self> {
        match s {
            b"waveform" => Ok(Self::Waveform),
            b"legacy" => Ok(Self::Legacy),
            _ => Err(EINVAL),
        }
    }
}

/// What a simulated chip is, fixed while it is live.
#[derive(Copy, Clone, Debug)]
pub(crate) struct Config {
    pub(crate) npwm: u32,
    pub(crate) atomic: bool,
    /// An atomic chip whose ops run under a raw spinlock (`pwm::RawAtomic`),
    /// so that consumers may apply from hard hrtimers; implies `atomic`.
    pub(crate) raw: bool,
    pub(crate) mode: Mode,
    pub(crate) clock_hz: u32,
    pub(crate) apply_delay_us: u32,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            npwm: 1,
            atomic: false,
            raw: false,
            mode: Mode::Waveform,
            clock_hz: MAX_CLOCK_HZ,
            apply_delay_us: 0,
        }
    }
}

impl Config {
    /// Checks every value against its limits.
    pub(crate) fn validate(&self) -> Result {
        if !(1..=MAX_NPWM).contains(&self.npwm)
            || !(1..=MAX_CLOCK_HZ).contains(&self.clock_hz)
            || self.apply_delay_us > MAX_APPLY_DELAY_US
        {
            return Err(EINVAL);
        }
        Ok(())
    }
}

/// The registers of one channel, in clock cycles.
#[derive(Default)]
pub(crate) struct Registers {
    pub(crate) period: AtomicU32,
    pub(crate) duty: AtomicU32,
    pub(crate) offset: AtomicU32,
    pub(crate) inversed: AtomicBool,
    pub(crate) enabled: AtomicBool,
}

/// What a channel's registers hold when its chip goes live, as a bootloader
/// may leave them: in nanoseconds, and not checked against each other (a
/// duty longer than the period is how some hardware is found).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Preset {
    pub(crate) period_ns: u32,
    pub(crate) duty_ns: u32,
    pub(crate) offset_ns: u32,
    pub(crate) inversed: bool,
    pub(crate) enabled: bool,
}

/// How often the core called each op on a channel.
#[derive(Default)]
pub(crate) struct Counters {
    pub(crate) request: AtomicU32,
    pub(crate) free: AtomicU32,
    pub(crate) capture: AtomicU32,
    pub(crate) apply: AtomicU32,
    pub(crate) get_state: AtomicU32,
    pub(crate) round_tohw: AtomicU32,
    pub(crate) round_fromhw: AtomicU32,
    pub(crate) read: AtomicU32,
    pub(crate) write: AtomicU32,
}

/// One channel: registers and counters.
#[derive(Default)]
pub(crate) struct Channel {
    pub(crate) regs: Registers,
    pub(crate) calls: Counters,
    /// Ops of the channel inside their apply delay right now.
    pub(crate) busy: AtomicU32,
}

/// A simulated chip's hardware, shared by its driver data, its configfs
/// directory and its debugfs file.
pub(crate) struct Hw {
    /// The configfs directory's or device tree node's name.
    pub(crate) name: CString,
    pub(crate) config: Config,
    pub(crate) channels: KVec<Channel>,
    /// How many of the next ops fail.
    pub(crate) fail_count: AtomicU32,
    /// The errno they fail with (positive).
    pub(crate) fail_errno: AtomicI32,
    /// Whether only the ops that turn an output on (`apply` of an enabled
    /// state, `write_waveform` of a waveform with a period) fail, as
    /// resuming does; otherwise every op that can fail.
    pub(crate) fail_enabling: AtomicBool,
    /// Current apply delay; changeable while live.
    pub(crate) apply_delay_us: AtomicU32,
    /// The chip's id once registered, for `chip_name`; -1 before.
    pub(crate) chip_id: AtomicI32,
    /// The errno the last probe failed with, 0 if none.
    pub(crate) probe_error: AtomicI32,
}

impl Hw {
    pub(crate) fn new(name: CString, config: Config) -> Result<Arc<Self>> {
        config.validate()?;
        let mut channels = KVec::with_capacity(config.npwm as usize, GFP_KERNEL)?;
        for _ in 0..config.npwm {
            channels.push(Channel::default(), GFP_KERNEL)?;
        }
        Ok(Arc::new(
            Self {
                name,
                config,
                channels,
                fail_count: AtomicU32::new(0),
                fail_errno: AtomicI32::new(EIO.to_errno().abs()),
                fail_enabling: AtomicBool::new(false),
                apply_delay_us: AtomicU32::new(config.apply_delay_us),
                chip_id: AtomicI32::new(-1),
                probe_error: AtomicI32::new(0),
            },
            GFP_KERNEL,
        )?)
    }

    pub(crate) fn channel(&self, hwpwm: u32) -> Result<&Channel> {
        self.channels.get(hwpwm as usize).ok_or(EINVAL)
    }

    /// Called at the start of every op that can fail: consumes one injected
    /// failure, if any is left and not only enabling ops fail.
    pub(crate) fn inject(&self) -> Result {
        if self.fail_enabling.load(Ordering::Relaxed) {
            return Ok(());
        }
        self.take_failure()
    }

    /// Called by an op about to turn an output on: consumes one injected
    /// failure, if any is left and only enabling ops fail.
    pub(crate) fn inject_enabling(&self) -> Result {
        if !self.fail_enabling.load(Ordering::Relaxed) {
            return Ok(());
        }
        self.take_failure()
    }

    fn take_failure(&self) -> Result {
        let took = self
            .fail_count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        match took {
            Ok(_) => Err(Error::from_errno(-self.fail_errno.load(Ordering::Relaxed))),
            Err(_) => Ok(()),
        }
    }

    /// Loads `preset` into the registers of channel `hwpwm`, before the chip
    /// is registered; `EINVAL` if the chip has no such channel.
    pub(crate) fn preset(&self, hwpwm: u32, preset: &Preset) -> Result {
        let r = &self.channel(hwpwm)?.regs;
        let cycles = |ns: u32| self.ns_to_cycles(ns.into());
        r.period.store(cycles(preset.period_ns), Ordering::Relaxed);
        r.duty.store(cycles(preset.duty_ns), Ordering::Relaxed);
        r.offset.store(cycles(preset.offset_ns), Ordering::Relaxed);
        r.inversed.store(preset.inversed, Ordering::Relaxed);
        r.enabled.store(preset.enabled, Ordering::Relaxed);
        Ok(())
    }

    /// The highest period the registers hold, in nanoseconds.
    fn max_ns(&self) -> u64 {
        self.cycles_to_ns(u32::MAX)
    }

    /// Nanoseconds to whole cycles, rounded down and saturated at the
    /// register width.
    pub(crate) fn ns_to_cycles(&self, ns: u64) -> u32 {
        let ns = ns.min(self.max_ns());
        // `ns * clock_hz` fits: `max_ns * clock_hz` is about `u32::MAX * 1e9`.
        u32::try_from(ns * u64::from(self.config.clock_hz) / NSEC_PER_SEC).unwrap_or(u32::MAX)
    }

    /// Cycles to nanoseconds, rounded up, so that converting back gives the
    /// same cycles.
    pub(crate) fn cycles_to_ns(&self, cycles: u32) -> u64 {
        // `validate` keeps the clock non-zero; dividing by a `NonZeroU64`
        // leaves no division-by-zero panic in the code.
        let hz = NonZeroU64::new(u64::from(self.config.clock_hz)).unwrap_or(NonZeroU64::MIN);
        let ns = u64::from(cycles) * NSEC_PER_SEC;
        ns / hz + u64::from(ns % hz != 0)
    }

    /// Renders the hardware state: one line per channel.
    pub(crate) fn render(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, ch) in self.channels.iter().enumerate() {
            let r = &ch.regs;
            let c = &ch.calls;
            let load = |a: &AtomicU32| a.load(Ordering::Relaxed);
            writeln!(
                f,
                "pwm{i}: enabled={} period_ns={} duty_ns={} offset_ns={} polarity={} \
                 request={} free={} capture={} apply={} get_state={} round_tohw={} \
                 round_fromhw={} read={} write={} busy={}",
                u8::from(r.enabled.load(Ordering::Relaxed)),
                self.cycles_to_ns(load(&r.period)),
                self.cycles_to_ns(load(&r.duty)),
                self.cycles_to_ns(load(&r.offset)),
                if r.inversed.load(Ordering::Relaxed) {
                    "inversed"
                } else {
                    "normal"
                },
                load(&c.request),
                load(&c.free),
                load(&c.capture),
                load(&c.apply),
                load(&c.get_state),
                load(&c.round_tohw),
                load(&c.round_fromhw),
                load(&c.read),
                load(&c.write),
                load(&ch.busy),
            )?;
        }
        Ok(())
    }
}
