// SPDX-License-Identifier: GPL-2.0

//! Carrying out a parsed command.

use crate::args::{Cli, Command, Global, Hold};
use crate::help;
use crate::hold::Signals;
use crate::json::Json;
use crate::output;
use linux_pwm::discover::exported_channels;
use linux_pwm::{
    list_chips, open_channel, select_chip, Backend, ChipInfo, PwmChannel, Roots, Waveform,
};
use std::time::Instant;

/// Why a command failed, with what the exit code depends on.
#[derive(Debug)]
pub enum Failure {
    /// Bad command line (exit 2).
    Usage(String),
    /// A PWM error, with what it was about.
    Pwm(String, linux_pwm::Error),
    /// Anything else (exit 1).
    Other(String),
}

/// Exit codes, also listed in `--help` and the crate documentation.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// Any other error.
    pub const OTHER: u8 = 1;
    /// Bad command line.
    pub const USAGE: u8 = 2;
    /// No such chip or channel, or an ambiguous chip selector.
    pub const NO_SUCH: u8 = 3;
    /// The channel is busy.
    pub const BUSY: u8 = 4;
    /// Invalid waveform (EINVAL).
    pub const INVALID: u8 = 5;
    /// Cannot be met exactly (EDOM).
    pub const NOT_EXACT: u8 = 6;
    /// Not supported (EOPNOTSUPP).
    pub const NOT_SUPPORTED: u8 = 7;
    /// The chip is gone (ENODEV).
    pub const CHIP_GONE: u8 = 8;
    /// Permission denied.
    pub const PERMISSION: u8 = 9;
}

/// The exit code for a library error.
pub fn exit_code(err: &linux_pwm::Error) -> u8 {
    use linux_pwm::Error as E;
    match err {
        E::NoSuchChip(_) | E::NoSuchChannel { .. } | E::Ambiguous { .. } => exit::NO_SUCH,
        E::Busy => exit::BUSY,
        E::Invalid(_) => exit::INVALID,
        E::NotExact => exit::NOT_EXACT,
        E::NotSupported(_) => exit::NOT_SUPPORTED,
        E::ChipGone => exit::CHIP_GONE,
        E::Permission(_) => exit::PERMISSION,
        E::Os(_) | E::Io(_) => exit::OTHER,
    }
}

impl Failure {
    /// The process exit code.
    pub fn code(&self) -> u8 {
        match self {
            Failure::Usage(_) => exit::USAGE,
            Failure::Pwm(_, e) => exit_code(e),
            Failure::Other(_) => exit::OTHER,
        }
    }

    /// The message for stderr.
    pub fn message(&self) -> String {
        match self {
            Failure::Usage(m) => format!("{m}\nTry 'pwmctl --help'."),
            Failure::Pwm(ctx, e) => format!("{ctx}: {e}"),
            Failure::Other(m) => m.clone(),
        }
    }
}

fn roots(g: &Global) -> Roots {
    Roots {
        sysfs: g.sysfs_root.clone(),
        dev: g.dev_root.clone(),
    }
}

fn pwm<T>(ctx: &str, r: linux_pwm::Result<T>) -> Result<T, Failure> {
    r.map_err(|e| Failure::Pwm(ctx.to_string(), e))
}

/// Everything needed to address one channel.
struct Target {
    chip: ChipInfo,
    channel: Box<dyn PwmChannel>,
    ctx: String,
}

fn open(g: &Global, chip: &str, channel: u32) -> Result<Target, Failure> {
    let roots = roots(g);
    let info = pwm(chip, select_chip(&roots, chip))?;
    let ctx = format!("{} channel {channel}", info.name());
    let ch = pwm(&ctx, open_channel(&roots, &info, channel, g.backend))?;
    Ok(Target {
        chip: info,
        channel: ch,
        ctx,
    })
}

fn header(t: &Target) -> Vec<(&'static str, Json)> {
    vec![
        ("chip", Json::Num(u64::from(t.chip.number))),
        ("name", Json::str(t.chip.name())),
        ("channel", Json::Num(u64::from(t.channel.channel()))),
        ("backend", Json::str(t.channel.backend().as_str())),
    ]
}

fn prefix(t: &Target) -> String {
    format!("{} ({})", t.ctx, t.channel.backend())
}

/// Runs a command, printing its output to stdout.
pub fn run(cli: &Cli) -> Result<(), Failure> {
    let g = &cli.global;
    match &cli.command {
        Command::Help(None) => print!("{}", help::GENERAL),
        Command::Help(Some(verb)) => match help::verb(verb) {
            Some(text) => print!("{text}"),
            None => return Err(Failure::Usage(format!("no help for '{verb}'"))),
        },
        Command::List => {
            let chips = pwm("listing chips", list_chips(&roots(g)))?;
            if g.json {
                println!(
                    "{}",
                    Json::Arr(chips.iter().map(output::chip_json).collect())
                );
            } else if chips.is_empty() {
                eprintln!("no PWM chips");
            } else {
                for chip in &chips {
                    println!("{}", output::chip_line(chip));
                }
            }
        }
        Command::Info { chip } => info(g, chip)?,
        Command::Get { chip, channel } => {
            let t = open(g, chip, *channel)?;
            let wf = pwm(&t.ctx, t.channel.get())?;
            if g.json {
                let mut obj = header(&t);
                obj.push(("waveform", output::waveform_json(&wf)));
                println!("{}", Json::Obj(obj));
            } else {
                println!("{}: {}", prefix(&t), output::waveform(&wf));
            }
        }
        Command::Round {
            chip,
            channel,
            wave,
        } => {
            let t = open(g, chip, *channel)?;
            let rounded = pwm(&t.ctx, t.channel.round(wave))?;
            if g.json {
                let mut obj = header(&t);
                obj.push(("requested", output::waveform_json(wave)));
                obj.push(("rounded", output::waveform_json(&rounded)));
                println!("{}", Json::Obj(obj));
            } else {
                println!("{}: would apply {}", prefix(&t), output::waveform(&rounded));
                println!("  requested {}", output::waveform(wave));
            }
        }
        Command::Set {
            chip,
            channel,
            wave,
            exact,
            hold,
        } => set(g, chip, *channel, wave, *exact, *hold)?,
        Command::Sweep {
            chip,
            channel,
            period_ns,
            step_ns,
            exact,
        } => sweep(g, chip, *channel, *period_ns, *step_ns, *exact)?,
    }
    Ok(())
}

fn info(g: &Global, chip: &str) -> Result<(), Failure> {
    let roots = roots(g);
    let info = pwm(chip, select_chip(&roots, chip))?;
    let exported = exported_channels(&roots, &info);
    let auto = if info.has_cdev() {
        Backend::Cdev
    } else {
        Backend::Sysfs
    };
    if g.json {
        let Json::Obj(mut obj) = output::chip_json(&info) else {
            return Err(Failure::Other("internal: chip is not an object".into()));
        };
        obj.push((
            "exported",
            Json::Arr(exported.iter().map(|&c| Json::Num(u64::from(c))).collect()),
        ));
        obj.push(("auto_backend", Json::str(auto.as_str())));
        println!("{}", Json::Obj(obj));
    } else {
        println!("{}", output::chip_line(&info));
        if let Some((maj, min)) = info.devnum {
            println!("  device number: {maj}:{min}");
        }
        let list: Vec<String> = exported.iter().map(u32::to_string).collect();
        let list = if list.is_empty() {
            "none".to_string()
        } else {
            list.join(", ")
        };
        println!("  exported through sysfs: {list}");
        println!("  backend auto: {auto}");
    }
    Ok(())
}

fn set(
    g: &Global,
    chip: &str,
    channel: u32,
    wave: &Waveform,
    exact: bool,
    hold: Option<Hold>,
) -> Result<(), Failure> {
    // Block the signals before touching anything, so a Ctrl-C during
    // setup stays pending and releases the channel once set.
    let signals = match hold {
        Some(_) => Some(Signals::block().map_err(|e| Failure::Other(format!("signals: {e}")))?),
        None => None,
    };
    let mut t = open(g, chip, channel)?;
    let applied = if exact {
        pwm(&t.ctx, t.channel.set_exact(wave))?
    } else {
        pwm(&t.ctx, t.channel.set(wave))?
    };
    if g.json {
        let mut obj = header(&t);
        obj.push(("requested", output::waveform_json(wave)));
        obj.push(("applied", output::waveform_json(&applied)));
        println!("{}", Json::Obj(obj));
    } else {
        println!("{}: {}", prefix(&t), output::waveform(&applied));
        if applied != *wave {
            println!("  requested {}", output::waveform(wave));
        }
    }
    if let (Some(signals), Some(hold)) = (signals, hold) {
        let timeout = match hold {
            Hold::For(d) => {
                eprintln!("holding {} for {:?} (Ctrl-C to release)", t.ctx, d);
                Some(d)
            }
            Hold::UntilSignal => {
                eprintln!("holding {} until Ctrl-C or SIGTERM", t.ctx);
                None
            }
        };
        signals
            .wait(timeout)
            .map_err(|e| Failure::Other(format!("waiting for signals: {e}")))?;
        eprintln!("released {}", t.ctx);
    }
    Ok(())
}

fn sweep(
    g: &Global,
    chip: &str,
    channel: u32,
    period_ns: u64,
    step_ns: u64,
    exact: bool,
) -> Result<(), Failure> {
    let mut t = open(g, chip, channel)?;
    let start = Instant::now();
    let mut settings: u64 = 0;
    let mut duty: u64 = 0;
    loop {
        let wf = Waveform::new(period_ns, duty, 0);
        // Read back once, at the end.
        t.channel
            .write(&wf, exact)
            .map_err(|e| Failure::Pwm(format!("{} at duty {duty} ns", t.ctx), e))?;
        settings = settings.saturating_add(1);
        if duty == period_ns {
            break;
        }
        // The last step lands exactly on the period.
        duty = duty.saturating_add(step_ns).min(period_ns);
    }
    let elapsed = start.elapsed();
    let last = pwm(&t.ctx, t.channel.get())?;
    let elapsed_ns = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
    if g.json {
        let mut obj = header(&t);
        obj.push(("period_ns", Json::Num(period_ns)));
        obj.push(("step_ns", Json::Num(step_ns)));
        obj.push(("settings", Json::Num(settings)));
        obj.push(("elapsed_ns", Json::Num(elapsed_ns)));
        obj.push(("final", output::waveform_json(&last)));
        println!("{}", Json::Obj(obj));
    } else {
        let each_ns = elapsed_ns / settings.max(1);
        println!(
            "{}: {settings} settings in {:.3} s ({each_ns} ns each)",
            prefix(&t),
            elapsed.as_secs_f64()
        );
        println!("  final {}", output::waveform(&last));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_distinct_per_class() {
        use linux_pwm::Error as E;
        let cases = [
            (E::NoSuchChip("x".into()), 3),
            (
                E::NoSuchChannel {
                    channel: 1,
                    npwm: 1,
                },
                3,
            ),
            (
                E::Ambiguous {
                    selector: "x".into(),
                    candidates: vec![],
                },
                3,
            ),
            (E::Busy, 4),
            (E::Invalid("x"), 5),
            (E::NotExact, 6),
            (E::NotSupported("x"), 7),
            (E::ChipGone, 8),
            (E::Permission("x".into()), 9),
            (E::Os(libc::ENOTTY), 1),
        ];
        for (err, code) in cases {
            assert_eq!(exit_code(&err), code, "{err}");
        }
        assert_eq!(Failure::Usage("x".into()).code(), 2);
        assert_eq!(Failure::Other("x".into()).code(), 1);
    }
}
