//! One build of the book, for serving or for the site. It is mdBook's own
//! pipeline (the same `book.toml`, preprocessors and HTML renderer), with
//! the `alga` and `mermaid` preprocessors linked in rather than started as
//! processes, and the `llms` output rendered in process. For serving, the
//! HTML also carries mdBook's live-reload script, is served from `/`, and
//! names its files without content hashes.
//!
//! A rebuild while serving ([`Builder::html_quick`]) writes the pages
//! without a new search index, which takes most of mdBook's HTML time
//! on this book: the pages keep the last build's index, and
//! [`PendingIndex::finish`] renders the new one after the pages have
//! reloaded.

use anyhow::{Context, Result};
use mdbook_driver::MDBook;
use mdbook_html::HtmlHandlebars;
use mdbook_renderer::{RenderContext, Renderer};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where the served pages open their live-reload WebSocket (mdBook's name).
pub const LIVE_RELOAD_ENDPOINT: &str = "__livereload";

/// Builds the book at `root` into `dest`.
#[derive(Debug, Clone)]
pub struct Builder {
    root: PathBuf,
    dest: Option<PathBuf>,
    serving: bool,
}

impl Builder {
    /// A builder for serving the book at `root`, writing under `dest`
    /// (mdBook's `build-dir`, by default the book's own; the HTML goes to
    /// `dest/html` when the book has more than one output, as this one has).
    pub fn new(root: &Path, dest: Option<&Path>) -> Builder {
        Builder {
            root: root.to_path_buf(),
            dest: dest.map(Path::to_path_buf),
            serving: true,
        }
    }

    /// A builder of the site as it is published: the book's own
    /// `site-url`, no live reload.
    pub fn for_site(root: &Path, dest: Option<&Path>) -> Builder {
        Builder {
            serving: false,
            ..Builder::new(root, dest)
        }
    }

    /// Load the book as `mdbook serve` would.
    fn load(&self) -> Result<MDBook> {
        let mut md = MDBook::load(&self.root)
            .with_context(|| format!("cannot load the book at {}", self.root.display()))?;
        if self.serving {
            md.config
                .set("output.html.live-reload-endpoint", LIVE_RELOAD_ENDPOINT)?;
            // Served from the root, so the 404 page's links work (as `mdbook serve` does).
            md.config.set("output.html.site-url", "/")?;
            // Stable names, so that a rebuild's search index can replace
            // the last one under the name the pages already load.
            md.config.set("output.html.hash-files", false)?;
        }
        if let Some(dest) = &self.dest {
            md.config.build.build_dir = dest.clone();
        }
        // Replaces the `cargo run` command of `[preprocessor.alga]`, in its place
        // in the order; a book without that table does not get it.
        if has_table(&md, "preprocessor.alga") {
            md.with_preprocessor(mdbook_alga::AlgaPreprocessor);
        }
        // The same for mdbook-mermaid, whose process would take most of a
        // rebuild's time in serializing the book to it and back.
        if has_table(&md, "preprocessor.mermaid") {
            md.with_preprocessor(crate::mermaid::Mermaid);
        }
        Ok(md)
    }

    /// Build the HTML site; returns the loaded book, for [`Builder::extras`].
    /// The preprocessor's diagnostics go to stderr as in `mdbook build`.
    pub fn html(&self) -> Result<MDBook> {
        let md = self.load()?;
        md.execute_build_process(&HtmlHandlebars::new())?;
        Ok(md)
    }

    /// A rebuild while serving: the HTML pages as [`Builder::html`] writes
    /// them, with the last build's search index (and the `llms` output's
    /// files) kept in place instead of new ones. The returned
    /// [`PendingIndex`] renders the new index; [`Builder::extras`] the rest.
    pub fn html_quick(&self) -> Result<(MDBook, PendingIndex)> {
        let md = self.load()?;
        let html = md.build_dir_for("html");
        // mdBook empties the HTML folder first: what the pages load that a
        // quick build does not write (the search index, and what the `llms`
        // output put there) is read here and written back after the pages.
        let kept: Vec<(PathBuf, Vec<u8>)> = std::iter::once(SEARCH_INDEX)
            .chain(mdbook_alga::llms::FILES)
            .filter_map(|f| {
                let p = html.join(f);
                std::fs::read(&p).ok().map(|bytes| (p, bytes))
            })
            .collect();
        let quick = QuickHtml::default();
        let built = md.execute_build_process(&quick);
        // Written back after the pages, and after a failed build too, so the
        // served pages never lose them.
        for (path, bytes) in kept {
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot restore {}", path.display()))?;
        }
        built?;
        let ctx = quick
            .full
            .into_inner()
            .map_err(|_| anyhow::anyhow!("the HTML renderer panicked"))?
            .context("the HTML renderer did not run")?;
        Ok((md, PendingIndex { ctx }))
    }

    /// What the `llms` output writes beside the site (the book for
    /// assistants and the search's exact-term index), for a book that
    /// [`Builder::html`] loaded. Without an `[output.llms]` table, nothing.
    pub fn extras(&self, md: &MDBook) -> Result<()> {
        if !has_table(md, "output.llms") {
            return Ok(());
        }
        md.execute_build_process(&Llms)
    }
}

/// Whether the book's configuration has the table `key`.
fn has_table(md: &MDBook, key: &str) -> bool {
    md.config
        .get::<serde_json::Value>(key)
        .ok()
        .flatten()
        .is_some()
}

/// The search index's file when file names carry no hash.
const SEARCH_INDEX: &str = "searchindex.js";

/// mdBook's HTML renderer with every chapter left out of the search index;
/// it keeps the context it was given, with the book's own search settings,
/// for [`PendingIndex`].
#[derive(Default)]
struct QuickHtml {
    full: Mutex<Option<RenderContext>>,
}

impl Renderer for QuickHtml {
    fn name(&self) -> &str {
        "html"
    }

    fn render(&self, ctx: &RenderContext) -> Result<()> {
        let mut quick = ctx.clone();
        // The longest matching key wins, and "" matches every chapter.
        quick.config.set(
            "output.html.search.chapter",
            serde_json::json!({ "": { "enable": false } }),
        )?;
        HtmlHandlebars::new().render(&quick)?;
        *self.full.lock().map_err(|_| anyhow::anyhow!("poisoned"))? = Some(ctx.clone());
        Ok(())
    }
}

/// The search index that a quick rebuild left out.
#[derive(Debug)]
pub struct PendingIndex {
    ctx: RenderContext,
}

impl PendingIndex {
    /// Render the book once more, with its search settings, into `scratch`
    /// (the preprocessed book is reused), and move the new index over the
    /// last one.
    pub fn finish(self, scratch: &Path) -> Result<()> {
        let mut ctx = self.ctx;
        let html = std::mem::replace(&mut ctx.destination, scratch.to_path_buf());
        HtmlHandlebars::new().render(&ctx)?;
        std::fs::rename(scratch.join(SEARCH_INDEX), html.join(SEARCH_INDEX))
            .with_context(|| format!("cannot move the new search index into {}", html.display()))
    }
}

/// The `llms` output, in process.
struct Llms;

impl Renderer for Llms {
    fn name(&self) -> &str {
        "llms"
    }

    fn render(&self, ctx: &RenderContext) -> Result<()> {
        mdbook_alga::llms::render(&serde_json::to_value(ctx)?)
    }
}
