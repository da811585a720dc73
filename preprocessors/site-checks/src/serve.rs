//! How `cargo xtask serve` runs mdBook, and the check that it settles: with nothing edited,
//! the served book is built once and then left alone.
//!
//! mdBook 0.5.4's `--watcher native` rebuilds in a loop on Linux when an
//! `extra-watch-dirs` folder holds a file the build reads (this book's
//! `theme/`, `archive/` and `data/` all do): reading the file
//! is reported as a change. A two-file book with `additional-css` in a
//! watched folder reproduces it. The polling watcher (mdBook's default)
//! compares modification times instead, so serving uses it.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The watcher `cargo xtask serve` uses.
pub const WATCHER: &str = "poll";

/// `mdbook serve` as `cargo xtask serve` runs it, plus `extra` arguments.
pub fn command(mdbook: &Path, extra: &[String]) -> Command {
    let mut cmd = Command::new(mdbook);
    cmd.args(["serve", "--watcher", WATCHER]).args(extra);
    // Serving needs no link check backend.
    cmd.env("MDBOOK_OUTPUT__LINKCHECK2__OPTIONAL", "true");
    cmd
}

/// How many builds a serve log reports.
pub fn builds(log: &str) -> usize {
    log.matches("Book building has started").count()
}

/// Serve the book at `root` into `out`, and fail if it builds again within
/// `quiet` of the first build while nothing changes.
pub fn check_settles(mdbook: &Path, root: &Path, out: &Path, quiet: Duration) -> Result<()> {
    let _ = std::fs::remove_dir_all(out);
    std::fs::create_dir_all(out)?;
    let log_path = out.join("serve.log");
    let log = std::fs::File::create(&log_path)?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let extra: Vec<String> = vec![
        "-n".into(),
        "127.0.0.1".into(),
        "-p".into(),
        port.to_string(),
        "-d".into(),
        out.join("book").to_string_lossy().into_owned(),
    ];
    let mut child = command(mdbook, &extra)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .context("cannot start mdbook serve")?;
    let read = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let start = Instant::now();
    let outcome = loop {
        let text = read();
        if text.contains("HTML book written") {
            std::thread::sleep(quiet);
            break Ok(builds(&read()));
        }
        if start.elapsed() > Duration::from_secs(180) {
            break Err(anyhow::anyhow!("the first build did not finish in 180 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let _ = child.kill();
    let _ = child.wait();
    let n = outcome.with_context(|| format!("mdbook serve log:\n{}", read()))?;
    if n != 1 {
        bail!(
            "`mdbook serve --watcher {WATCHER}` built the book {n} times in {quiet:?} with nothing edited \
             (a watcher loop); log in {}",
            log_path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_are_counted_from_the_log() {
        let log = " INFO Book building has started\n INFO HTML book written\n \
                   INFO Files changed: [\"a\"]\n INFO Book building has started\n";
        assert_eq!(builds(log), 2);
        assert_eq!(builds(""), 0);
    }

    #[test]
    fn serving_uses_the_polling_watcher() {
        let cmd = command(Path::new("mdbook"), &["-p".into(), "1".into()]);
        let args: Vec<_> = cmd
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(args, ["serve", "--watcher", "poll", "-p", "1"]);
    }
}
