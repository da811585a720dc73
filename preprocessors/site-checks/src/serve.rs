//! The check that `cargo xtask serve` (the `alga-serve` program) settles and
//! reacts: on the real book it builds once, stays idle while every input is
//! read, and rebuilds once for one save.
//!
//! mdBook 0.5.4's `mdbook serve --watcher native` fails the first half here:
//! notify's inotify backend reports every open of a watched file, each build
//! opens the files it reads, and mdBook takes each open for an edit.

use anyhow::{Context, Result, bail};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `alga-serve` as `cargo xtask serve` runs it, plus `extra` arguments.
pub fn command(alga_serve: &Path, extra: &[String]) -> Command {
    let mut cmd = Command::new(alga_serve);
    cmd.args(extra);
    cmd
}

/// How many builds a serve log reports.
pub fn builds(log: &str) -> usize {
    log.lines()
        .filter(|l| {
            l.starts_with("alga-serve: built in") || l.starts_with("alga-serve: rebuilt in")
        })
        .count()
}

/// Serve the book at `root` into `out`; fail if it builds again within
/// `quiet` of the first build while its inputs are only read, or if one
/// save of an unchanged page does not rebuild it exactly once.
pub fn check_settles(alga_serve: &Path, root: &Path, out: &Path, quiet: Duration) -> Result<()> {
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
    let mut child = command(alga_serve, &extra)
        .current_dir(root)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .context("cannot start alga-serve")?;
    let read = || std::fs::read_to_string(&log_path).unwrap_or_default();
    let wait_for = |what: &str, n: usize| -> Result<()> {
        let start = Instant::now();
        while builds(&read()) < n || !read().contains(what) {
            if start.elapsed() > Duration::from_secs(180) {
                bail!("no `{what}` within 180 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    };
    let summary = root.join("src/SUMMARY.md");
    let outcome = (|| -> Result<(usize, usize)> {
        wait_for("watching for saves", 1)?;
        read_all(&root.join("src"))?;
        read_all(&root.join("theme"))?;
        std::thread::sleep(quiet);
        let idle = builds(&read());
        // A save that changes nothing still is a save. It is made as editors
        // that save atomically do: a copy written outside the watched
        // folders, renamed over the page, so the page is never half-written.
        let copy = out.join("SUMMARY.md");
        std::fs::copy(&summary, &copy)?;
        std::fs::rename(&copy, &summary)?;
        wait_for("rebuilt in", idle + 1)?;
        std::thread::sleep(quiet);
        Ok((idle, builds(&read())))
    })();
    let _ = child.kill();
    let _ = child.wait();
    let (idle, after) = outcome.with_context(|| format!("alga-serve log:\n{}", read()))?;
    if idle != 1 {
        bail!(
            "alga-serve built the book {idle} times in {quiet:?} while its files were only read \
             (a watcher loop); log in {}",
            log_path.display()
        );
    }
    if after != 2 {
        bail!(
            "one save rebuilt the book {} times; log in {}",
            after - idle,
            log_path.display()
        );
    }
    Ok(())
}

/// Read every file under `dir`, as a build does.
fn read_all(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            read_all(&p)?;
        } else {
            let _ = std::fs::read(&p)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_are_counted_from_the_log() {
        let log = "alga-serve: built in 412 ms\nalga-serve: serving on http://x, watching for saves\n\
                   alga-serve: rebuilt in 380 ms (src/a.md), 0 page(s) reloaded\n\
                   alga-serve: error: the book has 1 error(s)\n";
        assert_eq!(builds(log), 2);
        assert_eq!(builds(""), 0);
    }
}
