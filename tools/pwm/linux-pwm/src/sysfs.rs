// SPDX-License-Identifier: GPL-2.0

//! The sysfs backend, for chips without a character device (older kernels)
//! or by choice: `pwmchipN/export`, then `pwmM/{period,duty_cycle,polarity,
//! enable}`. Each write is applied by the kernel at once and must leave a
//! valid state, so the order of writes matters (see [`plan_writes`]).

use crate::channel::{Backend, PwmChannel};
use crate::discover::{ChipInfo, Roots};
use crate::error::{Error, Result};
use crate::waveform::{Polarity, State, Waveform};
use std::cell::Cell;
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

/// How long [`SysfsChannel::open`] waits for an exported channel's files
/// to appear and become writable (udev may fix permissions late).
pub const EXPORT_TIMEOUT: Duration = Duration::from_secs(1);
const POLL: Duration = Duration::from_millis(5);

/// One writable attribute of an exported channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attr {
    /// `period`.
    Period,
    /// `duty_cycle`.
    Duty,
    /// `polarity`.
    Polarity,
    /// `enable`.
    Enable,
}

impl Attr {
    /// The attribute's file name.
    pub fn file(self) -> &'static str {
        match self {
            Attr::Period => "period",
            Attr::Duty => "duty_cycle",
            Attr::Polarity => "polarity",
            Attr::Enable => "enable",
        }
    }
}

/// The writes that take `current` to `target` with `duty <= period` after
/// every one: a growing period is written before the duty, a period below
/// the current duty after it. Polarity changes only while disabled (many
/// drivers refuse otherwise), so an enabled channel is disabled first and
/// re-enabled last. A disabled target only clears `enable`.
pub fn plan_writes(current: &State, target: &State) -> Vec<(Attr, String)> {
    let mut plan = Vec::new();
    if !target.enabled {
        if current.enabled {
            plan.push((Attr::Enable, "0".to_string()));
        }
        return plan;
    }
    let mut enabled = current.enabled;
    if target.polarity != current.polarity {
        if enabled {
            plan.push((Attr::Enable, "0".to_string()));
            enabled = false;
        }
        plan.push((Attr::Polarity, target.polarity.as_sysfs().to_string()));
    }
    let period = (target.period_ns != current.period_ns)
        .then(|| (Attr::Period, target.period_ns.to_string()));
    let duty =
        (target.duty_ns != current.duty_ns).then(|| (Attr::Duty, target.duty_ns.to_string()));
    if target.period_ns >= current.duty_ns {
        plan.extend(period);
        plan.extend(duty);
    } else {
        // The new period is below the current duty: shrink the duty first.
        plan.extend(duty);
        plan.extend(period);
    }
    if !enabled {
        plan.push((Attr::Enable, "1".to_string()));
    }
    plan
}

/// An exported channel driven through sysfs. Unexports on drop only if it
/// exported the channel itself. Sysfs has no ownership: a channel that was
/// already exported is used as it is, shared with whoever exported it.
#[derive(Debug)]
pub struct SysfsChannel {
    chip_dir: PathBuf,
    dir: PathBuf,
    hwpwm: u32,
    exported_here: bool,
    /// The state last read, so a series of sets (a sweep) need not read
    /// it before each write; a stale one is detected by the kernel
    /// refusing a write, and then read afresh.
    known: Cell<Option<State>>,
    /// Every attribute write, for tests to check the order.
    #[cfg(test)]
    log: Vec<(Attr, String)>,
}

fn write_file(path: &Path, value: &str) -> io::Result<()> {
    // One write() call: sysfs takes the value from a single write.
    let mut f = OpenOptions::new().write(true).truncate(true).open(path)?;
    f.write_all(value.as_bytes())
}

impl SysfsChannel {
    /// Exports `channel` of `chip` if it is not exported yet and waits up
    /// to [`EXPORT_TIMEOUT`] for its files.
    pub fn open(roots: &Roots, chip: &ChipInfo, channel: u32) -> Result<SysfsChannel> {
        SysfsChannel::open_with_timeout(roots, chip, channel, EXPORT_TIMEOUT)
    }

    /// [`SysfsChannel::open`] with a chosen wait for the files.
    pub fn open_with_timeout(
        roots: &Roots,
        chip: &ChipInfo,
        channel: u32,
        timeout: Duration,
    ) -> Result<SysfsChannel> {
        if channel >= chip.npwm {
            return Err(Error::NoSuchChannel {
                channel,
                npwm: chip.npwm,
            });
        }
        let chip_dir = roots.chip_dir(chip.number);
        let dir = chip_dir.join(format!("pwm{channel}"));
        let mut exported_here = false;
        if !dir.is_dir() {
            let export = chip_dir.join("export");
            write_file(&export, &channel.to_string()).map_err(|e| match e.raw_os_error() {
                Some(libc::EINVAL) => Error::NoSuchChannel {
                    channel,
                    npwm: chip.npwm,
                },
                _ => Error::from_io(e, &export),
            })?;
            exported_here = true;
        }
        // From here on, drop unexports what was exported.
        let ch = SysfsChannel {
            chip_dir,
            dir,
            hwpwm: channel,
            exported_here,
            known: Cell::new(None),
            #[cfg(test)]
            log: Vec::new(),
        };
        ch.wait_ready(timeout)?;
        Ok(ch)
    }

    /// Waits for the attribute files to exist and be writable.
    fn wait_ready(&self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            let mut pending = None;
            for attr in [Attr::Period, Attr::Duty, Attr::Polarity, Attr::Enable] {
                let path = self.dir.join(attr.file());
                // Opening for write without truncating changes nothing.
                if let Err(e) = OpenOptions::new().write(true).open(&path) {
                    match e.kind() {
                        io::ErrorKind::NotFound | io::ErrorKind::PermissionDenied => {
                            pending = Some((e, path));
                            break;
                        }
                        _ => return Err(Error::from_io(e, &path)),
                    }
                }
            }
            let Some((err, path)) = pending else {
                return Ok(());
            };
            if Instant::now() >= deadline {
                return Err(match err.kind() {
                    io::ErrorKind::PermissionDenied => {
                        Error::Permission(path.display().to_string())
                    }
                    _ => Error::Io(io::Error::new(
                        io::ErrorKind::TimedOut,
                        format!("{} did not appear in time", self.dir.display()),
                    )),
                });
            }
            thread::sleep(POLL);
        }
    }

    /// The channel's sysfs directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether this object exported the channel (and so unexports it).
    pub fn exported_here(&self) -> bool {
        self.exported_here
    }

    fn map_err(&self, e: io::Error, path: &Path) -> Error {
        match e.raw_os_error() {
            // The directory vanished: chip removed (or channel unexported).
            Some(libc::ENOENT) => Error::ChipGone,
            Some(libc::EINVAL) => Error::Invalid("rejected by the kernel"),
            _ => Error::from_io(e, path),
        }
    }

    fn read_attr(&self, name: &str) -> Result<String> {
        let path = self.dir.join(name);
        fs::read_to_string(&path)
            .map(|s| s.trim().to_string())
            .map_err(|e| self.map_err(e, &path))
    }

    fn read_u64(&self, name: &str) -> Result<u64> {
        let text = self.read_attr(name)?;
        text.parse().map_err(|_| {
            Error::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}/{name}: not a number: {text:?}", self.dir.display()),
            ))
        })
    }

    /// The legacy state as the files show it.
    pub fn state(&self) -> Result<State> {
        let polarity_text = self.read_attr("polarity")?;
        let polarity = Polarity::from_sysfs(&polarity_text).ok_or_else(|| {
            Error::Io(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unknown polarity {polarity_text:?}"),
            ))
        })?;
        let state = State {
            enabled: self.read_u64("enable")? != 0,
            period_ns: self.read_u64("period")?,
            duty_ns: self.read_u64("duty_cycle")?,
            polarity,
        };
        self.known.set(Some(state));
        Ok(state)
    }

    fn apply(&mut self, current: &State, target: &State) -> Result<()> {
        for (attr, value) in plan_writes(current, target) {
            self.write_attr(attr, &value)?;
        }
        Ok(())
    }

    fn write_attr(&mut self, attr: Attr, value: &str) -> Result<()> {
        #[cfg(test)]
        self.log.push((attr, value.to_string()));
        let path = self.dir.join(attr.file());
        write_file(&path, value).map_err(|e| match (attr, e.raw_os_error()) {
            (Attr::Polarity, Some(libc::EINVAL | libc::EOPNOTSUPP | 524)) => {
                Error::NotSupported("this chip cannot change polarity")
            }
            _ => self.map_err(e, &path),
        })
    }
}

impl PwmChannel for SysfsChannel {
    fn channel(&self) -> u32 {
        self.hwpwm
    }

    fn backend(&self) -> Backend {
        Backend::Sysfs
    }

    /// Sysfs cannot ask the driver without applying: always
    /// [`Error::NotSupported`].
    fn round(&self, _wf: &Waveform) -> Result<Waveform> {
        Err(Error::NotSupported(
            "rounding needs the character device (sysfs cannot ask without applying)",
        ))
    }

    fn get(&self) -> Result<Waveform> {
        Ok(self.state()?.to_waveform())
    }

    /// Writes the legacy state the waveform maps to (see
    /// [`Waveform::to_state`]) and reports the state read back, so an
    /// offset the state cannot express shows up rounded.
    fn set(&mut self, wf: &Waveform) -> Result<Waveform> {
        self.write_state(wf)?;
        self.get()
    }

    /// Fails with [`Error::NotExact`] before writing anything when the
    /// legacy state cannot express `wf`; else sets it and fails with
    /// [`Error::NotExact`] if the state read back differs (the hardware is
    /// then already changed).
    fn set_exact(&mut self, wf: &Waveform) -> Result<Waveform> {
        wf.validate()?;
        if !wf.is_state_exact() {
            return Err(Error::NotExact);
        }
        let applied = self.set(wf)?;
        if applied != *wf {
            return Err(Error::NotExact);
        }
        Ok(applied)
    }

    /// Writes without reading back; with `exact`, as
    /// [`PwmChannel::set_exact`], which needs the read-back.
    fn write(&mut self, wf: &Waveform, exact: bool) -> Result<()> {
        if exact {
            return self.set_exact(wf).map(|_| ());
        }
        self.write_state(wf)
    }
}

impl SysfsChannel {
    /// Writes the state that produces `wf`, planned from the state last
    /// read or written; remembers what the attributes show afterwards.
    fn write_state(&mut self, wf: &Waveform) -> Result<()> {
        wf.validate()?;
        let target = wf.to_state();
        match self.known.take() {
            Some(cached) => match self.apply(&cached, &target) {
                // Someone else changed the state: plan again from it.
                Err(Error::Invalid(_)) => {
                    let current = self.state()?;
                    self.apply(&current, &target)?;
                }
                other => other?,
            },
            None => {
                let current = self.state()?;
                self.apply(&current, &target)?;
            }
        }
        // The attributes show what was written; disabling writes `enable`
        // alone, so the other values are then not known.
        if target.enabled {
            self.known.set(Some(target));
        }
        Ok(())
    }
}

impl Drop for SysfsChannel {
    fn drop(&mut self) {
        if self.exported_here {
            // Nothing to do about a failure here.
            let _ = write_file(&self.chip_dir.join("unexport"), &self.hwpwm.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::discover::chip_info;
    use crate::fake::{FakeChip, FakeTree, KernelOptions};
    use std::error::Error as StdError;

    type TestResult = std::result::Result<(), Box<dyn StdError>>;

    /// Applies writes the way a strict kernel would, failing on any step
    /// that leaves duty > period, enables a zero period, or changes
    /// polarity while enabled.
    fn apply(mut s: State, writes: &[(Attr, String)]) -> std::result::Result<State, String> {
        for (attr, value) in writes {
            let mut next = s;
            match attr {
                Attr::Period => next.period_ns = value.parse().map_err(|_| "period")?,
                Attr::Duty => next.duty_ns = value.parse().map_err(|_| "duty")?,
                Attr::Enable => next.enabled = value == "1",
                Attr::Polarity => {
                    if s.enabled {
                        return Err(format!("polarity changed while enabled: {writes:?}"));
                    }
                    next.polarity = Polarity::from_sysfs(value).ok_or("polarity")?;
                }
            }
            if next.duty_ns > next.period_ns {
                return Err(format!(
                    "duty > period after {attr:?}={value} in {writes:?}"
                ));
            }
            if next.enabled && next.period_ns == 0 {
                return Err(format!("enabled with period 0 in {writes:?}"));
            }
            s = next;
        }
        Ok(s)
    }

    fn states() -> Vec<State> {
        let mut all = vec![State::default()];
        for enabled in [false, true] {
            for polarity in [Polarity::Normal, Polarity::Inversed] {
                for (period_ns, duty_ns) in [
                    (1, 0),
                    (1, 1),
                    (100, 0),
                    (100, 50),
                    (100, 100),
                    (1000, 900),
                    (50, 49),
                ] {
                    all.push(State {
                        enabled,
                        period_ns,
                        duty_ns,
                        polarity,
                    });
                }
            }
        }
        all
    }

    #[test]
    fn every_plan_keeps_duty_within_period_and_reaches_the_target() -> TestResult {
        for current in states() {
            for target in states() {
                let plan = plan_writes(&current, &target);
                let reached = apply(current, &plan)?;
                if target.enabled {
                    assert_eq!(reached, target, "{current:?} -> {target:?}: {plan:?}");
                } else {
                    assert!(!reached.enabled);
                }
            }
        }
        Ok(())
    }

    #[test]
    fn plans_are_minimal() {
        let on = State {
            enabled: true,
            period_ns: 100,
            duty_ns: 50,
            polarity: Polarity::Normal,
        };
        assert!(plan_writes(&on, &on).is_empty());
        let duty_only = State { duty_ns: 60, ..on };
        assert_eq!(
            plan_writes(&on, &duty_only),
            [(Attr::Duty, "60".to_string())]
        );
        let off = State::default();
        assert_eq!(plan_writes(&on, &off), [(Attr::Enable, "0".to_string())]);
        assert!(plan_writes(&off, &off).is_empty());
    }

    fn tree_with_kernel(
        tag: &str,
        opts: KernelOptions,
    ) -> std::result::Result<FakeTree, Box<dyn StdError>> {
        let mut tree = FakeTree::new(tag)?;
        tree.add_chip(&FakeChip::new(0, 2).no_cdev())?;
        tree.start_kernel(opts);
        Ok(tree)
    }

    fn wait_for(cond: impl Fn() -> bool) -> bool {
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if cond() {
                return true;
            }
            thread::sleep(Duration::from_millis(2));
        }
        false
    }

    #[test]
    fn exports_sets_reads_back_and_unexports() -> TestResult {
        let tree = tree_with_kernel(
            "sysfs-export",
            KernelOptions {
                export_delay: Duration::from_millis(30),
                udev_delay: Some(Duration::from_millis(30)),
            },
        )?;
        let roots = tree.roots();
        let chip = chip_info(&roots, 0)?;
        let mut ch = SysfsChannel::open(&roots, &chip, 1)?;
        assert!(ch.exported_here());
        assert_eq!(ch.get()?, Waveform::disabled());

        let steps = [
            Waveform::new(1000, 900, 0),
            Waveform::new(100, 50, 0),
            Waveform::new(2000, 1500, 0),
            // The exact inverse: inversed polarity.
            Waveform::new(2000, 500, 1500),
            Waveform::new(300, 300, 0),
            Waveform::new(100, 10, 90),
            Waveform::disabled(),
            Waveform::new(50_000, 12_500, 0),
        ];
        for wf in steps {
            assert_eq!(ch.set(&wf)?, wf);
            assert_eq!(ch.get()?, wf);
        }
        assert_eq!(tree.attr(0, 1, "period")?, "50000");
        assert_eq!(tree.attr(0, 1, "duty_cycle")?, "12500");
        assert_eq!(tree.attr(0, 1, "polarity")?, "normal");
        assert_eq!(tree.attr(0, 1, "enable")?, "1");
        // Replay everything written through the strict kernel model.
        apply(State::default(), &ch.log)?;

        drop(ch);
        assert!(
            wait_for(|| !tree.channel_dir(0, 1).exists()),
            "not unexported"
        );
        Ok(())
    }

    #[test]
    fn writes_without_read_back_plan_from_what_they_wrote() -> TestResult {
        let tree = tree_with_kernel("sysfs-write", KernelOptions::default())?;
        let roots = tree.roots();
        let chip = chip_info(&roots, 0)?;
        let mut ch = SysfsChannel::open(&roots, &chip, 0)?;
        let steps = [
            Waveform::new(1000, 900, 0),
            Waveform::new(100, 50, 0),
            Waveform::new(2000, 500, 1500),
            Waveform::disabled(),
            Waveform::new(300, 30, 0),
            Waveform::new(300, 300, 0),
        ];
        for wf in steps {
            ch.write(&wf, false)?;
        }
        assert_eq!(ch.get()?, Waveform::new(300, 300, 0));
        // Each setting wrote only what changed, in a valid order.
        apply(State::default(), &ch.log)?;
        let duty_writes = ch.log.iter().filter(|(a, _)| *a == Attr::Duty).count();
        assert_eq!(duty_writes, 5);
        Ok(())
    }

    #[test]
    fn polarity_mapping_and_offset_rounding() -> TestResult {
        let tree = tree_with_kernel("sysfs-polarity", KernelOptions::default())?;
        let roots = tree.roots();
        let chip = chip_info(&roots, 0)?;
        let mut ch = SysfsChannel::open(&roots, &chip, 0)?;
        ch.set(&Waveform::new(100, 30, 70))?;
        assert_eq!(tree.attr(0, 0, "polarity")?, "inversed");
        assert_eq!(tree.attr(0, 0, "duty_cycle")?, "70");
        // An offset the state cannot express is dropped, and reported.
        assert_eq!(
            ch.set(&Waveform::new(100, 30, 10))?,
            Waveform::new(100, 30, 0)
        );
        assert_eq!(tree.attr(0, 0, "polarity")?, "normal");
        // Wrapping past the period end: offset moves to period - duty.
        assert_eq!(
            ch.set(&Waveform::new(100, 30, 80))?,
            Waveform::new(100, 30, 70)
        );
        apply(State::default(), &ch.log)?;

        // Exact: refused before any write.
        let writes = ch.log.len();
        assert!(matches!(
            ch.set_exact(&Waveform::new(100, 30, 10)),
            Err(Error::NotExact)
        ));
        assert_eq!(ch.log.len(), writes);
        assert_eq!(
            ch.set_exact(&Waveform::new(100, 40, 0))?,
            Waveform::new(100, 40, 0)
        );
        // Invalid waveforms are refused before any write.
        assert!(matches!(
            ch.set(&Waveform::new(100, 101, 0)),
            Err(Error::Invalid(_))
        ));
        assert!(matches!(
            ch.round(&Waveform::new(100, 1, 0)),
            Err(Error::NotSupported(_))
        ));
        Ok(())
    }

    #[test]
    fn leaves_a_channel_exported_by_someone_else() -> TestResult {
        let tree = FakeTree::new("sysfs-preexported")?;
        tree.add_chip(&FakeChip::new(0, 2))?;
        tree.create_channel(0, 0)?;
        tree.set_attr(0, 0, "period", "1000")?;
        tree.set_attr(0, 0, "duty_cycle", "250")?;
        tree.set_attr(0, 0, "enable", "1")?;
        let chip = chip_info(&tree.roots(), 0)?;
        let ch = SysfsChannel::open(&tree.roots(), &chip, 0)?;
        assert!(!ch.exported_here());
        assert_eq!(ch.get()?, Waveform::new(1000, 250, 0));
        drop(ch);
        let chip_dir = tree.roots().chip_dir(0);
        assert_eq!(fs::read_to_string(chip_dir.join("export"))?, "");
        assert_eq!(fs::read_to_string(chip_dir.join("unexport"))?, "");
        assert!(tree.channel_dir(0, 0).is_dir());
        Ok(())
    }

    #[test]
    fn export_timeout_unexports_and_bad_channel_fails_early() -> TestResult {
        // No kernel thread: the export never materialises.
        let tree = FakeTree::new("sysfs-timeout")?;
        tree.add_chip(&FakeChip::new(0, 2))?;
        let chip = chip_info(&tree.roots(), 0)?;
        let res =
            SysfsChannel::open_with_timeout(&tree.roots(), &chip, 1, Duration::from_millis(20));
        assert!(matches!(res, Err(Error::Io(ref e)) if e.kind() == io::ErrorKind::TimedOut));
        let chip_dir = tree.roots().chip_dir(0);
        assert_eq!(fs::read_to_string(chip_dir.join("export"))?, "1");
        assert_eq!(fs::read_to_string(chip_dir.join("unexport"))?, "1");
        assert!(matches!(
            SysfsChannel::open(&tree.roots(), &chip, 2),
            Err(Error::NoSuchChannel {
                channel: 2,
                npwm: 2
            })
        ));
        Ok(())
    }

    #[test]
    fn a_stale_cached_state_is_read_again() -> TestResult {
        let tree = tree_with_kernel("sysfs-stale", KernelOptions::default())?;
        let chip = chip_info(&tree.roots(), 0)?;
        let mut ch = SysfsChannel::open(&tree.roots(), &chip, 0)?;
        ch.set(&Waveform::new(1000, 100, 0))?;
        // Someone else raises the duty behind our back.
        tree.set_attr(0, 0, "duty_cycle", "900")?;
        // The plan comes from the cached state (the fake cannot refuse a
        // write as the kernel would, which triggers a fresh read); the
        // result is read back, so it reflects the files either way.
        assert_eq!(
            ch.set(&Waveform::new(500, 50, 0))?,
            Waveform::new(500, 50, 0)
        );
        assert_eq!(tree.attr(0, 0, "duty_cycle")?, "50");
        assert_eq!(tree.attr(0, 0, "period")?, "500");
        tree.set_attr(0, 0, "enable", "0")?;
        // A disabled read back is reported as such.
        assert_eq!(ch.get()?, Waveform::disabled());
        assert_eq!(
            ch.set(&Waveform::new(500, 60, 0))?,
            Waveform::new(500, 60, 0)
        );
        Ok(())
    }

    #[test]
    fn vanished_channel_is_chip_gone() -> TestResult {
        let tree = tree_with_kernel("sysfs-gone", KernelOptions::default())?;
        let chip = chip_info(&tree.roots(), 0)?;
        let ch = SysfsChannel::open(&tree.roots(), &chip, 0)?;
        fs::remove_dir_all(tree.channel_dir(0, 0))?;
        assert!(matches!(ch.get(), Err(Error::ChipGone)));
        Ok(())
    }
}
