// SPDX-License-Identifier: GPL-2.0

//! A fake sysfs and `/dev` tree in a temporary directory, for tests of this
//! library and of programs that use it. It lays out chips the way the kernel
//! does (`class/pwm/pwmchipN` with `npwm`, `export`, `unexport`, `dev`, and a
//! `device` link to the parent with `driver`, `of_node` or `firmware_node`)
//! and can run a thread that plays the kernel's part for `export` and
//! `unexport`. Device nodes are plain files, so ioctls on them fail `ENOTTY`.

use crate::discover::{FirmwareNode, Roots};
use std::fs;
use std::io;
use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// How long the export thread runs at most, so a forgotten tree cannot
/// leave a thread spinning.
const KERNEL_LIFETIME: Duration = Duration::from_secs(120);
const POLL: Duration = Duration::from_millis(2);

/// A chip to create in a [`FakeTree`].
#[derive(Clone, Debug)]
pub struct FakeChip {
    number: u32,
    npwm: u32,
    cdev: bool,
    parent: Option<String>,
    driver: Option<String>,
    firmware: FirmwareNode,
}

impl FakeChip {
    /// `pwmchip<number>` with `npwm` channels, a character device, parent
    /// `pwm-fake.<number>`, no driver link and no firmware node.
    pub fn new(number: u32, npwm: u32) -> FakeChip {
        FakeChip {
            number,
            npwm,
            cdev: true,
            parent: Some(format!("pwm-fake.{number}")),
            driver: None,
            firmware: FirmwareNode::None,
        }
    }

    /// Sets the parent device's name.
    pub fn parent(mut self, name: &str) -> FakeChip {
        self.parent = Some(name.to_string());
        self
    }

    /// Sets the parent's driver name.
    pub fn driver(mut self, name: &str) -> FakeChip {
        self.driver = Some(name.to_string());
        self
    }

    /// Sets the parent's firmware node.
    pub fn firmware(mut self, fw: FirmwareNode) -> FakeChip {
        self.firmware = fw;
        self
    }

    /// Leaves out the character device (no `dev` file, no node).
    pub fn no_cdev(mut self) -> FakeChip {
        self.cdev = false;
        self
    }
}

/// Options for the thread that emulates `export` and `unexport`.
#[derive(Clone, Copy, Debug, Default)]
pub struct KernelOptions {
    /// Delay before an exported channel's directory appears.
    pub export_delay: Duration,
    /// If set, the channel's files appear read-only and become writable
    /// after this delay, as when udev fixes permissions late.
    pub udev_delay: Option<Duration>,
}

/// A fake tree in a unique temporary directory, removed on drop.
pub struct FakeTree {
    root: PathBuf,
    stop: Arc<AtomicBool>,
    kernel: Option<JoinHandle<()>>,
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn ignore_exists(r: io::Result<()>) -> io::Result<()> {
    match r {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        other => other,
    }
}

impl FakeTree {
    /// Creates an empty tree (`sys/` and `dev/`) named after `tag`.
    pub fn new(tag: &str) -> io::Result<FakeTree> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let root =
            std::env::temp_dir().join(format!("linux-pwm-fake-{tag}-{}-{n}", std::process::id()));
        if root.exists() {
            fs::remove_dir_all(&root)?;
        }
        fs::create_dir_all(root.join("sys"))?;
        fs::create_dir_all(root.join("dev"))?;
        Ok(FakeTree {
            root,
            stop: Arc::new(AtomicBool::new(false)),
            kernel: None,
        })
    }

    /// The roots to hand to the library.
    pub fn roots(&self) -> Roots {
        Roots {
            sysfs: self.root.join("sys"),
            dev: self.root.join("dev"),
        }
    }

    /// The tree's top directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// Adds a chip.
    pub fn add_chip(&self, chip: &FakeChip) -> io::Result<()> {
        let roots = self.roots();
        let sys = &roots.sysfs;
        let dir = roots.chip_dir(chip.number);
        fs::create_dir_all(&dir)?;
        fs::write(dir.join("npwm"), format!("{}\n", chip.npwm))?;
        fs::write(dir.join("export"), "")?;
        fs::write(dir.join("unexport"), "")?;
        if chip.cdev {
            fs::write(dir.join("dev"), format!("254:{}\n", chip.number))?;
            fs::write(roots.node_path(chip.number), "")?;
        }
        let Some(parent) = &chip.parent else {
            return Ok(());
        };
        let pdir = sys.join("devices").join(parent);
        fs::create_dir_all(&pdir)?;
        ignore_exists(symlink(
            format!("../../../devices/{parent}"),
            dir.join("device"),
        ))?;
        if let Some(driver) = &chip.driver {
            fs::create_dir_all(sys.join("bus/platform/drivers").join(driver))?;
            ignore_exists(symlink(
                format!("../../bus/platform/drivers/{driver}"),
                pdir.join("driver"),
            ))?;
        }
        match &chip.firmware {
            FirmwareNode::Dt(path) => {
                let rel = path.trim_start_matches('/');
                fs::create_dir_all(sys.join("firmware/devicetree/base").join(rel))?;
                let target = if rel.is_empty() {
                    "../../firmware/devicetree/base".to_string()
                } else {
                    format!("../../firmware/devicetree/base/{rel}")
                };
                ignore_exists(symlink(target, pdir.join("of_node")))?;
            }
            FirmwareNode::Acpi { name, path } => {
                let adir = sys.join("devices/LNXSYSTM:00").join(name);
                fs::create_dir_all(&adir)?;
                if let Some(p) = path {
                    fs::write(adir.join("path"), format!("{p}\n"))?;
                }
                ignore_exists(symlink(
                    format!("../LNXSYSTM:00/{name}"),
                    pdir.join("firmware_node"),
                ))?;
            }
            FirmwareNode::None => {}
        }
        Ok(())
    }

    /// Creates `pwmchipC/pwmN/` with a disabled state, as if someone had
    /// exported the channel already.
    pub fn create_channel(&self, chip: u32, channel: u32) -> io::Result<()> {
        create_channel_dir(&self.roots().chip_dir(chip), channel, 0o644)
    }

    /// Reads a channel attribute, trimmed.
    pub fn attr(&self, chip: u32, channel: u32, name: &str) -> io::Result<String> {
        let path = self.channel_dir(chip, channel).join(name);
        Ok(fs::read_to_string(path)?.trim().to_string())
    }

    /// Writes a channel attribute directly (to set up a state).
    pub fn set_attr(&self, chip: u32, channel: u32, name: &str, value: &str) -> io::Result<()> {
        fs::write(self.channel_dir(chip, channel).join(name), value)
    }

    /// Waits (up to 2 s) until the export thread has handled every
    /// `unexport` request, since it works asynchronously where the kernel
    /// does not. Returns whether it did.
    pub fn settle(&self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(2);
        let pending = || -> bool {
            let Ok(entries) = fs::read_dir(self.roots().class_dir()) else {
                return false;
            };
            entries
                .flatten()
                .any(|e| fs::read_to_string(e.path().join("unexport")).is_ok_and(|t| !t.is_empty()))
        };
        while pending() {
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(POLL);
        }
        true
    }

    /// `sys/class/pwm/pwmchipC/pwmN`.
    pub fn channel_dir(&self, chip: u32, channel: u32) -> PathBuf {
        self.roots().chip_dir(chip).join(format!("pwm{channel}"))
    }

    /// Starts a thread that creates `pwmN/` when N is written to a chip's
    /// `export` and removes it when N is written to `unexport`.
    pub fn start_kernel(&mut self, opts: KernelOptions) {
        let class = self.roots().class_dir();
        let stop = Arc::clone(&self.stop);
        self.kernel = Some(thread::spawn(move || {
            let start = Instant::now();
            while !stop.load(Ordering::Relaxed) && start.elapsed() < KERNEL_LIFETIME {
                // Errors are ignored: the next round tries again.
                let _ = kernel_round(&class, opts);
                thread::sleep(POLL);
            }
        }));
    }
}

impl Drop for FakeTree {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.kernel.take() {
            let _ = handle.join();
        }
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn create_channel_dir(chip_dir: &Path, channel: u32, mode: u32) -> io::Result<()> {
    let dir = chip_dir.join(format!("pwm{channel}"));
    fs::create_dir_all(&dir)?;
    for (name, value) in [
        ("period", "0\n"),
        ("duty_cycle", "0\n"),
        ("polarity", "normal\n"),
        ("enable", "0\n"),
        ("capture", ""),
    ] {
        let path = dir.join(name);
        fs::write(&path, value)?;
        fs::set_permissions(&path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// Takes a number written to `file` and empties it.
fn take_request(file: &Path) -> io::Result<Option<u32>> {
    let text = fs::read_to_string(file)?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    fs::write(file, "")?;
    Ok(text.trim().parse().ok())
}

fn kernel_round(class: &Path, opts: KernelOptions) -> io::Result<()> {
    for entry in fs::read_dir(class)? {
        let chip_dir = entry?.path();
        if let Some(ch) = take_request(&chip_dir.join("export"))? {
            let npwm: u32 = fs::read_to_string(chip_dir.join("npwm"))?
                .trim()
                .parse()
                .unwrap_or(0);
            if ch < npwm {
                thread::sleep(opts.export_delay);
                let mode = if opts.udev_delay.is_some() {
                    0o444
                } else {
                    0o644
                };
                create_channel_dir(&chip_dir, ch, mode)?;
                if let Some(delay) = opts.udev_delay {
                    thread::sleep(delay);
                    let dir = chip_dir.join(format!("pwm{ch}"));
                    for name in ["period", "duty_cycle", "polarity", "enable"] {
                        fs::set_permissions(dir.join(name), fs::Permissions::from_mode(0o644))?;
                    }
                }
            }
        }
        // Remove first, then clear the request, so a test that sees an empty
        // `unexport` knows the directory is gone.
        let unexport = chip_dir.join("unexport");
        let text = fs::read_to_string(&unexport)?;
        if let Ok(ch) = text.trim().parse::<u32>() {
            let _ = fs::remove_dir_all(chip_dir.join(format!("pwm{ch}")));
        }
        if !text.is_empty() {
            fs::write(&unexport, "")?;
        }
    }
    Ok(())
}
