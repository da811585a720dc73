//! Figure 7 (only with `--cold`): a fresh clone, as a new writer gets it.
//! From `git clone` with no build folder: the time until `cargo xtask serve`
//! answers the first page, and (with `fresh-test` in `--only`) the whole
//! `cargo xtask test`, each against `cargo install mdbook@0.5.4` measured
//! in the same run. Minutes; run it on an otherwise idle machine.

use super::{Ctx, Row, ms, path_str, remove_dir};
use alga_site_checks::net::{free_port, wait_for};
use anyhow::{Context, Result, bail};
use std::os::unix::process::CommandExt as _;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The rows of figure 7; `with_test` adds the whole test command.
pub(crate) fn run(ctx: &Ctx, with_test: bool) -> Result<Vec<Row>> {
    eprintln!("bench: 7. a fresh clone (minutes)");
    let dir = ctx.bench.join("fresh");
    remove_dir(&dir)?;
    std::fs::create_dir_all(&dir)?;
    // The baseline: what any mdBook user pays first.
    let t = Instant::now();
    super::check(
        Command::new("cargo")
            .args(["install", "--locked", "--quiet", "--root"])
            .arg(dir.join("mdbook"))
            .arg("mdbook@0.5.4")
            .env("CARGO_TARGET_DIR", dir.join("mdbook-build")),
    )?;
    let mdbook = t.elapsed().as_secs_f64();

    let clone = dir.join("clone");
    super::check(
        Command::new("git")
            .args(["clone", "--quiet", "--no-hardlinks"])
            .arg(&ctx.root)
            .arg(&clone),
    )?;
    let port = free_port()?;
    let t = Instant::now();
    let mut serve = Command::new("cargo")
        .args(["xtask", "serve", "--hostname", "127.0.0.1", "--port"])
        .arg(port.to_string())
        .current_dir(&clone)
        .env_remove("CARGO_TARGET_DIR")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(dir.join("serve.log"))?)
        .process_group(0)
        .spawn()
        .context("cannot start cargo xtask serve")?;
    let url = format!("127.0.0.1:{port}");
    let ready = wait_for("the first page", Duration::from_secs(3600), || {
        page_answers(&url)
    });
    let serve_secs = t.elapsed().as_secs_f64();
    // SAFETY: kill(2) on the process group we started; no memory is shared.
    unsafe {
        libc::kill(-(serve.id() as i32), libc::SIGTERM);
    }
    let _ = serve.wait();
    ready?;
    let base = |r: Row| r.baseline(format!("{} (`cargo install mdbook@0.5.4`)", ms(mdbook)));
    let mut rows = vec![
        base(
            Row::new("7. fresh clone: `cargo xtask serve` until the first page answers")
                .ours(ms(serve_secs)),
        )
        .ratio(serve_secs / mdbook)
        .target("≤ 1.5×", serve_secs / mdbook <= 1.5),
    ];
    if with_test {
        // The test command builds on what serve built, as a writer's second
        // command does; a second clone times it from nothing.
        let clone2 = dir.join("clone-test");
        super::check(
            Command::new("git")
                .args(["clone", "--quiet", "--no-hardlinks"])
                .arg(&ctx.root)
                .arg(&clone2),
        )?;
        let t = Instant::now();
        let st = Command::new("cargo")
            .args(["xtask", "test"])
            .current_dir(&clone2)
            .env_remove("CARGO_TARGET_DIR")
            .env_remove("ALGA_PSA_CHECKOUT")
            .stdout(std::fs::File::create(dir.join("test.log"))?)
            .stderr(std::fs::File::create(dir.join("test.err.log"))?)
            .status()?;
        let secs = t.elapsed().as_secs_f64();
        if !st.success() {
            bail!(
                "the fresh clone's `cargo xtask test` failed; see {}",
                path_str(&dir.join("test.err.log"))?
            );
        }
        rows.push(
            base(Row::new("7. fresh clone: the whole `cargo xtask test`").ours(ms(secs)))
                .ratio(secs / mdbook)
                .target("≤ 10 min", secs <= 600.0),
        );
    }
    Ok(rows)
}

/// Whether `GET /` on `addr` answers 200.
fn page_answers(addr: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.") && &head[9..12] == b"200"
}
