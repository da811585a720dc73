//! The `alga` mdBook preprocessor: the machinery that keeps the Alga PSA
//! extension docs true to the upstream code at a pinned commit.
//!
//! The data it reads (registry, upstream listing, citations, coverage,
//! superseded list) lives in [`alga_book_data`]; its diagnostics are
//! [`alga_diagnostics`]; schema tables are rendered by [`alga_schema_table`].
//! Here, one module per concern:
//! - [`pipeline`] runs the whole book, in order, over the [`env`](mod@env) it loads;
//! - [`directives`] expands `{{#name args}}`, one module per directive,
//!   dispatched from one table;
//! - [`lint`] rejects superseded and non-existent upstream paths, and links
//!   to upstream branches;
//! - [`tables`] loads the data tables `{{#table}}` renders;
//! - [`manifest_examples`] validates ```` ```json manifest ```` blocks;
//! - [`archive`] mounts retired pages with banners;
//! - [`links`] checks every internal link and fragment;
//! - [`llms`] renders `llms.txt` and the whole book as one Markdown file;
//! - [`search_terms`] indexes the terms the reference tables define;
//! - [`permalink`] writes permalinks at the pin;
//! - [`cli`] is the standalone command (`mdbook-alga schema-table`, …).

#![warn(missing_docs)]

pub mod archive;
pub mod cli;
pub mod config;
pub mod directives;
pub mod env;
pub mod links;
pub mod lint;
pub mod llms;
pub mod manifest_examples;
pub mod offset_map;
pub mod permalink;
pub mod pipeline;
pub mod search_terms;
pub mod tables;

pub use directives::{Expanded, expand};
pub use env::Env;
pub use pipeline::process;

use alga_diagnostics::Severity;
use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};

/// The preprocessor as mdBook calls it.
pub struct AlgaPreprocessor;

impl Preprocessor for AlgaPreprocessor {
    fn name(&self) -> &str {
        config::NAME
    }

    fn run(&self, ctx: &PreprocessorContext, book: Book) -> anyhow::Result<Book> {
        let (book, diags, deny) = process(ctx, book)?;
        // Preprocessors run once per renderer; print warnings on the first pass only.
        let has_html = ctx
            .config
            .outputs::<toml::Value>()
            .map(|o| o.contains_key("html"))
            .unwrap_or(true);
        let first_pass = ctx.renderer == "html" || !has_html;
        if diags.fails(deny) || (first_pass && !diags.is_empty()) {
            eprint!("{}", diags.render(deny));
        }
        if diags.fails(deny) {
            anyhow::bail!(
                "the book has {} error(s){}",
                diags.count(Severity::Error),
                if deny && diags.count(Severity::Warning) > 0 {
                    " and denied warnings"
                } else {
                    ""
                }
            );
        }
        Ok(book)
    }
}
