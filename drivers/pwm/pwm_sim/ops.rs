// SPDX-License-Identifier: GPL-2.0

//! The chip's ops: a legacy and a waveform op set, each sleeping or atomic,
//! all programming the simulated registers.

use crate::hw::{
    Hw,
    MAX_ATOMIC_DELAY_US, //
};
use core::{
    marker::PhantomData,
    sync::atomic::{
        AtomicU32,
        Ordering, //
    },
};
use kernel::{
    prelude::*,
    pwm,
    sync::Arc,
    time::Delta, //
};

/// How a chip waits for `apply_delay_us`: sleeping chips sleep, atomic ones
/// busy-wait briefly.
pub(crate) trait Wait: pwm::Context {
    fn wait_us(&self, us: u32);
}

impl Wait for pwm::Sleeping {
    fn wait_us(&self, us: u32) {
        if us != 0 {
            self.fsleep(Delta::from_micros(us.into()));
        }
    }
}

impl Wait for pwm::Atomic {
    fn wait_us(&self, us: u32) {
        if us != 0 {
            self.udelay(Delta::from_micros(us.min(MAX_ATOMIC_DELAY_US).into()));
        }
    }
}

// The simulated hardware is atomics only: the ops take no lock at all.
impl Wait for pwm::RawAtomic {
    fn wait_us(&self, us: u32) {
        if us != 0 {
            self.udelay(Delta::from_micros(us.min(MAX_ATOMIC_DELAY_US).into()));
        }
    }
}

/// Waits the apply delay, counted as busy meanwhile.
fn delay<C: Wait>(hw: &Hw, ch: &crate::hw::Channel, ctx: &C) {
    ch.busy.fetch_add(1, Ordering::Relaxed);
    ctx.wait_us(hw.apply_delay_us.load(Ordering::Relaxed));
    ch.busy.fetch_sub(1, Ordering::Relaxed);
}

/// Counts a call of an op on `pwm` and consumes an injected failure.
fn enter<'a>(
    hw: &'a Hw,
    pwm: &pwm::Channel,
    counter: impl FnOnce(&'a crate::hw::Counters) -> &'a AtomicU32,
) -> Result<&'a crate::hw::Channel> {
    let ch = hw.channel(pwm.hwpwm())?;
    counter(&ch.calls).fetch_add(1, Ordering::Relaxed);
    hw.inject()?;
    Ok(ch)
}

/// A channel is requested: counted, and it may be made to fail.
fn request(hw: &Hw, pwm: &pwm::Channel) -> Result {
    enter(hw, pwm, |c| &c.request).map(|_| ())
}

/// A channel is released: counted; `free` cannot fail.
fn free(hw: &Hw, pwm: &pwm::Channel) {
    if let Ok(ch) = hw.channel(pwm.hwpwm()) {
        ch.calls.free.fetch_add(1, Ordering::Relaxed);
    }
}

/// Measures the channel's own output, as if it were looped back to its
/// capture input.
fn capture(hw: &Hw, pwm: &pwm::Channel) -> Result<pwm::Capture> {
    let ch = enter(hw, pwm, |c| &c.capture)?;
    let r = &ch.regs;
    if !r.enabled.load(Ordering::Relaxed) {
        // No signal to measure.
        return Err(ETIMEDOUT);
    }
    let clamp = |ns: u64| u32::try_from(ns).unwrap_or(u32::MAX);
    let period = hw.cycles_to_ns(r.period.load(Ordering::Relaxed));
    let duty = hw.cycles_to_ns(r.duty.load(Ordering::Relaxed));
    Ok(pwm::Capture {
        period_ns: clamp(period),
        // A preset duty may be longer than the period: the output is then
        // constantly active.
        duty_cycle_ns: clamp(if r.inversed.load(Ordering::Relaxed) {
            period.saturating_sub(duty)
        } else {
            duty
        }),
    })
}

/// A chip with the legacy ops.
pub(crate) struct LegacySim<C> {
    pub(crate) hw: Arc<Hw>,
    _context: PhantomData<fn() -> C>,
}

impl<C> LegacySim<C> {
    pub(crate) fn new(hw: Arc<Hw>) -> Self {
        Self {
            hw,
            _context: PhantomData,
        }
    }
}

#[vtable]
impl<C: Wait> pwm::Ops for LegacySim<C> {
    type Context = C;
    type WfHw = ();

    fn request(chip: &pwm::Chip<Self>, pwm: &pwm::Channel) -> Result {
        request(&chip.drvdata().hw, pwm)
    }

    fn free(chip: &pwm::Chip<Self>, pwm: &pwm::Channel) {
        free(&chip.drvdata().hw, pwm)
    }

    fn capture(
        chip: &pwm::Chip<Self>,
        pwm: &pwm::Channel,
        _timeout_ms: u64,
    ) -> Result<pwm::Capture> {
        capture(&chip.drvdata().hw, pwm)
    }

    fn apply(chip: &pwm::Chip<Self>, pwm: &pwm::Channel, state: &pwm::State, ctx: &C) -> Result {
        let hw = &chip.drvdata().hw;
        let ch = enter(hw, pwm, |c| &c.apply)?;
        delay(hw, ch, ctx);
        let r = &ch.regs;
        if !state.enabled {
            // Stopping leaves the other registers as they are.
            r.enabled.store(false, Ordering::Relaxed);
            return Ok(());
        }
        hw.inject_enabling()?;
        let period = hw.ns_to_cycles(state.period_ns);
        if period == 0 {
            // Shorter than one clock cycle.
            return Err(EINVAL);
        }
        let duty = hw.ns_to_cycles(state.duty_cycle_ns).min(period);
        r.period.store(period, Ordering::Relaxed);
        r.duty.store(duty, Ordering::Relaxed);
        r.offset.store(0, Ordering::Relaxed);
        r.inversed
            .store(state.polarity == pwm::Polarity::Inversed, Ordering::Relaxed);
        r.enabled.store(true, Ordering::Relaxed);
        Ok(())
    }

    fn get_state(chip: &pwm::Chip<Self>, pwm: &pwm::Channel, _ctx: &C) -> Result<pwm::State> {
        let hw = &chip.drvdata().hw;
        let ch = enter(hw, pwm, |c| &c.get_state)?;
        let r = &ch.regs;
        Ok(pwm::State {
            period_ns: hw.cycles_to_ns(r.period.load(Ordering::Relaxed)),
            duty_cycle_ns: hw.cycles_to_ns(r.duty.load(Ordering::Relaxed)),
            polarity: if r.inversed.load(Ordering::Relaxed) {
                pwm::Polarity::Inversed
            } else {
                pwm::Polarity::Normal
            },
            enabled: r.enabled.load(Ordering::Relaxed),
            usage_power: false,
        })
    }
}

/// The hardware form of a waveform: whole clock cycles; period 0 is off.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cycles {
    period: u32,
    duty: u32,
    offset: u32,
}

/// A chip with the waveform ops.
pub(crate) struct WaveformSim<C> {
    pub(crate) hw: Arc<Hw>,
    _context: PhantomData<fn() -> C>,
}

impl<C> WaveformSim<C> {
    pub(crate) fn new(hw: Arc<Hw>) -> Self {
        Self {
            hw,
            _context: PhantomData,
        }
    }
}

#[vtable]
impl<C: Wait> pwm::Ops for WaveformSim<C> {
    type Context = C;
    type WfHw = Cycles;

    fn request(chip: &pwm::Chip<Self>, pwm: &pwm::Channel) -> Result {
        request(&chip.drvdata().hw, pwm)
    }

    fn free(chip: &pwm::Chip<Self>, pwm: &pwm::Channel) {
        free(&chip.drvdata().hw, pwm)
    }

    fn capture(
        chip: &pwm::Chip<Self>,
        pwm: &pwm::Channel,
        _timeout_ms: u64,
    ) -> Result<pwm::Capture> {
        capture(&chip.drvdata().hw, pwm)
    }

    fn round_waveform_tohw(
        chip: &pwm::Chip<Self>,
        pwm: &pwm::Channel,
        wf: &pwm::Waveform,
        _ctx: &C,
    ) -> Result<pwm::RoundedWfHw<Cycles>> {
        let hw = &chip.drvdata().hw;
        enter(hw, pwm, |c| &c.round_tohw)?;
        if !wf.is_enabled() {
            return Ok(pwm::RoundedWfHw::default());
        }
        // Everything rounds down, except a period below one cycle, which
        // rounds up to one (and says so).
        let mut period = hw.ns_to_cycles(wf.period_length_ns);
        let rounded_up = period == 0;
        period = period.max(1);
        let duty = hw.ns_to_cycles(wf.duty_length_ns).min(period);
        let offset = hw.ns_to_cycles(wf.duty_offset_ns).min(period - 1);
        Ok(pwm::RoundedWfHw {
            wfhw: Cycles {
                period,
                duty,
                offset,
            },
            rounded_up,
        })
    }

    fn round_waveform_fromhw(
        chip: &pwm::Chip<Self>,
        pwm: &pwm::Channel,
        wfhw: &Cycles,
        _ctx: &C,
    ) -> Result<pwm::Waveform> {
        let hw = &chip.drvdata().hw;
        enter(hw, pwm, |c| &c.round_fromhw)?;
        if wfhw.period == 0 {
            return Ok(pwm::Waveform::default());
        }
        Ok(pwm::Waveform {
            period_length_ns: hw.cycles_to_ns(wfhw.period),
            duty_length_ns: hw.cycles_to_ns(wfhw.duty),
            duty_offset_ns: hw.cycles_to_ns(wfhw.offset),
        })
    }

    fn read_waveform(chip: &pwm::Chip<Self>, pwm: &pwm::Channel, _ctx: &C) -> Result<Cycles> {
        let hw = &chip.drvdata().hw;
        let r = &enter(hw, pwm, |c| &c.read)?.regs;
        if !r.enabled.load(Ordering::Relaxed) {
            return Ok(Cycles::default());
        }
        Ok(Cycles {
            period: r.period.load(Ordering::Relaxed),
            duty: r.duty.load(Ordering::Relaxed),
            offset: r.offset.load(Ordering::Relaxed),
        })
    }

    fn write_waveform(
        chip: &pwm::Chip<Self>,
        pwm: &pwm::Channel,
        wfhw: &Cycles,
        ctx: &C,
    ) -> Result {
        let hw = &chip.drvdata().hw;
        let ch = enter(hw, pwm, |c| &c.write)?;
        delay(hw, ch, ctx);
        let r = &ch.regs;
        if wfhw.period == 0 {
            r.enabled.store(false, Ordering::Relaxed);
            return Ok(());
        }
        hw.inject_enabling()?;
        r.period.store(wfhw.period, Ordering::Relaxed);
        r.duty.store(wfhw.duty, Ordering::Relaxed);
        r.offset.store(wfhw.offset, Ordering::Relaxed);
        r.inversed.store(false, Ordering::Relaxed);
        r.enabled.store(true, Ordering::Relaxed);
        Ok(())
    }
}
