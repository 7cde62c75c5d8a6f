// SPDX-License-Identifier: GPL-2.0

//! Command-line parsing by hand: global options may appear anywhere, verb
//! options after the verb; `--opt=value` and `--opt value` both work.

use linux_pwm::units::{is_percent, parse_duration_ns, parse_frequency, parse_percent};
use linux_pwm::{Backend, Waveform};
use std::path::PathBuf;
use std::time::Duration;

/// Options that apply to every verb.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Global {
    /// `--backend`.
    pub backend: Backend,
    /// `--json`.
    pub json: bool,
    /// `--sysfs-root`.
    pub sysfs_root: PathBuf,
    /// `--dev-root`.
    pub dev_root: PathBuf,
}

impl Default for Global {
    fn default() -> Global {
        Global {
            backend: Backend::Auto,
            json: false,
            sysfs_root: PathBuf::from("/sys"),
            dev_root: PathBuf::from("/dev"),
        }
    }
}

/// How long `set --hold` keeps the channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hold {
    /// For this long, or until a signal.
    For(Duration),
    /// Until SIGINT or SIGTERM.
    UntilSignal,
}

/// What to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `help [VERB]` or `--help`.
    Help(Option<String>),
    /// `list`.
    List,
    /// `info CHIP`.
    Info {
        /// Chip selector.
        chip: String,
    },
    /// `get CHIP CH`.
    Get {
        /// Chip selector.
        chip: String,
        /// Channel index.
        channel: u32,
    },
    /// `set CHIP CH ...`.
    Set {
        /// Chip selector.
        chip: String,
        /// Channel index.
        channel: u32,
        /// The waveform asked for.
        wave: Waveform,
        /// `--exact`.
        exact: bool,
        /// `--hold`.
        hold: Option<Hold>,
    },
    /// `round CHIP CH ...`.
    Round {
        /// Chip selector.
        chip: String,
        /// Channel index.
        channel: u32,
        /// The waveform asked about.
        wave: Waveform,
    },
    /// `sweep CHIP CH --period P [--step S] [--exact]`.
    Sweep {
        /// Chip selector.
        chip: String,
        /// Channel index.
        channel: u32,
        /// The fixed period.
        period_ns: u64,
        /// The duty increment.
        step_ns: u64,
        /// `--exact`.
        exact: bool,
    },
}

/// A parsed command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cli {
    /// Global options.
    pub global: Global,
    /// The verb and its arguments.
    pub command: Command,
}

/// Verb options as given, before the verb decides what they mean.
#[derive(Default)]
struct VerbOpts {
    period: Option<String>,
    duty: Option<String>,
    offset: Option<String>,
    freq: Option<String>,
    step: Option<String>,
    disable: bool,
    exact: bool,
    hold: Option<Option<String>>,
    help: bool,
    /// Names of the options seen, to reject those a verb does not take.
    seen: Vec<&'static str>,
}

const VALUE_OPTS: [&str; 8] = [
    "backend",
    "sysfs-root",
    "dev-root",
    "period",
    "duty",
    "offset",
    "freq",
    "step",
];
const FLAG_OPTS: [&str; 5] = ["json", "disable", "exact", "help", "hold"];

fn known(name: &str) -> Option<&'static str> {
    VALUE_OPTS
        .iter()
        .chain(FLAG_OPTS.iter())
        .find(|&&o| o == name)
        .copied()
}

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Cli, String> {
    let mut global = Global::default();
    let mut opts = VerbOpts::default();
    let mut positional: Vec<String> = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        if arg == "--" {
            positional.extend(args[i..].iter().cloned());
            break;
        }
        if arg == "-h" {
            opts.help = true;
            continue;
        }
        let Some(body) = arg.strip_prefix("--") else {
            positional.push(arg.clone());
            continue;
        };
        let (name, inline) = match body.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (body, None),
        };
        let name = known(name).ok_or_else(|| format!("unknown option --{name}"))?;
        if name == "hold" {
            // The value is optional: take the next word if it is a duration.
            let value = inline.or_else(|| {
                let next = args.get(i)?;
                parse_duration_ns(next).ok()?;
                i += 1;
                Some(next.clone())
            });
            opts.hold = Some(value);
            opts.seen.push(name);
            continue;
        }
        if FLAG_OPTS.contains(&name) {
            if inline.is_some() {
                return Err(format!("--{name} takes no value"));
            }
            match name {
                "json" => global.json = true,
                "disable" => opts.disable = true,
                "exact" => opts.exact = true,
                _ => opts.help = true,
            }
            if name != "json" && name != "help" {
                opts.seen.push(name);
            }
            continue;
        }
        let value = match inline {
            Some(v) => v,
            None => {
                let v = args
                    .get(i)
                    .ok_or_else(|| format!("--{name} needs a value"))?;
                i += 1;
                v.clone()
            }
        };
        match name {
            "backend" => {
                global.backend = value
                    .parse()
                    .map_err(|_| format!("--backend must be auto, cdev or sysfs, not '{value}'"))?;
            }
            "sysfs-root" => global.sysfs_root = PathBuf::from(value),
            "dev-root" => global.dev_root = PathBuf::from(value),
            _ => {
                let slot = match name {
                    "period" => &mut opts.period,
                    "duty" => &mut opts.duty,
                    "offset" => &mut opts.offset,
                    "freq" => &mut opts.freq,
                    _ => &mut opts.step,
                };
                if slot.is_some() {
                    return Err(format!("--{name} given twice"));
                }
                *slot = Some(value);
                opts.seen.push(name);
            }
        }
    }
    let command = command(positional, opts)?;
    Ok(Cli { global, command })
}

fn command(positional: Vec<String>, opts: VerbOpts) -> Result<Command, String> {
    let mut words = positional.into_iter();
    let Some(verb) = words.next() else {
        // No verb: `--help` or nothing both show the help.
        return Ok(Command::Help(None));
    };
    let rest: Vec<String> = words.collect();
    if opts.help {
        return Ok(Command::Help(Some(verb)));
    }
    let allowed: &[&str] = match verb.as_str() {
        "help" | "list" | "info" | "get" => &[],
        "set" => &[
            "period", "duty", "offset", "freq", "disable", "exact", "hold",
        ],
        "round" => &["period", "duty", "offset", "freq", "disable"],
        "sweep" => &["period", "freq", "step", "exact"],
        _ => return Err(format!("unknown verb '{verb}'")),
    };
    if let Some(bad) = opts.seen.iter().find(|o| !allowed.contains(o)) {
        return Err(format!("--{bad} does not apply to '{verb}'"));
    }
    let want = |n: usize, shape: &str| -> Result<(), String> {
        if rest.len() == n {
            Ok(())
        } else {
            Err(format!("usage: pwmctl {verb} {shape}"))
        }
    };
    let chip_channel = |rest: &[String]| -> Result<(String, u32), String> {
        let channel = rest[1]
            .parse()
            .map_err(|_| format!("'{}' is not a channel number", rest[1]))?;
        Ok((rest[0].clone(), channel))
    };
    Ok(match verb.as_str() {
        "help" => {
            if rest.len() > 1 {
                return Err("usage: pwmctl help [VERB]".into());
            }
            Command::Help(rest.into_iter().next())
        }
        "list" => {
            want(0, "")?;
            Command::List
        }
        "info" => {
            want(1, "CHIP")?;
            Command::Info {
                chip: rest[0].clone(),
            }
        }
        "get" => {
            want(2, "CHIP CH")?;
            let (chip, channel) = chip_channel(&rest)?;
            Command::Get { chip, channel }
        }
        "set" | "round" => {
            want(
                2,
                "CHIP CH (--period P | --freq F) --duty D [--offset O] | --disable",
            )?;
            let (chip, channel) = chip_channel(&rest)?;
            let wave = waveform(&opts)?;
            if verb == "round" {
                Command::Round {
                    chip,
                    channel,
                    wave,
                }
            } else {
                let hold = match &opts.hold {
                    None => None,
                    Some(None) => Some(Hold::UntilSignal),
                    Some(Some(d)) => Some(Hold::For(Duration::from_nanos(
                        parse_duration_ns(d).map_err(|e| format!("--hold {e}"))?,
                    ))),
                };
                Command::Set {
                    chip,
                    channel,
                    wave,
                    exact: opts.exact,
                    hold,
                }
            }
        }
        _ => {
            want(2, "CHIP CH --period P [--step S] [--exact]")?;
            let (chip, channel) = chip_channel(&rest)?;
            let period_ns = period(&opts)?.ok_or("sweep needs --period (or --freq)")?;
            if period_ns == 0 {
                return Err("sweep needs a period above 0".into());
            }
            let step_ns = match &opts.step {
                Some(s) => parse_duration_ns(s).map_err(|e| format!("--step {e}"))?,
                None => 1,
            };
            if step_ns == 0 {
                return Err("--step must be above 0".into());
            }
            Command::Sweep {
                chip,
                channel,
                period_ns,
                step_ns,
                exact: opts.exact,
            }
        }
    })
}

/// The period from `--period` or `--freq`, if either was given.
fn period(opts: &VerbOpts) -> Result<Option<u64>, String> {
    match (&opts.period, &opts.freq) {
        (Some(_), Some(_)) => Err("give --period or --freq, not both".into()),
        (Some(p), None) => parse_duration_ns(p)
            .map(Some)
            .map_err(|e| format!("--period {e}")),
        (None, Some(f)) => {
            let freq = parse_frequency(f).map_err(|e| format!("--freq {e}"))?;
            freq.period_ns()
                .map(Some)
                .map_err(|e| format!("--freq '{f}': {e}"))
        }
        (None, None) => Ok(None),
    }
}

/// A duty or offset: a duration, or a percentage of the period.
fn part_of_period(name: &str, text: &str, period_ns: u64) -> Result<u64, String> {
    if is_percent(text) {
        Ok(parse_percent(text)
            .map_err(|e| format!("--{name} {e}"))?
            .duty_ns(period_ns))
    } else {
        parse_duration_ns(text).map_err(|e| format!("--{name} {e}"))
    }
}

/// The waveform the options describe.
fn waveform(opts: &VerbOpts) -> Result<Waveform, String> {
    if opts.disable {
        if opts.period.is_some()
            || opts.freq.is_some()
            || opts.duty.is_some()
            || opts.offset.is_some()
        {
            return Err("--disable takes no other waveform option".into());
        }
        return Ok(Waveform::disabled());
    }
    let period_ns = period(opts)?.ok_or("need --period or --freq (or --disable)")?;
    let duty_ns = match &opts.duty {
        Some(d) => part_of_period("duty", d, period_ns)?,
        // A zero period means disabled and needs no duty.
        None if period_ns == 0 => 0,
        None => return Err("need --duty".into()),
    };
    let offset_ns = match &opts.offset {
        Some(o) => part_of_period("offset", o, period_ns)?,
        None => 0,
    };
    Ok(Waveform::new(period_ns, duty_ns, offset_ns))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error;

    type TestResult = Result<(), Box<dyn Error>>;

    fn cli(line: &str) -> Result<Cli, String> {
        let args: Vec<String> = line.split_whitespace().map(String::from).collect();
        parse(&args)
    }

    fn cmd(line: &str) -> Result<Command, String> {
        cli(line).map(|c| c.command)
    }

    #[test]
    fn read_verbs_and_globals() -> TestResult {
        assert_eq!(cmd("list")?, Command::List);
        let c = cli("--json --backend sysfs --sysfs-root /tmp/s --dev-root=/tmp/d info pwm-sim.0")?;
        assert!(c.global.json);
        assert_eq!(c.global.backend, Backend::Sysfs);
        assert_eq!(c.global.sysfs_root, PathBuf::from("/tmp/s"));
        assert_eq!(c.global.dev_root, PathBuf::from("/tmp/d"));
        assert_eq!(
            c.command,
            Command::Info {
                chip: "pwm-sim.0".into()
            }
        );
        // Globals after the verb too.
        let c = cli("get 0 1 --json")?;
        assert!(c.global.json);
        assert_eq!(
            c.command,
            Command::Get {
                chip: "0".into(),
                channel: 1
            }
        );
        assert_eq!(
            cmd("get -- /soc/pwm@1 0")?,
            Command::Get {
                chip: "/soc/pwm@1".into(),
                channel: 0
            }
        );
        Ok(())
    }

    #[test]
    fn help_forms() -> TestResult {
        assert_eq!(cmd("")?, Command::Help(None));
        assert_eq!(cmd("--help")?, Command::Help(None));
        assert_eq!(cmd("-h")?, Command::Help(None));
        assert_eq!(cmd("help")?, Command::Help(None));
        assert_eq!(cmd("help set")?, Command::Help(Some("set".into())));
        assert_eq!(cmd("set --help")?, Command::Help(Some("set".into())));
        Ok(())
    }

    fn set_wave(line: &str) -> Result<Waveform, Box<dyn Error>> {
        match cmd(line)? {
            Command::Set { wave, .. } | Command::Round { wave, .. } => Ok(wave),
            other => Err(format!("not a set: {other:?}").into()),
        }
    }

    #[test]
    fn waveform_options() -> TestResult {
        assert_eq!(
            set_wave("set 0 0 --period 50us --duty 10us")?,
            Waveform::new(50_000, 10_000, 0)
        );
        assert_eq!(
            set_wave("set 0 0 --freq 20kHz --duty 25%")?,
            Waveform::new(50_000, 12_500, 0)
        );
        assert_eq!(
            set_wave("set 0 0 --freq=1.5kHz --duty=50%")?,
            Waveform::new(666_667, 333_334, 0)
        );
        assert_eq!(
            set_wave("set 0 0 --period 1ms --duty 25% --offset 75%")?,
            Waveform::new(1_000_000, 250_000, 750_000)
        );
        assert_eq!(
            set_wave("set 0 0 --period 100 --duty 30 --offset 70")?,
            Waveform::new(100, 30, 70)
        );
        assert_eq!(set_wave("set 0 0 --disable")?, Waveform::disabled());
        assert_eq!(set_wave("set 0 0 --period 0")?, Waveform::disabled());
        assert_eq!(
            set_wave("round 0 0 --period 1s --duty 0.5s")?,
            Waveform::new(1_000_000_000, 500_000_000, 0)
        );
        // Invalid combinations are left to validation (exit code 5).
        assert_eq!(
            set_wave("set 0 0 --period 10 --duty 20")?,
            Waveform::new(10, 20, 0)
        );
        Ok(())
    }

    #[test]
    fn set_flags() -> TestResult {
        let c = cmd("set 1 2 --period 100 --duty 50 --exact --hold 10s")?;
        assert_eq!(
            c,
            Command::Set {
                chip: "1".into(),
                channel: 2,
                wave: Waveform::new(100, 50, 0),
                exact: true,
                hold: Some(Hold::For(Duration::from_secs(10))),
            }
        );
        let c = cmd("set 1 2 --disable --hold")?;
        assert!(matches!(
            c,
            Command::Set {
                hold: Some(Hold::UntilSignal),
                ..
            }
        ));
        // --hold followed by a non-duration word leaves it alone.
        let c = cmd("set --hold pwmchip1 2 --disable")?;
        assert!(matches!(
            c,
            Command::Set {
                hold: Some(Hold::UntilSignal),
                channel: 2,
                ..
            }
        ));
        let c = cmd("set 1 2 --disable --hold=500ms")?;
        assert!(
            matches!(c, Command::Set { hold: Some(Hold::For(d)), .. } if d == Duration::from_millis(500))
        );
        Ok(())
    }

    #[test]
    fn sweep_options() -> TestResult {
        assert_eq!(
            cmd("sweep 0 1 --period 50000")?,
            Command::Sweep {
                chip: "0".into(),
                channel: 1,
                period_ns: 50_000,
                step_ns: 1,
                exact: false
            }
        );
        assert_eq!(
            cmd("sweep 0 1 --period 50us --step 1us --exact")?,
            Command::Sweep {
                chip: "0".into(),
                channel: 1,
                period_ns: 50_000,
                step_ns: 1_000,
                exact: true
            }
        );
        assert!(cmd("sweep 0 1").is_err());
        assert!(cmd("sweep 0 1 --period 0").is_err());
        assert!(cmd("sweep 0 1 --period 10 --step 0").is_err());
        assert!(cmd("sweep 0 1 --period 10 --duty 5").is_err());
        Ok(())
    }

    #[test]
    fn usage_errors() {
        for bad in [
            "frob",
            "list extra",
            "info",
            "get 0",
            "get 0 x",
            "get 0 -1",
            "get 0 1 --period 5",
            "set 0 0",
            "set 0 0 --period 100",
            "set 0 0 --duty 5",
            "set 0 0 --period 100 --freq 1kHz --duty 1",
            "set 0 0 --disable --period 5",
            "set 0 0 --period 5 --period 6 --duty 1",
            "set 0 0 --period 5min --duty 1",
            "set 0 0 --freq 0Hz --duty 1%",
            "set 0 0 --freq 5GHz --duty 1%",
            "set 0 0 --period 100 --duty 120%",
            "set 0 0 --period 100 --duty 5 --bogus",
            "set 0 0 --period",
            "round 0 0 --disable --exact",
            "get 0 0 --json=yes",
            "--backend kernel list",
            "help a b",
        ] {
            assert!(cli(bad).is_err(), "{bad}");
        }
    }
}
