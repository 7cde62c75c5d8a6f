// SPDX-License-Identifier: GPL-2.0

//! Runs the pwmctl binary against fake sysfs trees.

use linux_pwm::fake::{FakeChip, FakeTree, KernelOptions};
use linux_pwm::FirmwareNode;
use std::error::Error;
use std::process::Command;

type TestResult = Result<(), Box<dyn Error>>;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn pwmctl(tree: &FakeTree, args: &[&str]) -> Result<Run, Box<dyn Error>> {
    let roots = tree.roots();
    let out = Command::new(env!("CARGO_BIN_EXE_pwmctl"))
        .arg("--sysfs-root")
        .arg(&roots.sysfs)
        .arg("--dev-root")
        .arg(&roots.dev)
        .args(args)
        .output()?;
    // The fake unexports asynchronously; the kernel does not.
    if !tree.settle() {
        return Err("the fake kernel did not handle unexport".into());
    }
    Ok(Run {
        code: out.status.code().ok_or("killed by a signal")?,
        stdout: String::from_utf8(out.stdout)?,
        stderr: String::from_utf8(out.stderr)?,
    })
}

/// pwmchip0: cdev, 4 channels; pwmchip1: sysfs only, DT node; pwmchip2:
/// ACPI, sysfs only.
fn tree(tag: &str) -> Result<FakeTree, Box<dyn Error>> {
    let mut tree = FakeTree::new(tag)?;
    tree.add_chip(&FakeChip::new(0, 4).parent("pwm-sim.0").driver("pwm-sim"))?;
    tree.add_chip(
        &FakeChip::new(1, 2)
            .parent("1000.pwm")
            .driver("fake-pwm")
            .firmware(FirmwareNode::Dt("/soc/pwm@1000".into()))
            .no_cdev(),
    )?;
    tree.add_chip(
        &FakeChip::new(2, 1)
            .parent("0000:00:1f.0")
            .firmware(FirmwareNode::Acpi {
                name: "PRP0001:00".into(),
                path: Some("\\_SB_.PWM0".into()),
            })
            .no_cdev(),
    )?;
    tree.start_kernel(KernelOptions::default());
    Ok(tree)
}

#[test]
fn list_human_and_json() -> TestResult {
    let tree = tree("cli-list")?;
    let r = pwmctl(&tree, &["list"])?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let dev = tree.roots().dev;
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            format!(
                "pwmchip0: 4 channels, {}, parent pwm-sim.0 (driver pwm-sim), fw none",
                dev.join("pwmchip0").display()
            ),
            "pwmchip1: 2 channels, no character device, parent 1000.pwm (driver fake-pwm), fw dt /soc/pwm@1000".to_string(),
            "pwmchip2: 1 channel, no character device, parent 0000:00:1f.0, fw acpi PRP0001:00 \\_SB_.PWM0".to_string(),
        ]
    );
    let r = pwmctl(&tree, &["list", "--json"])?;
    assert_eq!(r.code, 0);
    assert!(r
        .stdout
        .starts_with("[{\"chip\":0,\"name\":\"pwmchip0\",\"npwm\":4,\"cdev\":true,"));
    assert!(r.stdout.contains(
        r#"{"chip":1,"name":"pwmchip1","npwm":2,"cdev":false,"device":null,"devnum":null,"parent":"1000.pwm","driver":"fake-pwm","firmware":{"type":"dt","path":"/soc/pwm@1000"}}"#
    ));
    assert!(r
        .stdout
        .contains(r#""firmware":{"type":"acpi","name":"PRP0001:00","path":"\\_SB_.PWM0"}"#));
    assert_eq!(r.stdout.lines().count(), 1);
    Ok(())
}

#[test]
fn info_selects_by_firmware_and_parent() -> TestResult {
    let tree = tree("cli-info")?;
    let r = pwmctl(&tree, &["info", "/soc/pwm@1000"])?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("pwmchip1: 2 channels"));
    assert!(r.stdout.contains("backend auto: sysfs"));
    let r = pwmctl(&tree, &["--json", "info", "\\_SB_.PWM0"])?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(r#""chip":2"#));
    assert!(r
        .stdout
        .contains(r#""exported":[],"auto_backend":"sysfs"}"#));
    let r = pwmctl(&tree, &["info", "pwm-sim.0"])?;
    assert!(r.stdout.contains("device number: 254:0"));
    assert!(r.stdout.contains("backend auto: cdev"));
    Ok(())
}

#[test]
fn set_get_through_sysfs() -> TestResult {
    let tree = tree("cli-set")?;
    let r = pwmctl(
        &tree,
        &["set", "pwmchip1", "1", "--freq", "20kHz", "--duty", "25%"],
    )?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "pwmchip1 channel 1 (sysfs): period 50000 ns (20 kHz), duty 12500 ns (25%), offset 0 ns\n"
    );
    // pwmctl exported the channel and unexported it on exit; the fake
    // kernel removed the directory, so check through a held channel below.
    let r = pwmctl(
        &tree,
        &[
            "--json", "set", "1", "0", "--period", "100", "--duty", "30", "--offset", "70",
        ],
    )?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "{\"chip\":1,\"name\":\"pwmchip1\",\"channel\":0,\"backend\":\"sysfs\",\
         \"requested\":{\"enabled\":true,\"period_ns\":100,\"duty_ns\":30,\"offset_ns\":70},\
         \"applied\":{\"enabled\":true,\"period_ns\":100,\"duty_ns\":30,\"offset_ns\":70}}\n"
    );
    // Rounded offset is reported.
    let r = pwmctl(
        &tree,
        &[
            "set", "1", "0", "--period", "100", "--duty", "30", "--offset", "10",
        ],
    )?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("offset 0 ns\n  requested period 100 ns"));
    Ok(())
}

#[test]
fn get_on_an_exported_channel_keeps_it_exported() -> TestResult {
    let tree = tree("cli-get")?;
    tree.create_channel(1, 0)?;
    tree.set_attr(1, 0, "period", "1000")?;
    tree.set_attr(1, 0, "duty_cycle", "250")?;
    tree.set_attr(1, 0, "polarity", "inversed")?;
    tree.set_attr(1, 0, "enable", "1")?;
    let r = pwmctl(&tree, &["get", "1", "0"])?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "pwmchip1 channel 0 (sysfs): period 1000 ns (1 MHz), duty 750 ns (75%), offset 250 ns\n"
    );
    let r = pwmctl(&tree, &["set", "1", "0", "--disable"])?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(tree.attr(1, 0, "enable")?, "0");
    let r = pwmctl(&tree, &["--json", "get", "1", "0"])?;
    assert!(r
        .stdout
        .contains(r#""waveform":{"enabled":false,"period_ns":0"#));
    assert!(tree.channel_dir(1, 0).is_dir());
    Ok(())
}

#[test]
fn exit_codes() -> TestResult {
    let tree = tree("cli-exit")?;
    let cases: [(&[&str], i32); 12] = [
        (&["frob"], 2),
        (&["set", "1", "0", "--period", "5min", "--duty", "1"], 2),
        (&["info", "nothing"], 3),
        (&["get", "9", "0"], 3),
        (&["get", "1", "2"], 3),
        (&["set", "1", "0", "--period", "10", "--duty", "20"], 5),
        (
            &[
                "set", "1", "0", "--period", "100", "--duty", "30", "--offset", "10", "--exact",
            ],
            6,
        ),
        (&["round", "1", "0", "--period", "100", "--duty", "30"], 7),
        (&["--backend", "cdev", "get", "1", "0"], 7),
        // The fake node is a plain file: ENOTTY.
        (&["get", "0", "0"], 1),
        (&["--help"], 0),
        (&["help", "sweep"], 0),
    ];
    for (args, code) in cases {
        let r = pwmctl(&tree, args)?;
        assert_eq!(r.code, code, "{args:?}: {}", r.stderr);
        if code != 0 {
            assert!(r.stderr.starts_with("pwmctl: "), "{args:?}: {}", r.stderr);
        }
    }
    Ok(())
}

#[test]
fn sweep_counts_settings() -> TestResult {
    let tree = tree("cli-sweep")?;
    let r = pwmctl(
        &tree,
        &[
            "--json", "sweep", "1", "1", "--period", "1000", "--step", "100",
        ],
    )?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(r#""settings":11,"#), "{}", r.stdout);
    assert!(r
        .stdout
        .contains(r#""final":{"enabled":true,"period_ns":1000,"duty_ns":1000,"offset_ns":0}"#));
    // A step that does not divide the period still ends on it.
    let r = pwmctl(
        &tree,
        &[
            "sweep", "1", "1", "--period", "1000", "--step", "300", "--exact",
        ],
    )?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(": 5 settings in "), "{}", r.stdout);
    assert!(r
        .stdout
        .contains("final period 1000 ns (1 MHz), duty 1000 ns (100%)"));
    Ok(())
}

#[test]
fn hold_keeps_the_channel_then_releases() -> TestResult {
    let tree = tree("cli-hold")?;
    let r = pwmctl(
        &tree,
        &[
            "set", "2", "0", "--period", "1ms", "--duty", "50%", "--hold", "100ms",
        ],
    )?;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("holding pwmchip2 channel 0"));
    assert!(r.stderr.contains("released pwmchip2 channel 0"));
    Ok(())
}

#[test]
fn hold_until_sigterm() -> TestResult {
    let tree = tree("cli-sigterm")?;
    let roots = tree.roots();
    let child = Command::new(env!("CARGO_BIN_EXE_pwmctl"))
        .arg("--sysfs-root")
        .arg(&roots.sysfs)
        .args(["set", "2", "0", "--disable", "--hold"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    // Wait until it holds the channel (its directory exists), then stop it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !tree.channel_dir(2, 0).is_dir() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    let pid = i32::try_from(child.id())?;
    // SAFETY: kill() only sends a signal to our own child process.
    let rc = unsafe { libc::kill(pid, libc::SIGTERM) };
    assert_eq!(rc, 0);
    let out = child.wait_with_output()?;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8(out.stderr)?.contains("released"));
    Ok(())
}
