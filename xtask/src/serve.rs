//! `cargo xtask serve`: set up the pinned tools, build the preprocessor,
//! then serve the book on http://localhost:3000 with the polling watcher
//! (see [`alga_site_checks::serve`] for why).

use crate::tools::{build_preprocessor, setup, status, tool_path};
use anyhow::Result;

/// Serve the book; `extra` goes to `mdbook serve`.
pub(crate) fn run(extra: &[String]) -> Result<()> {
    setup(false)?;
    build_preprocessor()?;
    status(&mut alga_site_checks::serve::command(
        &tool_path("mdbook"),
        extra,
    ))
}
