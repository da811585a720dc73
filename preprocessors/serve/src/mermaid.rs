//! Mermaid diagrams, in process: the change that mdbook-mermaid 0.17.1 makes
//! to a chapter, for the `[preprocessor.mermaid]` table of `book.toml` (plain
//! `mdbook` runs that tool as a process). Linking the tool's crate instead
//! would compile its command line (clap, env_logger, toml_edit and a second
//! pulldown-cmark) into every build of `alga-serve`.
//!
//! A fenced code block whose info string is exactly `mermaid` becomes a
//! `<pre class="mermaid">` holding the block's text with `<`, `>`, `"` and
//! `&` escaped, preceded by a blank line and followed by two; everything
//! else is left byte for byte. `theme/mermaid-init.js` draws the diagrams in
//! the browser. The HTML renderer is the only one that gets them.

use mdbook_preprocessor::book::Book;
use mdbook_preprocessor::{Preprocessor, PreprocessorContext};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// The `mermaid` preprocessor.
#[derive(Debug, Clone, Copy)]
pub struct Mermaid;

impl Preprocessor for Mermaid {
    fn name(&self) -> &str {
        "mermaid"
    }

    fn run(&self, _: &PreprocessorContext, mut book: Book) -> anyhow::Result<Book> {
        book.for_each_chapter_mut(|chapter| {
            if let Some(changed) = diagrams(&chapter.content) {
                chapter.content = changed;
            }
        });
        Ok(book)
    }

    fn supports_renderer(&self, renderer: &str) -> anyhow::Result<bool> {
        Ok(renderer == "html")
    }
}

/// The chapter with every Mermaid block turned into its `<pre>`, or `None`
/// when it has none.
pub fn diagrams(markdown: &str) -> Option<String> {
    let mut options = Options::empty();
    // The extensions the tool parses with, so that blocks are found alike.
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_FOOTNOTES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    // Inside a Mermaid block: the source range of its text so far.
    let mut open: Option<Option<Range<usize>>> = None;
    let mut blocks: Vec<(Range<usize>, String)> = Vec::new();
    for (event, span) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) if &*info == "mermaid" => {
                open = Some(None);
            }
            Event::Text(_) => {
                if let Some(text) = &mut open {
                    let start = text.as_ref().map_or(span.start, |r| r.start);
                    *text = Some(start..span.end);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some(text) = open.take() {
                    let body = text.map_or("", |r| &markdown[r]);
                    let html = format!(
                        "<pre class=\"mermaid\">{}</pre>\n\n",
                        escape(body).replace("\r\n", "\n")
                    );
                    blocks.push((span, html));
                }
            }
            _ => {}
        }
    }
    if blocks.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(markdown.len() + 64 * blocks.len());
    let mut at = 0;
    for (span, html) in blocks {
        out.push_str(&markdown[at..span.start]);
        out.push('\n');
        out.push_str(&html);
        at = span.end;
    }
    out.push_str(&markdown[at..]);
    Some(out)
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::diagrams;

    /// Pages and what mdbook-mermaid 0.17.1 itself made of them, recorded
    /// by running its binary as a preprocessor under mdBook 0.5.4.
    const RECORDED: &[(&str, &str)] = &[
        (
            "# T\n\nBefore.\n\n```mermaid\ngraph LR\n  A[\"a & b\"] --> B<br>\n```\n\nAfter `x`.\n",
            "# T\n\nBefore.\n\n\n<pre class=\"mermaid\">graph LR\n  A[&quot;a &amp; b&quot;] --&gt; B&lt;br&gt;\n</pre>\n\n\n\nAfter `x`.\n",
        ),
        (
            "```mermaid\r\na\r\n```\r\n\r\nmid\r\n\r\n```mermaid\r\nb\r\n```\r\n",
            "\n<pre class=\"mermaid\">a\n</pre>\n\n\r\n\r\nmid\r\n\r\n\n<pre class=\"mermaid\">b\n</pre>\n\n\r\n",
        ),
        ("```mermaid\n```\n", "\n<pre class=\"mermaid\"></pre>\n\n\n"),
        (
            "- item\n\n  ```mermaid\n  graph\n    x\n  ```\n\n> ```mermaid\n> q\n> ```\n",
            "- item\n\n  \n<pre class=\"mermaid\">graph\n    x\n</pre>\n\n\n\n> \n<pre class=\"mermaid\">q\n</pre>\n\n\n",
        ),
    ];

    #[test]
    fn diagrams_are_what_mdbook_mermaid_makes_of_them() {
        for (page, expected) in RECORDED {
            assert_eq!(diagrams(page).as_deref(), Some(*expected), "{page:?}");
        }
    }

    #[test]
    fn other_blocks_and_pages_without_diagrams_are_untouched() {
        assert_eq!(
            diagrams("```mermaid-ish\nx\n```\n\n```\nmermaid\n```\n"),
            None
        );
        assert_eq!(diagrams("text only\n"), None);
    }
}
