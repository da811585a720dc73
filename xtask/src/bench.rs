//! `cargo xtask bench`: set up the tools and the release preprocessor, then
//! run the benchmark, which is a crate of its own (`alga-bench`) built in
//! release with its helper binaries.

use crate::tools::{Need, build_preprocessor, build_release, repo_root, setup, status};
use anyhow::Result;
use std::process::Command;

/// Build and run the benchmark with `args`.
pub(crate) fn run(args: &[String]) -> Result<()> {
    setup(Need::Mdbook)?;
    build_preprocessor()?;
    build_release("alga-bench")?;
    // Figure 3 times `cargo xtask serve`'s program too.
    build_release("alga-serve")?;
    status(Command::new(repo_root().join("target/release/alga-bench")).args(args))
}
