// SPDX-License-Identifier: GPL-2.0

//! A configurable test chip and the devices, lookups and consumers around it.
//!
//! The chip's driver data ([`Hw`]) is its simulated hardware: per-channel
//! period, duty, offset, polarity and enable as the driver last wrote them,
//! counters of every op, an errno to fail the next op with, and a delay for
//! `apply` on sleeping chips. Tests check what the hardware received, not
//! only what the core remembers.
//!
//! C header: [`include/linux/pwm.h`](srctree/include/linux/pwm.h)

use core::{
    ptr::{
        self,
        NonNull, //
    },
    sync::atomic::{
        AtomicBool,
        AtomicI32,
        AtomicPtr,
        AtomicU32,
        AtomicU64,
        Ordering, //
    },
};
use kernel::{
    bindings,
    error::{
        from_err_ptr,
        to_result, //
    },
    ffi::{
        c_char,
        c_int,
        c_uint,
        c_void, //
    },
    prelude::*,
    types::Opaque,
};

unsafe extern "C" {
    /// `drivers/pwm/pwm_kunit/helpers.c`: runs `func(state)` in task, softirq
    /// and hard-IRQ context at once. Only the Rust core allows hard-IRQ
    /// applies (the C core takes a `spinlock_t` for atomic chips).
    #[cfg(CONFIG_PWM_RUST_CORE)]
    pub(crate) fn pwm_kunit_run_irq_test(
        test: *mut bindings::kunit,
        func: Option<unsafe extern "C" fn(*mut c_void) -> bool>,
        max_iterations: c_int,
        state: *mut c_void,
    );
    /// `drivers/pwm/pwm_kunit/helpers.c`: whether the caller is in hard-IRQ
    /// context.
    #[cfg(CONFIG_PWM_RUST_CORE)]
    pub(crate) fn pwm_kunit_in_hardirq() -> bool;
    /// `drivers/pwm/pwm_kunit/helpers.c`: takes and releases a `spinlock_t`
    /// with interrupts saved, as C drivers do in their ops.
    fn pwm_kunit_driver_spinlock();
    /// `drivers/pwm/pwm_kunit/helpers.c`: `pwm_apply_atomic()` with bottom
    /// halves off and a consumer's `spinlock_t` held, interrupts saved. The
    /// pointers are a `struct pwm_device` and a `struct pwm_state`, untyped
    /// because the former reaches types Rust does not consider FFI-safe.
    pub(crate) fn pwm_kunit_apply_atomic_locked(pwm: *mut c_void, state: *const c_void) -> c_int;
    fn pwm_kunit_log_watch_start(needle: *const c_char) -> *mut c_void;
    fn pwm_kunit_log_watch_hits(watch: *mut c_void) -> c_uint;
    fn pwm_kunit_log_watch_stop(watch: *mut c_void);
}

/// Counts the kernel messages that contain a string, from creation to drop
/// (through the `printk:console` tracepoint, `helpers.c`).
///
/// # Invariants
///
/// `self.0` is a watch from `pwm_kunit_log_watch_start`, stopped only on drop.
pub(crate) struct LogWatch(NonNull<c_void>);

impl LogWatch {
    pub(crate) fn new(needle: &'static CStr) -> Result<Self> {
        // SAFETY: `needle` is static, so it outlives the watch.
        let watch = unsafe { pwm_kunit_log_watch_start(needle.as_char_ptr()) };
        // INVARIANT: A non-NULL return is a running watch.
        NonNull::new(watch).map(Self).ok_or(ENOMEM)
    }

    /// How many messages contained the string so far.
    pub(crate) fn hits(&self) -> u32 {
        // SAFETY: By the type invariant the watch runs.
        unsafe { pwm_kunit_log_watch_hits(self.0.as_ptr()) }
    }
}

impl Drop for LogWatch {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the watch runs; it is not used afterwards.
        unsafe { pwm_kunit_log_watch_stop(self.0.as_ptr()) };
    }
}

/// Channels a test chip can have.
pub(crate) const MAX_CHANNELS: usize = 4;

/// A platform device standing in for a provider's or consumer's device.
///
/// Faux devices will not do: they opt out of power management, and the
/// driver core refuses them as the supplier of the device link that the core
/// adds from consumer to provider.
///
/// # Invariants
///
/// `self.0` points to a registered platform device until `drop`.
pub(crate) struct TestDevice(*mut bindings::platform_device);

impl TestDevice {
    pub(crate) fn new(name: &CStr) -> Result<Self> {
        // SAFETY: `name` is NUL-terminated; the device copies it.
        let pdev = unsafe {
            bindings::platform_device_alloc(name.as_char_ptr(), bindings::PLATFORM_DEVID_NONE)
        };
        if pdev.is_null() {
            return Err(ENOMEM);
        }
        // SAFETY: `pdev` was just allocated and is not registered yet.
        if let Err(e) = to_result(unsafe { bindings::platform_device_add(pdev) }) {
            // SAFETY: `pdev` failed to register; this drops the allocation's reference.
            unsafe { bindings::platform_device_put(pdev) };
            return Err(e);
        }
        // INVARIANT: `pdev` is registered.
        Ok(Self(pdev))
    }

    pub(crate) fn dev(&self) -> *mut bindings::device {
        // SAFETY: By the type invariant `self.0` is live.
        unsafe { &raw mut (*self.0).dev }
    }
}

impl Drop for TestDevice {
    fn drop(&mut self) {
        // SAFETY: By the type invariant `self.0` is registered; only this unregisters it.
        unsafe { bindings::platform_device_unregister(self.0) };
    }
}

/// A stand-in `struct module` that owns a test chip, so that tests can watch
/// the module references the core takes and drops.
///
/// # Invariants
///
/// The module is live (or marked going by the test), with no references
/// but the ones the core took through `try_module_get`.
pub(crate) struct FakeModule(KBox<Opaque<bindings::module>>);

impl FakeModule {
    pub(crate) fn new() -> Result<Self> {
        let module = KBox::new(Opaque::<bindings::module>::zeroed(), GFP_KERNEL)?;
        // SAFETY: The module is not shared yet. `MODULE_REF_BASE` (1) means live with no
        // users; `try_module_get` and `module_put` touch only `state` and `refcnt`.
        unsafe {
            (*module.get()).state = bindings::module_state_MODULE_STATE_LIVE;
            (*module.get()).refcnt.counter = 1;
        }
        // INVARIANT: Live, without references.
        Ok(Self(module))
    }

    pub(crate) fn as_ptr(&self) -> *mut bindings::module {
        self.0.get()
    }

    /// References held on the module.
    pub(crate) fn users(&self) -> i32 {
        // SAFETY: The module is alive; `module_refcount` only reads.
        unsafe { bindings::module_refcount(self.as_ptr()) }
    }

    /// Marks the module as being unloaded: new references are refused.
    pub(crate) fn set_going(&self) {
        // SAFETY: The module is alive; `state` is read by `try_module_get` only.
        unsafe { (*self.as_ptr()).state = bindings::module_state_MODULE_STATE_GOING };
    }
}

/// A kernel thread that a test runs next to itself.
///
/// Its function must loop until [`should_stop`] says so: dropping the
/// `Thread` stops it with `kthread_stop()`, which waits for it to return, so
/// the data it uses may be dropped right after (declare it before the
/// `Thread`).
///
/// # Invariants
///
/// `self.0` is a kthread that has not been stopped yet.
pub(crate) struct Thread(*mut bindings::task_struct);

impl Thread {
    /// Starts `f(data)` in a new kthread.
    ///
    /// # Safety
    ///
    /// `data` stays valid for `f` until the returned `Thread` is dropped, and
    /// `f` returns only once [`should_stop`] is true.
    pub(crate) unsafe fn spawn(
        f: unsafe extern "C" fn(*mut c_void) -> c_int,
        data: *mut c_void,
        name: &CStr,
    ) -> Result<Self> {
        // SAFETY: `f` and `data` are valid per the caller; the name is a plain format string.
        let task = from_err_ptr(unsafe {
            bindings::kthread_create_on_node(
                Some(f),
                data,
                bindings::NUMA_NO_NODE,
                name.as_char_ptr(),
            )
        })?;
        // SAFETY: `task` was just created and not started.
        unsafe { bindings::wake_up_process(task) };
        // INVARIANT: Started, not stopped.
        Ok(Self(task))
    }
}

impl Drop for Thread {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the thread was not stopped; its function runs until
        // asked to stop, so its task is still there.
        unsafe { bindings::kthread_stop(self.0) };
    }
}

/// Polls `cond` every millisecond for up to `ms` milliseconds; whether it held.
pub(crate) fn wait_for(ms: u32, cond: impl Fn() -> bool) -> bool {
    for _ in 0..ms {
        if cond() {
            return true;
        }
        // SAFETY: Tests run in process context.
        unsafe { bindings::msleep(1) };
    }
    cond()
}

/// Whether the running kthread was asked to stop.
pub(crate) fn should_stop() -> bool {
    // SAFETY: Called from kthreads started by `Thread::spawn`.
    unsafe { bindings::kthread_should_stop() }
}

/// For a thread that did its one job: sleeps until the test stops it, and
/// returns the thread's exit code.
pub(crate) fn idle_until_stopped() -> c_int {
    while !should_stop() {
        // SAFETY: A kthread may sleep.
        unsafe { bindings::msleep(1) };
    }
    0
}

/// The simulated hardware of one channel.
#[derive(Default)]
pub(crate) struct Channel {
    pub(crate) period: AtomicU64,
    pub(crate) duty: AtomicU64,
    pub(crate) offset: AtomicU64,
    pub(crate) inversed: AtomicBool,
    pub(crate) enabled: AtomicBool,
}

/// How often each op was called.
#[derive(Default)]
pub(crate) struct Calls {
    pub(crate) request: AtomicU32,
    pub(crate) free: AtomicU32,
    pub(crate) apply: AtomicU32,
    pub(crate) get_state: AtomicU32,
    pub(crate) tohw: AtomicU32,
    pub(crate) fromhw: AtomicU32,
    pub(crate) read: AtomicU32,
    pub(crate) write: AtomicU32,
}

impl Calls {
    /// Calls of all ops together.
    pub(crate) fn total(&self) -> u32 {
        [
            &self.request,
            &self.free,
            &self.apply,
            &self.get_state,
            &self.tohw,
            &self.fromhw,
            &self.read,
            &self.write,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }
}

/// A test chip's driver data: its simulated hardware. Lives in the chip's
/// private area, zeroed at allocation, which is a valid value of every field.
#[derive(Default)]
pub(crate) struct Hw {
    pub(crate) channels: [Channel; MAX_CHANNELS],
    pub(crate) calls: Calls,
    /// A negative errno the next op returns instead of doing its work.
    pub(crate) fail_next: AtomicI32,
    /// The op `fail_next` is for (a field of `calls`, by address); NULL for
    /// whichever op comes next.
    pub(crate) fail_op: AtomicPtr<AtomicU32>,
    /// Granularity of waveform chips, in ns.
    pub(crate) tick_ns: AtomicU64,
    /// How long `apply` and `write_waveform` sleep, on sleeping chips.
    pub(crate) delay_ms: AtomicU32,
    /// Ops running right now.
    pub(crate) inside: AtomicU32,
    /// Set while an op sleeps in its delay or waits at the gate.
    pub(crate) sleeping: AtomicBool,
    /// While set, ops of sleeping chips wait (up to ten seconds) before they
    /// touch the hardware, until the test clears it.
    pub(crate) gate: AtomicBool,
    /// Another chip's `Hw`: `apply` waits (up to five seconds) until an op
    /// runs on that chip too, and records in both chips' `met` whether one did.
    pub(crate) partner: AtomicPtr<Hw>,
    pub(crate) met: AtomicBool,
    /// `QUIRK_*` bits: driver bugs that `CONFIG_PWM_DEBUG` must report.
    pub(crate) quirks: AtomicU32,
    /// Whether the chip declared raw-safe ops (`pwmchip_set_raw_atomic()`);
    /// otherwise every op takes a `spinlock_t`, as C drivers do.
    pub(crate) raw: AtomicBool,
}

/// `apply` programs one more tick of period than asked.
pub(crate) const QUIRK_PERIOD_UP: u32 = 1 << 0;
/// `apply` programs one more tick of duty cycle than asked.
pub(crate) const QUIRK_DUTY_UP: u32 = 1 << 1;
/// `apply` programs one tick of duty cycle less than asked, every time.
pub(crate) const QUIRK_DUTY_DRIFTS: u32 = 1 << 2;
/// `round_waveform_tohw` returns 2, which no driver may.
pub(crate) const QUIRK_TOHW_RETURNS_2: u32 = 1 << 3;
/// `round_waveform_tohw` rounds the period up without saying so.
pub(crate) const QUIRK_TOHW_ROUNDS_UP: u32 = 1 << 4;
/// `write_waveform` programs one tick of duty less than it was given.
pub(crate) const QUIRK_WRITE_DIFFERS: u32 = 1 << 5;

impl Hw {
    pub(crate) fn channel(&self, hwpwm: u32) -> &Channel {
        &self.channels[(hwpwm as usize).min(MAX_CHANNELS - 1)]
    }

    /// The failure injected for the op whose call counter is `counter`, if any.
    fn take_failure(&self, counter: &AtomicU32) -> c_int {
        let op = self.fail_op.load(Ordering::Relaxed);
        if !op.is_null() && !ptr::eq(op.cast_const(), counter) {
            return 0;
        }
        self.fail_next.swap(0, Ordering::Relaxed)
    }

    /// Cancels an injected failure that was not taken.
    pub(crate) fn clear_failure(&self) {
        self.fail_next.store(0, Ordering::Relaxed);
        self.fail_op.store(ptr::null_mut(), Ordering::Relaxed);
    }

    /// Makes the next call of the op counted by `op` (a field of `calls`)
    /// fail with `err`; the other ops keep working.
    pub(crate) fn fail_op(&self, op: &AtomicU32, err: Error) {
        self.fail_op
            .store(ptr::from_ref(op).cast_mut(), Ordering::Relaxed);
        self.fail_next.store(err.to_errno(), Ordering::Relaxed);
    }

    /// Waits while a test keeps the gate closed (ten seconds at most).
    fn wait_at_gate(&self) {
        if self.gate.load(Ordering::Acquire) {
            self.sleeping.store(true, Ordering::Release);
            for _ in 0..10_000 {
                if !self.gate.load(Ordering::Acquire) {
                    break;
                }
                // SAFETY: Only tests of sleeping chips close the gate; their ops may sleep.
                unsafe { bindings::msleep(1) };
            }
            self.sleeping.store(false, Ordering::Release);
        }
    }

    /// An op's delay: the gate, then `delay_ms`.
    fn delay(&self) {
        self.wait_at_gate();
        let ms = self.delay_ms.load(Ordering::Relaxed);
        if ms != 0 {
            self.sleeping.store(true, Ordering::Relaxed);
            // SAFETY: Only sleeping chips set a delay; their ops may sleep.
            unsafe { bindings::msleep(ms) };
            self.sleeping.store(false, Ordering::Relaxed);
        }
    }

    /// Waits for an op to run on the partner chip at the same time; gives up
    /// when the test clears `partner` or after five seconds. An overlap seen
    /// from either side counts for both: polling every millisecond, this op
    /// can miss the partner's short ops while the partner sees it waiting.
    fn meet_partner(&self) {
        for _ in 0..5000 {
            let partner = self.partner.load(Ordering::Acquire);
            if partner.is_null() {
                return;
            }
            // SAFETY: Tests keep the partner chip alive until they cleared `partner` and
            // stopped the threads that run ops.
            let partner = unsafe { &*partner };
            if partner.inside.load(Ordering::Acquire) > 0 {
                self.met.store(true, Ordering::Release);
                partner.met.store(true, Ordering::Release);
                return;
            }
            if self.met.load(Ordering::Acquire) {
                return;
            }
            // SAFETY: Only sleeping chips get a partner; their ops may sleep.
            unsafe { bindings::msleep(1) };
        }
    }

    fn tick(&self) -> u64 {
        self.tick_ns.load(Ordering::Relaxed).max(1)
    }

    fn quirk(&self, quirk: u32) -> bool {
        self.quirks.load(Ordering::Relaxed) & quirk != 0
    }
}

/// The hardware waveform of the test chip: whole ticks.
#[repr(C)]
#[derive(Default, Clone, Copy)]
struct WfHw {
    period: u32,
    duty: u32,
    offset: u32,
}

/// The `Hw` and channel of an op's arguments.
///
/// # Safety
///
/// `chip` is a test chip (its driver data is an `Hw`) and `pwm` one of its channels.
unsafe fn hw_of<'a>(
    chip: *mut bindings::pwm_chip,
    pwm: *mut bindings::pwm_device,
) -> (&'a Hw, &'a Channel) {
    // SAFETY: The caller guarantees the driver data is a `Hw`, alive as the chip is.
    let hw = unsafe { &*bindings::pwmchip_get_drvdata(chip).cast::<Hw>() };
    // SAFETY: `pwm` is a channel of `chip`.
    let channel = hw.channel(unsafe { (*pwm).hwpwm });
    (hw, channel)
}

/// Runs one op: counts it, fails it when asked, and tracks who is inside.
fn op(hw: &Hw, counter: &AtomicU32, f: impl FnOnce() -> c_int) -> c_int {
    counter.fetch_add(1, Ordering::Relaxed);
    if !hw.raw.load(Ordering::Relaxed) {
        // SAFETY: A plain C function; the core runs ops of non-raw chips where a
        // `spinlock_t` may be taken.
        unsafe { pwm_kunit_driver_spinlock() };
    }
    let failure = hw.take_failure(counter);
    if failure != 0 {
        return failure;
    }
    hw.inside.fetch_add(1, Ordering::AcqRel);
    let ret = f();
    hw.inside.fetch_sub(1, Ordering::AcqRel);
    ret
}

/// `request` of the test ops: counts the call and waits at the gate.
///
/// # Safety
///
/// Called by the PWM core with a test chip, one of its channels and valid
/// op arguments, as for any driver op.
unsafe extern "C" fn test_request(
    chip: *mut bindings::pwm_chip,
    pwm: *mut bindings::pwm_device,
) -> c_int {
    // SAFETY: The core calls ops with the chip and one of its channels.
    let (hw, _) = unsafe { hw_of(chip, pwm) };
    op(hw, &hw.calls.request, || {
        hw.wait_at_gate();
        0
    })
}

/// `free` of the test ops: counts the call.
///
/// # Safety
///
/// Called by the PWM core with a test chip, one of its channels and valid
/// op arguments, as for any driver op.
unsafe extern "C" fn test_free(chip: *mut bindings::pwm_chip, pwm: *mut bindings::pwm_device) {
    // SAFETY: As for `test_request`.
    let (hw, _) = unsafe { hw_of(chip, pwm) };
    hw.calls.free.fetch_add(1, Ordering::Relaxed);
}

/// `apply` of the test ops: writes the state to the simulated hardware.
///
/// # Safety
///
/// Called by the PWM core with a test chip, one of its channels and valid
/// op arguments, as for any driver op.
unsafe extern "C" fn test_apply(
    chip: *mut bindings::pwm_chip,
    pwm: *mut bindings::pwm_device,
    state: *const bindings::pwm_state,
) -> c_int {
    // SAFETY: As for `test_request`; `state` is valid for the call.
    let (hw, ch, state) = unsafe {
        let (hw, ch) = hw_of(chip, pwm);
        (hw, ch, &*state)
    };
    op(hw, &hw.calls.apply, || {
        hw.delay();
        hw.meet_partner();
        let (mut period, mut duty) = (state.period, state.duty_cycle);
        if hw.quirk(QUIRK_PERIOD_UP) {
            period += hw.tick();
        }
        if hw.quirk(QUIRK_DUTY_UP) {
            duty += hw.tick();
        }
        if hw.quirk(QUIRK_DUTY_DRIFTS) {
            duty = duty.saturating_sub(hw.tick());
        }
        ch.period.store(period, Ordering::Relaxed);
        ch.duty.store(duty, Ordering::Relaxed);
        ch.offset.store(0, Ordering::Relaxed);
        ch.inversed.store(
            state.polarity == bindings::pwm_polarity_PWM_POLARITY_INVERSED,
            Ordering::Relaxed,
        );
        ch.enabled.store(state.enabled, Ordering::Relaxed);
        0
    })
}

/// `get_state` of the test ops: reads the simulated hardware.
///
/// # Safety
///
/// Called by the PWM core with a test chip, one of its channels and valid
/// op arguments, as for any driver op.
unsafe extern "C" fn test_get_state(
    chip: *mut bindings::pwm_chip,
    pwm: *mut bindings::pwm_device,
    state: *mut bindings::pwm_state,
) -> c_int {
    // SAFETY: As for `test_request`; `state` is valid for writes.
    let (hw, ch, state) = unsafe {
        let (hw, ch) = hw_of(chip, pwm);
        (hw, ch, &mut *state)
    };
    op(hw, &hw.calls.get_state, || {
        state.period = ch.period.load(Ordering::Relaxed);
        state.duty_cycle = ch.duty.load(Ordering::Relaxed);
        state.polarity = if ch.inversed.load(Ordering::Relaxed) {
            bindings::pwm_polarity_PWM_POLARITY_INVERSED
        } else {
            bindings::pwm_polarity_PWM_POLARITY_NORMAL
        };
        state.enabled = ch.enabled.load(Ordering::Relaxed);
        0
    })
}

fn ticks(ns: u64, tick: u64) -> u32 {
    u32::try_from(ns / tick).unwrap_or(u32::MAX)
}

/// Rounds down to whole ticks; a non-zero period below one tick becomes one
/// tick (rounded up: returns 1). The offset stays below the period.
///
/// # Safety
///
/// Called by the PWM core with a test chip, one of its channels and valid
/// op arguments, as for any driver op.
unsafe extern "C" fn test_round_tohw(
    chip: *mut bindings::pwm_chip,
    pwm: *mut bindings::pwm_device,
    wf: *const bindings::pwm_waveform,
    wfhw: *mut c_void,
) -> c_int {
    // SAFETY: As for `test_request`; `wf` is valid and `wfhw` has room for a `WfHw`
    // (`sizeof_wfhw`).
    let (hw, wf, out) = unsafe {
        let (hw, _) = hw_of(chip, pwm);
        (hw, &*wf, &mut *wfhw.cast::<WfHw>())
    };
    op(hw, &hw.calls.tohw, || {
        let tick = hw.tick();
        *out = WfHw::default();
        if wf.period_length_ns == 0 {
            return 0;
        }
        let mut ret = 0;
        out.period = ticks(wf.period_length_ns, tick);
        if out.period == 0 {
            out.period = 1;
            ret = 1;
        }
        out.duty = ticks(wf.duty_length_ns, tick).min(out.period);
        out.offset = ticks(wf.duty_offset_ns, tick).min(out.period - 1);
        if hw.quirk(QUIRK_TOHW_ROUNDS_UP) {
            out.period += 1;
        }
        if hw.quirk(QUIRK_TOHW_RETURNS_2) {
            return 2;
        }
        ret
    })
}

/// `round_waveform_fromhw` of the test ops: ticks to nanoseconds.
///
/// # Safety
///
/// Called by the PWM core with a test chip, one of its channels and valid
/// op arguments, as for any driver op.
unsafe extern "C" fn test_round_fromhw(
    chip: *mut bindings::pwm_chip,
    pwm: *mut bindings::pwm_device,
    wfhw: *const c_void,
    wf: *mut bindings::pwm_waveform,
) -> c_int {
    // SAFETY: As for `test_round_tohw`; `wf` is valid for writes.
    let (hw, input, wf) = unsafe {
        let (hw, _) = hw_of(chip, pwm);
        (hw, *wfhw.cast::<WfHw>(), &mut *wf)
    };
    op(hw, &hw.calls.fromhw, || {
        let tick = hw.tick();
        wf.period_length_ns = u64::from(input.period) * tick;
        wf.duty_length_ns = u64::from(input.duty) * tick;
        wf.duty_offset_ns = u64::from(input.offset) * tick;
        0
    })
}

/// `read_waveform` of the test ops: reads the simulated hardware in ticks.
///
/// # Safety
///
/// Called by the PWM core with a test chip, one of its channels and valid
/// op arguments, as for any driver op.
unsafe extern "C" fn test_read_waveform(
    chip: *mut bindings::pwm_chip,
    pwm: *mut bindings::pwm_device,
    wfhw: *mut c_void,
) -> c_int {
    // SAFETY: As for `test_round_tohw`.
    let (hw, ch, out) = unsafe {
        let (hw, ch) = hw_of(chip, pwm);
        (hw, ch, &mut *wfhw.cast::<WfHw>())
    };
    op(hw, &hw.calls.read, || {
        let tick = hw.tick();
        *out = WfHw::default();
        if ch.enabled.load(Ordering::Relaxed) {
            out.period = ticks(ch.period.load(Ordering::Relaxed), tick);
            out.duty = ticks(ch.duty.load(Ordering::Relaxed), tick);
            out.offset = ticks(ch.offset.load(Ordering::Relaxed), tick);
        }
        0
    })
}

/// `write_waveform` of the test ops: writes ticks to the simulated hardware.
///
/// # Safety
///
/// Called by the PWM core with a test chip, one of its channels and valid
/// op arguments, as for any driver op.
unsafe extern "C" fn test_write_waveform(
    chip: *mut bindings::pwm_chip,
    pwm: *mut bindings::pwm_device,
    wfhw: *const c_void,
) -> c_int {
    // SAFETY: As for `test_round_tohw`.
    let (hw, ch, input) = unsafe {
        let (hw, ch) = hw_of(chip, pwm);
        (hw, ch, *wfhw.cast::<WfHw>())
    };
    op(hw, &hw.calls.write, || {
        hw.delay();
        let tick = hw.tick();
        ch.period
            .store(u64::from(input.period) * tick, Ordering::Relaxed);
        let duty = if hw.quirk(QUIRK_WRITE_DIFFERS) {
            input.duty.saturating_sub(1)
        } else {
            input.duty
        };
        ch.duty.store(u64::from(duty) * tick, Ordering::Relaxed);
        ch.offset
            .store(u64::from(input.offset) * tick, Ordering::Relaxed);
        ch.inversed.store(false, Ordering::Relaxed);
        ch.enabled.store(input.period != 0, Ordering::Relaxed);
        0
    })
}

const NO_OPS: bindings::pwm_ops = bindings::pwm_ops {
    request: None,
    free: None,
    capture: None,
    sizeof_wfhw: 0,
    round_waveform_tohw: None,
    round_waveform_fromhw: None,
    read_waveform: None,
    write_waveform: None,
    apply: None,
    get_state: None,
};

/// An op table with no ops at all.
pub(crate) static EMPTY_OPS: bindings::pwm_ops = NO_OPS;

/// The legacy op set (`apply`, `get_state`, `request`, `free`).
pub(crate) static LEGACY_OPS: bindings::pwm_ops = bindings::pwm_ops {
    request: Some(test_request),
    free: Some(test_free),
    apply: Some(test_apply),
    get_state: Some(test_get_state),
    ..NO_OPS
};

static LEGACY_OPS_NO_GET_STATE: bindings::pwm_ops = bindings::pwm_ops {
    get_state: None,
    ..LEGACY_OPS
};

static WAVEFORM_OPS: bindings::pwm_ops = bindings::pwm_ops {
    request: Some(test_request),
    free: Some(test_free),
    sizeof_wfhw: core::mem::size_of::<WfHw>(),
    round_waveform_tohw: Some(test_round_tohw),
    round_waveform_fromhw: Some(test_round_fromhw),
    read_waveform: Some(test_read_waveform),
    write_waveform: Some(test_write_waveform),
    ..NO_OPS
};

/// Which op set a test chip has.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `apply` and `get_state`.
    Legacy,
    /// `apply` only.
    LegacyWithoutGetState,
    /// The waveform ops, with 1000 ns ticks.
    Waveform,
}

/// A chip from `pwmchip_alloc`, with a test op set; removed (when added) and
/// put on drop.
///
/// # Invariants
///
/// `self.chip` is a chip returned by `pwmchip_alloc` whose reference this
/// object owns, with an `Hw` as driver data; `self.added` says whether it is
/// registered.
pub(crate) struct TestChip {
    pub(crate) chip: *mut bindings::pwm_chip,
    added: bool,
}

/// How a test chip's ops run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Lock {
    /// Under the chip's mutex; they may sleep.
    Sleeping,
    /// Atomic, under the chip's `spinlock_t`; they take a `spinlock_t` of
    /// their own, as C drivers do.
    Atomic,
    /// Atomic with raw-safe ops (`pwmchip_set_raw_atomic()`), under the chip's
    /// raw spinlock; they take no `spinlock_t`.
    Raw,
}

impl From<bool> for Lock {
    /// `true` for [`Lock::Atomic`], `false` for [`Lock::Sleeping`], as
    /// `chip->atomic`.
    fn from(atomic: bool) -> Self {
        if atomic {
            Self::Atomic
        } else {
            Self::Sleeping
        }
    }
}

impl TestChip {
    /// Allocates a chip without ops.
    pub(crate) fn alloc(parent: &TestDevice, npwm: u32) -> Result<Self> {
        Self::alloc_on(parent.dev(), npwm)
    }

    /// Allocates a chip without ops for a parent device given by pointer,
    /// which must stay alive until the chip is dropped.
    pub(crate) fn alloc_on(parent: *mut bindings::device, npwm: u32) -> Result<Self> {
        // SAFETY: Callers keep `parent` alive until they drop the chip.
        let chip = unsafe { bindings::pwmchip_alloc(parent, npwm, core::mem::size_of::<Hw>()) };
        // INVARIANT: A non-error return is a chip with one reference for us; its private
        // area is zeroed, a valid `Hw`.
        Ok(Self {
            chip: from_err_ptr(chip)?,
            added: false,
        })
    }

    /// Allocates a chip of `kind` whose ops run as `lock` says, and registers it.
    pub(crate) fn new(
        parent: &TestDevice,
        npwm: u32,
        kind: Kind,
        lock: impl Into<Lock>,
    ) -> Result<Self> {
        Self::new_on(parent.dev(), npwm, kind, lock)
    }

    /// [`Self::new`] for a parent device given by pointer, which must stay
    /// alive until the chip is dropped.
    pub(crate) fn new_on(
        parent: *mut bindings::device,
        npwm: u32,
        kind: Kind,
        lock: impl Into<Lock>,
    ) -> Result<Self> {
        Self::new_owned(parent, npwm, kind, lock, ptr::null_mut())
    }

    /// [`Self::new_on`], registered on behalf of `owner`, which must outlive
    /// every reference the core takes on it.
    pub(crate) fn new_owned(
        parent: *mut bindings::device,
        npwm: u32,
        kind: Kind,
        lock: impl Into<Lock>,
        owner: *mut bindings::module,
    ) -> Result<Self> {
        let lock = lock.into();
        let mut chip = Self::alloc_on(parent, npwm)?;
        chip.set_ops(match kind {
            Kind::Legacy => &LEGACY_OPS,
            Kind::LegacyWithoutGetState => &LEGACY_OPS_NO_GET_STATE,
            Kind::Waveform => &WAVEFORM_OPS,
        });
        chip.hw().tick_ns.store(1000, Ordering::Relaxed);
        // SAFETY: Not registered yet; drivers set `atomic` before registering.
        unsafe { (*chip.chip).atomic = lock != Lock::Sleeping };
        if lock == Lock::Raw {
            chip.hw().raw.store(true, Ordering::Relaxed);
            // With the C core, `pwmchip_set_raw_atomic()` is an inline that only sets `atomic`.
            #[cfg(CONFIG_PWM_RUST_CORE)]
            // SAFETY: The chip is from `pwmchip_alloc` and not registered yet; its ops take
            // no `spinlock_t` once `raw` is set.
            unsafe {
                bindings::pwmchip_set_raw_atomic(chip.chip)
            };
        }
        // SAFETY: By the type invariant the chip is live; the caller keeps `owner` alive.
        to_result(unsafe { bindings::__pwmchip_add(chip.chip, owner) })?;
        chip.added = true;
        Ok(chip)
    }

    pub(crate) fn set_ops(&self, ops: &'static bindings::pwm_ops) {
        // SAFETY: By the type invariant the chip is live; drivers set `ops` before
        // registration, which is when the core reads it.
        unsafe { (*self.chip).ops = ops };
    }

    pub(crate) fn add(&mut self) -> Result {
        // SAFETY: By the type invariant the chip is live. Built-in code has no module.
        to_result(unsafe { bindings::__pwmchip_add(self.chip, ptr::null_mut()) })?;
        self.added = true;
        Ok(())
    }

    /// Records that the chip was removed by other means (another thread
    /// called `pwmchip_remove`), so that dropping it does not remove it again.
    pub(crate) fn removed_elsewhere(&mut self) {
        self.added = false;
    }

    /// Removes the chip now, as its driver's unbind would.
    pub(crate) fn remove(&mut self) {
        if self.added {
            // SAFETY: By the type invariant the chip is live and registered.
            unsafe { bindings::pwmchip_remove(self.chip) };
            self.added = false;
        }
    }

    pub(crate) fn get(&self) -> &bindings::pwm_chip {
        // SAFETY: By the type invariant the chip is live while `self` is.
        unsafe { &*self.chip }
    }

    pub(crate) fn hw(&self) -> &Hw {
        // SAFETY: By the type invariant the driver data is an `Hw`, alive as the chip is.
        unsafe { &*bindings::pwmchip_get_drvdata(self.chip).cast::<Hw>() }
    }

    /// Channel `index`, or NULL when the chip has no such channel.
    pub(crate) fn pwm(&self, index: u32) -> *mut bindings::pwm_device {
        if index >= self.get().npwm {
            return ptr::null_mut();
        }
        // SAFETY: `pwms` has `npwm` elements, checked above.
        unsafe { (*self.chip).pwms.as_mut_ptr().add(index as usize) }
    }

    /// The reference count of the chip's device.
    pub(crate) fn refs(&self) -> u32 {
        // SAFETY: By the type invariant the chip is live; the count is an aligned `atomic_t`
        // that the kernel changes only atomically.
        let count = unsafe {
            AtomicI32::from_ptr(&raw mut (*self.chip).dev.kobj.kref.refcount.refs.counter)
        };
        count.load(Ordering::Relaxed) as u32
    }
}

impl Drop for TestChip {
    fn drop(&mut self) {
        self.remove();
        // SAFETY: By the type invariant this object owns one reference.
        unsafe { bindings::pwmchip_put(self.chip) };
    }
}

/// A one-entry lookup table, added on creation and removed on drop.
///
/// # Invariants
///
/// `self.0` is in the core's lookup list until `drop`.
pub(crate) struct Lookup(Pin<KBox<[bindings::pwm_lookup; 1]>>);

impl Lookup {
    pub(crate) fn add(
        provider: &'static CStr,
        index: u32,
        dev_id: Option<&'static CStr>,
        con_id: Option<&'static CStr>,
        period: u32,
    ) -> Result<Self> {
        let entry = bindings::pwm_lookup {
            list: bindings::list_head {
                next: ptr::null_mut(),
                prev: ptr::null_mut(),
            },
            provider: provider.as_char_ptr(),
            index,
            dev_id: dev_id.map_or(ptr::null(), |s| s.as_char_ptr()),
            con_id: con_id.map_or(ptr::null(), |s| s.as_char_ptr()),
            period,
            polarity: bindings::pwm_polarity_PWM_POLARITY_NORMAL,
            module: ptr::null(),
        };
        let mut table = KBox::pin([entry], GFP_KERNEL)?;
        // SAFETY: The table is pinned, lives until `drop` removes it, and its strings are
        // static.
        unsafe { bindings::pwm_add_table(table.as_mut().get_unchecked_mut().as_mut_ptr(), 1) };
        // INVARIANT: Just added.
        Ok(Self(table))
    }
}

impl Drop for Lookup {
    fn drop(&mut self) {
        // SAFETY: By the type invariant the table is in the lookup list.
        unsafe { bindings::pwm_remove_table(self.0.as_mut().get_unchecked_mut().as_mut_ptr(), 1) };
    }
}

/// `pwm_get()` for `consumer`.
pub(crate) fn pwm_get(consumer: &TestDevice, con_id: &CStr) -> Result<*mut bindings::pwm_device> {
    // SAFETY: `consumer.dev()` is live and `con_id` is NUL-terminated and static in tests.
    from_err_ptr(unsafe { bindings::pwm_get(consumer.dev(), con_id.as_char_ptr()) })
}

/// A provider with one registered test chip and a consumer that requested
/// channel `index` of it through a lookup table (`con_id` "motor").
pub(crate) struct Setup {
    pub(crate) pwm: *mut bindings::pwm_device,
    // Dropped in this order: the lookup, the chip, the consumer, the provider.
    _lookup: Lookup,
    pub(crate) chip: TestChip,
    pub(crate) consumer: TestDevice,
    _provider: TestDevice,
}

impl Setup {
    pub(crate) fn new(kind: Kind, lock: impl Into<Lock>) -> Result<Self> {
        let provider = TestDevice::new(c"pwm-kunit-provider")?;
        let consumer = TestDevice::new(c"pwm-kunit-consumer")?;
        let chip = TestChip::new(&provider, 2, kind, lock)?;
        let lookup = Lookup::add(
            c"pwm-kunit-provider",
            1,
            Some(c"pwm-kunit-consumer"),
            Some(c"motor"),
            50000,
        )?;
        let pwm = pwm_get(&consumer, c"motor")?;
        Ok(Self {
            pwm,
            _lookup: lookup,
            chip,
            consumer,
            _provider: provider,
        })
    }

    /// The hardware channel behind `self.pwm`.
    pub(crate) fn channel(&self) -> &Channel {
        self.chip.hw().channel(1)
    }

    /// The state the core remembers for `self.pwm`.
    pub(crate) fn state(&self) -> bindings::pwm_state {
        // SAFETY: `self.pwm` is requested until `put`.
        unsafe { (*self.pwm).state }
    }

    pub(crate) fn apply(&self, state: &bindings::pwm_state) -> Result {
        // SAFETY: `self.pwm` is requested and `state` is valid.
        to_result(unsafe { bindings::pwm_apply_might_sleep(self.pwm, state) })
    }

    /// Releases the channel (a second call does nothing).
    pub(crate) fn put(&mut self) {
        if !self.pwm.is_null() {
            // SAFETY: `self.pwm` was requested by this setup and is not used afterwards.
            unsafe { bindings::pwm_put(self.pwm) };
            self.pwm = ptr::null_mut();
        }
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        self.put();
    }
}

/// The calls of a legacy `apply` (with `get_state`) that `n` applies of
/// enabled states make: with `CONFIG_PWM_DEBUG` the core reapplies what it
/// read back after each.
pub(crate) fn applies(n: u32) -> u32 {
    if cfg!(CONFIG_PWM_DEBUG) {
        2 * n
    } else {
        n
    }
}

/// What the contexts share: the channel and how often each kind applied.
#[cfg(CONFIG_PWM_RUST_CORE)]
struct Contexts {
    pwm: *mut bindings::pwm_device,
    calls: AtomicU32,
    hardirq_calls: AtomicU32,
}

/// Applies a state that differs from the last one, so the driver runs.
///
/// # Safety
///
/// `data` is a live `Contexts` whose channel is requested.
#[cfg(CONFIG_PWM_RUST_CORE)]
unsafe extern "C" fn apply_in_any_context(data: *mut c_void) -> bool {
    // SAFETY: As the caller guarantees.
    let ctx = unsafe { &*data.cast::<Contexts>() };
    let n = ctx.calls.fetch_add(1, Ordering::Relaxed);
    // SAFETY: A plain C predicate.
    if unsafe { pwm_kunit_in_hardirq() } {
        ctx.hardirq_calls.fetch_add(1, Ordering::Relaxed);
    }
    let st = state(10000, u64::from(n % 10000));
    // SAFETY: The channel is requested and belongs to an atomic chip.
    unsafe { bindings::pwm_apply_atomic(ctx.pwm, &st) == 0 }
}

/// Applies a different state to `pwm`, an atomic chip's channel, in task,
/// softirq and hard-IRQ context at once (`pwm_kunit_run_irq_test`); every
/// apply must succeed. Returns the number of applies, and of those in hard-IRQ
/// context.
#[cfg(CONFIG_PWM_RUST_CORE)]
pub(crate) fn run_in_all_contexts(pwm: *mut bindings::pwm_device) -> Result<(u32, u32)> {
    let ctx = KBox::new(
        Contexts {
            pwm,
            calls: AtomicU32::new(0),
            hardirq_calls: AtomicU32::new(0),
        },
        GFP_KERNEL,
    )?;
    // SAFETY: Only called from a KUnit case.
    let test = unsafe { bindings::kunit_get_current_test() };
    // SAFETY: `ctx` outlives the call, which stops every context before returning.
    unsafe {
        pwm_kunit_run_irq_test(
            test,
            Some(apply_in_any_context),
            10000,
            (&raw const *ctx).cast_mut().cast(),
        )
    };
    Ok((
        ctx.calls.load(Ordering::Relaxed),
        ctx.hardirq_calls.load(Ordering::Relaxed),
    ))
}

/// An enabled state with normal polarity.
pub(crate) fn state(period: u64, duty_cycle: u64) -> bindings::pwm_state {
    bindings::pwm_state {
        period,
        duty_cycle,
        polarity: bindings::pwm_polarity_PWM_POLARITY_NORMAL,
        enabled: true,
        usage_power: false,
    }
}

/// A waveform.
pub(crate) fn wf(period: u64, duty: u64, offset: u64) -> bindings::pwm_waveform {
    bindings::pwm_waveform {
        period_length_ns: period,
        duty_length_ns: duty,
        duty_offset_ns: offset,
    }
}

/// A device the overlay created, found by its node's name.
///
/// # Invariants
///
/// `self.0` is a device this object holds a reference to.
pub(crate) struct DtDevice(*mut bindings::device);

impl DtDevice {
    pub(crate) fn find(name: &CStr) -> Result<Self> {
        // SAFETY: `name` is NUL-terminated.
        let np = unsafe { bindings::of_find_node_by_name(ptr::null_mut(), name.as_char_ptr()) };
        if np.is_null() {
            return Err(ENOENT);
        }
        // SAFETY: `np` is a live node reference, dropped right after; the match function
        // compares a device's node with it.
        let dev = unsafe {
            let dev = bindings::bus_find_device(
                &raw const bindings::platform_bus_type,
                ptr::null_mut(),
                np.cast(),
                Some(bindings::device_match_of_node),
            );
            bindings::of_node_put(np);
            dev
        };
        if dev.is_null() {
            return Err(ENODEV);
        }
        // INVARIANT: `bus_find_device` took a reference.
        Ok(Self(dev))
    }

    pub(crate) fn dev(&self) -> *mut bindings::device {
        self.0
    }

    pub(crate) fn fwnode(&self) -> *mut bindings::fwnode_handle {
        // SAFETY: By the type invariant the device is alive.
        unsafe { bindings::__dev_fwnode(self.dev()) }
    }
}

impl Drop for DtDevice {
    fn drop(&mut self) {
        // SAFETY: By the type invariant this object holds a reference.
        unsafe { bindings::put_device(self.0) };
    }
}

/// The chip a provider device registered, found as its `pwmchipN` child.
///
/// # Invariants
///
/// `self.0` is the device of a `pwm_chip`, which this object holds a
/// reference to.
pub(crate) struct ChildChip(*mut bindings::device);

/// Matches a `pwmchipN` device.
///
/// # Safety
///
/// Called by `device_find_child` with a live child device.
unsafe extern "C" fn is_pwmchip(dev: *mut bindings::device, _data: *const c_void) -> c_int {
    // SAFETY: The driver core passes a live device, whose name is a C string.
    let name = unsafe { CStr::from_char_ptr(bindings::dev_name(dev)) };
    c_int::from(name.to_bytes().starts_with(b"pwmchip"))
}

impl ChildChip {
    /// The chip of `provider`, if it has one registered.
    pub(crate) fn find(provider: *mut bindings::device) -> Option<Self> {
        // SAFETY: `provider` is a live device; `is_pwmchip` only reads names.
        let dev = unsafe { bindings::device_find_child(provider, ptr::null(), Some(is_pwmchip)) };
        // INVARIANT: Only chips have `pwmchipN` devices; `device_find_child` took a reference.
        (!dev.is_null()).then_some(Self(dev))
    }

    fn chip(&self) -> *mut bindings::pwm_chip {
        // SAFETY: By the type invariant the device is embedded in a `pwm_chip`.
        unsafe { kernel::container_of!(self.0, bindings::pwm_chip, dev) }
    }

    /// Channel `index`, which must exist.
    pub(crate) fn pwm(&self, index: u32) -> *mut bindings::pwm_device {
        let chip = self.chip();
        // SAFETY: The reference keeps the chip and its channels alive.
        let npwm = unsafe { (*chip).npwm };
        assert!(index < npwm);
        // SAFETY: `index` is below `npwm`, the length of `pwms`.
        unsafe {
            (&raw mut (*chip).pwms)
                .cast::<bindings::pwm_device>()
                .add(index as usize)
        }
    }

    /// What the hardware of channel `index` runs (`pwm_get_state_hw`).
    pub(crate) fn state_hw(&self, index: u32) -> Result<bindings::pwm_state> {
        let mut state = bindings::pwm_state::default();
        // SAFETY: The channel is alive; reading its hardware is allowed to anyone.
        to_result(unsafe { bindings::pwm_get_state_hw(self.pwm(index), &mut state) })?;
        Ok(state)
    }

    /// Whether a consumer holds channel `index`.
    pub(crate) fn requested(&self, index: u32) -> bool {
        // SAFETY: The channel is alive; bit 0 of `flags` is `PWMF_REQUESTED`.
        unsafe { (*self.pwm(index)).flags & 1 != 0 }
    }
}

impl Drop for ChildChip {
    fn drop(&mut self) {
        // SAFETY: By the type invariant this object holds a reference.
        unsafe { bindings::put_device(self.0) };
    }
}

/// Whether `dev` is bound to a driver.
pub(crate) fn is_bound(dev: *mut bindings::device) -> bool {
    // SAFETY: Callers pass live devices.
    unsafe { bindings::device_is_bound(dev) }
}
