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
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
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
    let differences = compare_trees(&repo_root().join("book/html"), &again.join("html"))?;
    if !differences.is_empty() {
        bail!("two builds of the book differ: {}", differences.join(", "));
    }
    browser
        .join()
        .map_err(|_| anyhow::anyhow!("the browser install panicked"))??;
    crate::site_checks::run()
}

/// Relative paths that are in only one of two folders or differ in content.
fn compare_trees(a: &Path, b: &Path) -> Result<Vec<String>> {
    fn files(root: &Path, dir: &Path, out: &mut std::collections::BTreeSet<PathBuf>) -> Result<()> {
        for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let p = e?.path();
            if p.is_dir() {
                files(root, &p, out)?;
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_path_buf());
            }
        }
        Ok(())
    }
    let (mut fa, mut fb) = (Default::default(), Default::default());
    files(a, a, &mut fa)?;
    files(b, b, &mut fb)?;
    let mut diff: Vec<String> = fa
        .symmetric_difference(&fb)
        .map(|p| format!("{} (in one build only)", p.display()))
        .collect();
    for p in fa.intersection(&fb) {
        if std::fs::read(a.join(p))? != std::fs::read(b.join(p))? {
            diff.push(p.display().to_string());
        }
    }
    Ok(diff)
}

#[cfg(test)]
mod tests {
    #[test]
    fn compare_trees_names_every_difference() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        for (dir, files) in [
            (
                &a,
                &[("same.html", "x"), ("d/changed.js", "1"), ("only-a", "")][..],
            ),
            (
                &b,
                &[("same.html", "x"), ("d/changed.js", "2"), ("only-b", "")][..],
            ),
        ] {
            for (f, text) in files {
                let p = dir.path().join(f);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, text).unwrap();
            }
        }
        let diff = super::compare_trees(a.path(), b.path()).unwrap();
        assert_eq!(
            diff,
            [
                "only-a (in one build only)",
                "only-b (in one build only)",
                "d/changed.js"
            ]
        );
        assert!(super::compare_trees(a.path(), a.path()).unwrap().is_empty());
    }
}
