//! Build orchestration: `cargo xtask <command>`.
//!
//! - `start`: build the front end and the server, then serve the demo province on SQLite.
//! - `build [--release]`: front end, then the server (which embeds `web/dist`).
//! - `test`: every test: Rust on SQLite and PostgreSQL, front-end unit tests, browser end-to-end.
//! - `ci`: `test` plus formatting and clippy.
//!
//! The front end is always built before cargo compiles the server, because the server embeds it.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

fn run(cmd: &mut Command) -> Result<()> {
    eprintln!("$ {cmd:?}");
    let status = cmd
        .status()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    if !status.success() {
        bail!("{cmd:?} failed: {status}");
    }
    Ok(())
}

fn ok(cmd: &mut Command) -> bool {
    cmd.stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn npm(args: &[&str]) -> Command {
    let mut c = Command::new("npm");
    c.args(args).current_dir(root().join("web"));
    c
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

/// Installs the front end's packages when `node_modules` is missing or older than the lock file.
fn web_deps() -> Result<()> {
    let web = root().join("web");
    let lock = web.join("package-lock.json");
    let marker = web.join("node_modules/.package-lock.json");
    let stale = match (
        std::fs::metadata(&lock).and_then(|m| m.modified()),
        std::fs::metadata(&marker).and_then(|m| m.modified()),
    ) {
        (Ok(l), Ok(m)) => l > m,
        _ => true,
    };
    if stale {
        run(&mut npm(&["ci", "--no-audit", "--no-fund"]))?;
    }
    Ok(())
}

fn build_web() -> Result<()> {
    web_deps()?;
    run(&mut npm(&["run", "gen:api"]))?;
    run(&mut npm(&["run", "build"]))
}

fn build(release: bool) -> Result<PathBuf> {
    build_web()?;
    let mut c = cargo();
    c.args(["build", "-p", "xuncha"]).current_dir(root());
    if release {
        c.arg("--release");
    }
    run(&mut c)?;
    Ok(root()
        .join("target")
        .join(if release { "release" } else { "debug" })
        .join("xuncha"))
}

/// Makes sure the PostgreSQL test server answers, starting the local cluster if it is down,
/// and drops schemas left behind by earlier test runs.
fn postgres() -> Result<()> {
    let url = std::env::var("XUNCHA_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let ready = || ok(Command::new("psql").args([url.as_str(), "-qAtc", "SELECT 1"]));
    if !ready() {
        eprintln!("PostgreSQL is not answering at {url}; trying to start the local cluster");
        if let Ok(versions) = std::fs::read_dir("/etc/postgresql") {
            for v in versions.flatten() {
                let v = v.file_name().to_string_lossy().into_owned();
                let _ = Command::new("pg_ctlcluster")
                    .args(["--skip-systemctl-redirect", &v, "main", "start"])
                    .status();
            }
        }
        for _ in 0..30 {
            if ready() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
    }
    if !ready() {
        bail!(
            "PostgreSQL is required for the storage tests and is not reachable at {url} (set XUNCHA_TEST_PG_URL)"
        );
    }
    // Drop schemas left by earlier runs, a few per transaction: one transaction for all of them
    // can exhaust the lock table. This is housekeeping, so a failure only warns.
    let list = Command::new("psql")
        .args([
            url.as_str(),
            "-qAtc",
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'xt\\_%'",
        ])
        .output()?;
    let schemas: Vec<String> = String::from_utf8_lossy(&list.stdout)
        .lines()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    for chunk in schemas.chunks(10) {
        let names: Vec<String> = chunk.iter().map(|s| format!("\"{s}\"")).collect();
        let sql = format!(
            "SET client_min_messages TO warning; DROP SCHEMA IF EXISTS {} CASCADE",
            names.join(", ")
        );
        if !ok(Command::new("psql").args([url.as_str(), "-qAtc", &sql])) {
            eprintln!(
                "warning: could not drop old test schemas {}",
                chunk.join(", ")
            );
        }
    }
    Ok(())
}

/// Finds Chromium for the browser tests, installing Debian's package when running as root.
fn chromium() -> Result<()> {
    if Path::new("/usr/bin/chromium").exists() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if is_root && Path::new("/usr/bin/apt-get").exists() {
        eprintln!("Installing Debian's chromium and CJK fonts for the browser tests");
        run(Command::new("apt-get").args(["update", "-qq"]))?;
        run(Command::new("apt-get")
            .args(["install", "-y", "-qq", "chromium", "fonts-noto-cjk"])
            .env("DEBIAN_FRONTEND", "noninteractive"))?;
        return Ok(());
    }
    bail!(
        "the browser tests need Chromium at /usr/bin/chromium: apt-get install chromium fonts-noto-cjk"
    )
}

fn test() -> Result<()> {
    postgres()?;
    chromium()?;
    let bin = build(false)?;
    run(&mut npm(&["run", "lint"]))?;
    run(&mut npm(&["run", "format:check"]))?;
    run(&mut npm(&["test"]))?;
    run(cargo()
        .args(["test", "--workspace", "--all-targets"])
        .current_dir(root()))?;
    run(npm(&["run", "e2e"]).env("XUNCHA_BIN", &bin))
}

fn start(release: bool, extra: &[String]) -> Result<()> {
    let bin = build(release)?;
    let mut c = Command::new(bin);
    c.args(["serve", "--demo"]).args(extra).current_dir(root());
    run(&mut c)
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let release = args.iter().any(|a| a == "--release");
    let rest: Vec<String> = args
        .iter()
        .skip(1)
        // A `--` separator before serve's arguments is accepted and dropped.
        .filter(|a| *a != "--release" && *a != "--")
        .cloned()
        .collect();
    match args.first().map(String::as_str) {
        Some("start") => start(release, &rest),
        Some("build") => build(release).map(|_| ()),
        Some("test") => test(),
        Some("ci") => {
            run(cargo()
                .args(["fmt", "--all", "--", "--check"])
                .current_dir(root()))?;
            test()?;
            // Time is a parameter: the API suite again on a day a year ahead and on New Year's
            // Eve (its clock moves into the next year), so a rule that reads the system clock or
            // a test that assumes a date fails here. The dates are the backend-independent part,
            // so these runs take the SQLite half of the suite (the full run above took both).
            for day in ["2027-11-23", "2027-12-31"] {
                eprintln!("API suite with the server's clock on {day}");
                run(cargo()
                    .args(["test", "-p", "xuncha-api", "--test", "api", "sqlite"])
                    .env("XUNCHA_TEST_TODAY", day)
                    .current_dir(root()))?;
            }
            run(cargo()
                .args([
                    "clippy",
                    "--workspace",
                    "--all-targets",
                    "--",
                    "-D",
                    "warnings",
                ])
                .current_dir(root()))
        }
        _ => {
            eprintln!("usage: cargo xtask <start|build|test|ci> [--release]");
            std::process::exit(2);
        }
    }
}
