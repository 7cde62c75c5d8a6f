// SPDX-License-Identifier: GPL-2.0

//! Help texts.

/// The general help.
pub const GENERAL: &str = "\
pwmctl - control Linux PWM chips

Usage: pwmctl [OPTIONS] VERB [ARGS]

Verbs:
  list                      list every PWM chip
  info CHIP                 show one chip
  get CHIP CH               show what a channel outputs now
  set CHIP CH WAVEFORM      apply a waveform (rounded by the hardware)
  round CHIP CH WAVEFORM    show what the hardware would apply, without applying
  sweep CHIP CH --period P [--step S] [--exact]
                            set duty 0, S, 2S, ... P in one open and time it
  help [VERB]               show help (also: VERB --help)

CHIP is a number (3), pwmchip3, /dev/pwmchip3, the parent device (pwm-sim.0),
a devicetree path (/soc/pwm@1000), an ACPI name (PRP0001:00) or an ACPI path.

WAVEFORM:
  --period P | --freq F     period (ns, us, ms, s; bare = ns) or frequency
                            (Hz, kHz, MHz; decimals allowed: 1.5kHz)
  --duty D                  active time, or a percentage of the period (25%)
  --offset O                start of the active time (duration or %), default 0
  --disable                 disable the output (same as --period 0)
  --exact                   (set, sweep) fail instead of rounding
  --hold [DURATION]         (set) keep the channel for DURATION, or until
                            SIGINT/SIGTERM when no duration is given

Options:
  --backend auto|cdev|sysfs character device or sysfs (auto: the character
                            device when the chip has one)
  --json                    JSON output
  -h, --help                this help

Exit codes:
  0 ok                      5 invalid waveform
  1 other error             6 not exact (EDOM)
  2 usage                   7 not supported
  3 no such chip/channel    8 chip gone (ENODEV)
    (or ambiguous CHIP)     9 permission denied
  4 busy

Examples:
  pwmctl list
  pwmctl set pwm-sim.0 0 --freq 20kHz --duty 25%
  pwmctl set 0 1 --period 50us --duty 10us --offset 40us --exact
  pwmctl set /soc/pwm@1000 0 --freq 1.5kHz --duty 50% --hold 10s
  pwmctl --json get pwmchip0 1
  pwmctl round 0 0 --period 33333 --duty 1000
  pwmctl sweep 0 0 --period 50000
";

/// The help for one verb, if it exists.
pub fn verb(name: &str) -> Option<&'static str> {
    Some(match name {
        "list" => {
            "\
Usage: pwmctl [--json] list

Lists every PWM chip: number, channels, device node, parent device, driver
and firmware node.

Example:
  pwmctl list
  pwmchip0: 4 channels, /dev/pwmchip0, parent pwm-sim.0 (driver pwm-sim), fw none
"
        }
        "info" => {
            "\
Usage: pwmctl [--json] info CHIP

Shows one chip, the channels exported through sysfs, and the backend auto
would use.

Example:
  pwmctl info pwm-sim.0
"
        }
        "get" => {
            "\
Usage: pwmctl [--json] [--backend B] get CHIP CH

Shows the waveform the channel outputs now (needs the chip to be able to read
its hardware with the character device).

Example:
  pwmctl get 0 1
  pwmchip0 channel 1 (cdev): period 50000 ns (20 kHz), duty 12500 ns (25%), offset 0 ns
"
        }
        "set" => {
            "\
Usage: pwmctl [--json] [--backend B] set CHIP CH (--period P | --freq F) --duty D
              [--offset O] [--exact] [--hold [DURATION]]
       pwmctl set CHIP CH --disable [--hold [DURATION]]

Applies a waveform and prints the one applied (read back from the hardware
when the chip can). The output keeps running after pwmctl exits; --hold keeps
the channel requested for DURATION (10s, 500ms) or, alone, until Ctrl-C or
SIGTERM. Put --hold after CHIP CH, or write --hold=DURATION.

With sysfs, an offset is expressed through polarity: offset 0 is normal, an
offset of period - duty is inversed; other offsets are rounded.

Examples:
  pwmctl set pwm-sim.0 0 --freq 20kHz --duty 25%
  pwmctl set 0 0 --period 1ms --duty 250us --offset 750us --exact
  pwmctl set 0 0 --freq 50Hz --duty 7.5% --hold
  pwmctl set 0 0 --disable
"
        }
        "round" => {
            "\
Usage: pwmctl [--json] round CHIP CH (--period P | --freq F) --duty D [--offset O]

Shows what the hardware would apply for a waveform, without applying it
(character device only).

Example:
  pwmctl round 0 0 --period 33333 --duty 1000
"
        }
        "sweep" => {
            "\
Usage: pwmctl [--json] [--backend B] sweep CHIP CH --period P [--step S] [--exact]

Sets duty 0, S, 2S, ... up to P (S defaults to 1 ns) at a fixed period in one
open, then prints how many settings were applied, the time taken and the
final waveform read back.

Example:
  pwmctl sweep 0 0 --period 50000     # 50001 duty values
"
        }
        "help" => {
            "\
Usage: pwmctl help [VERB]
"
        }
        _ => return None,
    })
}
