//! `cargo xtask test`: every check CI runs, in order: format, lints (warnings
//! denied), documentation (warnings denied), schema drift, the tests, the
//! quickstart run from its page, the strict build, a byte-identical second
//! build, and the checks of the built site (links among them).
//!
//! Everything is compiled once, in the test profile: the strict build and
//! the serve check run the `alga-serve` that the tests compiled, and no
//! mdBook tool is installed. The browser for the site checks is installed
//! (when missing) while the tests compile.

use crate::tools::{Need, repo_root, setup, status, strict_build};
use anyhow::{Result, bail};
use std::process::Command;

/// Every check CI runs, in order.
pub(crate) fn run() -> Result<()> {
    let step = |name: &str| eprintln!("xtask test: {name}");
    step("cargo fmt --check");
    status(Command::new("cargo").args(["fmt", "--all", "--check"]))?;
    step("cargo clippy (warnings denied)");
    status(Command::new("cargo").args([
        "clippy",
        "--workspace",
        "--all-targets",
        "--locked",
        "--quiet",
        "--",
        "-D",
        "warnings",
    ]))?;
    step("cargo doc (warnings denied)");
    status(
        Command::new("cargo")
            .args(["doc", "--workspace", "--no-deps", "--locked", "--quiet"])
            .env("RUSTDOCFLAGS", "-D warnings"),
    )?;
    step("manifest schema drift");
    crate::schema::run(true)?;
    setup(Need::Assets)?;
    // apt-get waits on the network and the disk, cargo on the cores.
    let browser = std::thread::spawn(alga_site_checks::e2e::ensure_browser);
    if std::env::var_os("ALGA_PSA_CHECKOUT").is_some() {
        step("the committed coverage extraction matches the checkout");
        crate::coverage::run(&["--check".to_owned()], &repo_root())?;
    }
    step("cargo test");
    status(Command::new("cargo").args(["test", "--workspace", "--locked"]))?;
    step("the quickstart, run from its page (cargo xtask tutorial)");
    crate::tutorial::run(&[])?;
    step("strict build (alga-serve build, warnings denied)");
    strict_build(None)?;
    step("a second build is byte-identical");
    let again = repo_root().join("target/rebuild");
    if again.exists() {
        std::fs::remove_dir_all(&again)?;
    }
    strict_build(Some(&again))?;
    let differences =
        alga_site_checks::compare_trees(&repo_root().join("book/html"), &again.join("html"))?;
    if !differences.is_empty() {
        bail!("two builds of the book differ: {}", differences.join(", "));
    }
    browser
        .join()
        .map_err(|_| anyhow::anyhow!("the browser install panicked"))??;
    crate::site_checks::run()
}
