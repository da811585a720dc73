//! Checks of the built site, and the tools they share with the benchmark:
//! a static file server ([`http`]), a WebDriver client ([`webdriver`]),
//! loopback helpers ([`net`]), how the book is served ([`serve`]), base64
//! ([`base64`]).
//!
//! The checks themselves run as the `site` test target, after a build:
//! `cargo xtask site-checks` (part of `cargo xtask test`, after the strict
//! build) runs `cargo test -p alga-site-checks --test site` on `book/`.
//! - [`redirects`]: every old URL redirects to a page and fragment that exist;
//! - [`links`]: every link inside the built site lands on a file and id;
//! - [`llms_check`]: `llms.txt` and `llms-full.md` beside the site;
//! - [`serve::check_settles`]: `cargo xtask serve` builds once and settles;
//! - [`e2e`]: the site in headless Chromium.

#![warn(missing_docs)]

pub mod base64;
pub mod e2e;
pub mod http;
pub mod links;
pub mod llms_check;
pub mod net;
pub mod redirects;
pub mod serve;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::Command;

/// Run a command; fail unless it succeeds, naming the command.
pub fn status(cmd: &mut Command) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let shown = format!("{cmd:?}");
    let st = cmd
        .status()
        .with_context(|| format!("cannot run {shown}"))?;
    if !st.success() {
        anyhow::bail!("{shown} failed ({st})");
    }
    Ok(())
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

/// `alga-serve` as `cargo xtask serve` builds it (release).
pub fn alga_serve() -> PathBuf {
    repo_root().join("target/release/alga-serve")
}

/// `alga-serve` as the test command builds it (the test profile, which the
/// tests have compiled already): the strict build and the serve check run it.
pub fn alga_serve_debug() -> PathBuf {
    repo_root().join("target/debug/alga-serve")
}

/// The upstream file listing at the pin: from `ALGA_PSA_CHECKOUT` (git
/// ls-tree) or the listing file configured in book.toml.
pub fn upstream_tree_listing(root: &Path) -> Option<String> {
    let book: toml::Table =
        toml::from_str(&std::fs::read_to_string(root.join("book.toml")).ok()?).ok()?;
    let upstream = book.get("preprocessor")?.get("alga")?.get("upstream")?;
    let commit = upstream.get("commit")?.as_str()?;
    if let Some(checkout) = std::env::var_os("ALGA_PSA_CHECKOUT") {
        let out = Command::new("git")
            .arg("-C")
            .arg(&checkout)
            .args(["ls-tree", "-r", "--name-only", commit])
            .output()
            .ok()?;
        if out.status.success() {
            return String::from_utf8(out.stdout).ok();
        }
    }
    let listing = upstream.get("tree")?.as_str()?;
    std::fs::read_to_string(root.join(listing)).ok()
}

/// Relative paths that are in only one of two folders or differ in content.
pub fn compare_trees(a: &Path, b: &Path) -> anyhow::Result<Vec<String>> {
    use anyhow::Context as _;
    fn files(
        root: &Path,
        dir: &Path,
        out: &mut std::collections::BTreeSet<PathBuf>,
    ) -> anyhow::Result<()> {
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
