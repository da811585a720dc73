//! `cargo xtask serve`: copy Mermaid's assets into the theme, build
//! `alga-serve` in release (mdBook's pipeline with the preprocessor linked in
//! and Mermaid's change made in process, a watcher that reacts to saves only, and live reload), then serve the
//! book on http://localhost:3000.

use crate::tools::{Need, build_release, repo_root, setup, status};
use anyhow::Result;

/// Serve the book; `extra` goes to `alga-serve` (`-n HOST`, `-p PORT`, `-d DEST`).
pub(crate) fn run(extra: &[String]) -> Result<()> {
    setup(Need::Assets)?;
    build_release("alga-serve")?;
    status(
        alga_site_checks::serve::command(&alga_site_checks::alga_serve(), extra)
            .current_dir(repo_root()),
    )
}
