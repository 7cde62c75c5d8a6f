// SPDX-License-Identifier: GPL-2.0

//! `pwmctl`: list, inspect and drive Linux PWM channels through the
//! `/dev/pwmchipN` character device or sysfs.
//!
//! ```text
//! pwmctl list
//! pwmctl set pwm-sim.0 0 --freq 20kHz --duty 25%
//! pwmctl --json get 0 1
//! pwmctl sweep 0 0 --period 50000
//! ```
//!
//! Run `pwmctl --help` for every verb and option.
//!
//! # Exit codes
//!
//! | code | meaning |
//! | ---- | ------- |
//! | 0 | success |
//! | 1 | any other error |
//! | 2 | usage (bad command line) |
//! | 3 | no such chip or channel, or an ambiguous chip selector |
//! | 4 | busy (channel held by someone else) |
//! | 5 | invalid waveform (EINVAL) |
//! | 6 | cannot be met exactly (EDOM, `--exact`) |
//! | 7 | not supported by the chip or backend (EOPNOTSUPP) |
//! | 8 | chip gone (ENODEV) |
//! | 9 | permission denied (EACCES/EPERM) |

#![forbid(clippy::unwrap_used, clippy::expect_used)]

mod args;
mod help;
mod hold;
mod json;
mod output;
mod run;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Lossy, not panicking, on arguments that are not UTF-8.
    let argv: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let result = args::parse(&argv)
        .map_err(run::Failure::Usage)
        .and_then(|cli| run::run(&cli));
    match result {
        Ok(()) => ExitCode::from(run::exit::OK),
        Err(failure) => {
            eprintln!("pwmctl: {}", failure.message());
            ExitCode::from(failure.code())
        }
    }
}
