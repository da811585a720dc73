//! `cargo xtask site-checks`: the checks of the built site, which live in
//! the `site` test target of `alga-site-checks` (links, redirects, the book
//! for assistants, serving, the browser test). Run after a build.

use crate::tools::{build_site_builder, repo_root, status};
use anyhow::{Result, bail};
use std::process::Command;

/// Run the site checks against `book/`, one at a time (two of them start a
/// server and a browser).
pub(crate) fn run() -> Result<()> {
    if !repo_root().join("book/html/index.html").is_file() {
        bail!("no built book in book/html: run `cargo xtask build` first");
    }
    // The serve check runs it.
    build_site_builder()?;
    eprintln!("xtask: the checks of the built site");
    status(Command::new("cargo").args([
        "test",
        "--locked",
        "--quiet",
        "-p",
        "alga-site-checks",
        "--test",
        "site",
        "--",
        "--test-threads=1",
    ]))
}
