//! The book for assistants: `llms.txt` (an index of the live pages with a
//! one-line summary each) and `llms-full.md` (every live page in reading
//! order, directives expanded, every link absolute).
//!
//! It runs as an mdBook renderer (`mdbook-alga render-llms`, `[output.llms]`)
//! on the book as the preprocessors left it, and writes both files next to
//! the HTML site, so that they are published with it; with them, the search's
//! exact-term index (`search-terms.json`, see [`crate::search_terms`]).

use mdbook_preprocessor::book::{Book, BookItem, Chapter};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What the renderer needs from the render context.
pub struct Site {
    /// The chapter title.
    pub title: String,
    /// Its one-line summary.
    pub description: String,
    /// The absolute URL of the published site, ending in `/`.
    pub base: String,
}

/// A chapter's URL on the site.
fn page_url(base: &str, path: &Path) -> String {
    let p = path.to_string_lossy().replace('\\', "/");
    let html = match p.strip_suffix(".md") {
        Some(stem) if stem == "README" || stem.ends_with("/README") => {
            format!("{}index.html", &stem[..stem.len() - "README".len()])
        }
        Some(stem) => format!("{stem}.html"),
        None => p,
    };
    format!("{base}{html}")
}

/// Resolve a relative link of the page at `from` to an absolute URL (`.md`
/// becomes `.html`); absolute and external links are returned unchanged.
pub fn absolute_link(base: &str, from: &Path, dest: &str) -> String {
    if dest.is_empty() || dest.contains("://") || dest.starts_with("mailto:") {
        return dest.to_owned();
    }
    if let Some(frag) = dest.strip_prefix('#') {
        return format!("{}#{frag}", page_url(base, from));
    }
    if let Some(rooted) = dest.strip_prefix('/') {
        return format!("{base}{rooted}");
    }
    let (file, frag) = match dest.split_once('#') {
        Some((f, x)) => (f, Some(x)),
        None => (dest, None),
    };
    let mut parts: Vec<&str> = from
        .parent()
        .map(|p| p.to_str().unwrap_or(""))
        .unwrap_or("")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    for seg in file.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let joined = PathBuf::from(parts.join("/"));
    let mut url = if file.ends_with(".md") {
        page_url(base, &joined)
    } else {
        format!("{base}{}", parts.join("/"))
    };
    if let Some(f) = frag {
        let _ = write!(url, "#{f}");
    }
    url
}

/// The chapter's Markdown with every link made absolute.
pub fn absolute_links(base: &str, chapter: &Chapter) -> String {
    let Some(path) = &chapter.path else {
        return chapter.content.clone();
    };
    let text = &chapter.content;
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    for (event, range) in
        Parser::new_ext(text, alga_book_data::scanner::cmark_options()).into_offset_iter()
    {
        let dest = match &event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => dest_url,
            _ => continue,
        };
        let url = absolute_link(base, path, dest);
        if url == dest.as_ref() {
            continue;
        }
        // The destination as written, inside `](…)` of this link.
        let span = &text[range.clone()];
        if let Some(i) = span.rfind(&format!("]({dest}")) {
            let at = range.start + i + 2;
            edits.push((at..at + dest.len(), url));
        }
    }
    let mut out = text.clone();
    for (r, url) in edits.into_iter().rev() {
        out.replace_range(r, &url);
    }
    out
}

/// The first sentence of a chapter's first paragraph, as plain text.
pub fn summary(chapter: &Chapter) -> String {
    let mut text = String::new();
    let mut in_para = false;
    for event in Parser::new_ext(&chapter.content, alga_book_data::scanner::cmark_options()) {
        match event {
            Event::Start(Tag::Paragraph) => in_para = true,
            Event::End(TagEnd::Paragraph) if in_para => break,
            Event::Text(t) if in_para => text.push_str(&t),
            Event::Code(t) if in_para => {
                let _ = write!(text, "`{t}`");
            }
            Event::SoftBreak | Event::HardBreak if in_para => text.push(' '),
            _ => {}
        }
    }
    let text = text.trim();
    let end = text
        .char_indices()
        .find(|&(i, c)| c == '.' && text[i + 1..].starts_with(' '))
        .map_or(text.len(), |(i, _)| i + 1);
    text[..end].to_owned()
}

fn chapters(
    items: &[BookItem],
    out: &mut Vec<(usize, Option<String>, Chapter)>,
    depth: usize,
    part: &mut Option<String>,
) {
    for item in items {
        match item {
            BookItem::PartTitle(t) => *part = Some(t.clone()),
            BookItem::Chapter(ch) if ch.path.is_some() => {
                out.push((depth, part.clone(), ch.clone()));
                chapters(&ch.sub_items, out, depth + 1, part);
            }
            _ => {}
        }
    }
}

/// `llms.txt`: the title, the description, then each live page by part.
pub fn index(site: &Site, book: &Book) -> String {
    let mut out = format!("# {}\n\n> {}\n", site.title, site.description);
    let _ = writeln!(
        out,
        "\nThe whole book as one Markdown file: {}llms-full.md",
        site.base
    );
    let mut list = Vec::new();
    chapters(&book.items, &mut list, 0, &mut None);
    let mut current: Option<Option<String>> = None;
    for (depth, part, ch) in &list {
        if current.as_ref() != Some(part) {
            let _ = writeln!(out, "\n## {}\n", part.as_deref().unwrap_or("Start here"));
            current = Some(part.clone());
        }
        let url = page_url(&site.base, ch.path.as_ref().unwrap());
        let s = summary(ch);
        let indent = "  ".repeat(*depth);
        if s.is_empty() {
            let _ = writeln!(out, "{indent}- [{}]({url})", ch.name);
        } else {
            let _ = writeln!(out, "{indent}- [{}]({url}): {s}", ch.name);
        }
    }
    out
}

/// `llms-full.md`: every live page in reading order, links absolute.
pub fn full(site: &Site, book: &Book) -> String {
    let mut out = format!("# {}\n\n> {}\n", site.title, site.description);
    let mut list = Vec::new();
    chapters(&book.items, &mut list, 0, &mut None);
    for (_, _, ch) in &list {
        let url = page_url(&site.base, ch.path.as_ref().unwrap());
        let _ = write!(
            out,
            "\n---\n\n<!-- {url} -->\n\n{}\n",
            absolute_links(&site.base, ch).trim_end()
        );
    }
    out
}

/// The files the `llms` output writes into the HTML folder (and its own):
/// the index, the whole book, and the search's exact-term index.
pub const FILES: [&str; 3] = ["llms.txt", "llms-full.md", "search-terms.json"];

/// Read the render context from stdin and write both files beside the HTML.
pub fn render(ctx: &Value) -> anyhow::Result<()> {
    let book: Book = serde_json::from_value(ctx["book"].clone())?;
    let cfg = &ctx["config"];
    let out_cfg = &cfg["output"]["llms"];
    let base = out_cfg["site-url"].as_str().ok_or_else(|| {
        anyhow::anyhow!(
            "book.toml: [output.llms] needs `site-url`, the absolute URL of the published site"
        )
    })?;
    anyhow::ensure!(
        base.starts_with("https://") || base.starts_with("http://"),
        "book.toml: [output.llms] site-url `{base}` is not an absolute URL"
    );
    let site = Site {
        title: cfg["book"]["title"].as_str().unwrap_or("").to_owned(),
        description: cfg["book"]["description"].as_str().unwrap_or("").to_owned(),
        base: format!("{}/", base.trim_end_matches('/')),
    };
    let dest = PathBuf::from(ctx["destination"].as_str().unwrap_or("."));
    // Next to the HTML site (`<build-dir>/html`), which is what is published.
    let html = dest
        .parent()
        .map(|p| p.join("html"))
        .unwrap_or(dest.clone());
    let [index_file, full_file, terms_file] = FILES;
    for dir in [&dest, &html] {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(index_file), index(&site, &book))?;
        std::fs::write(dir.join(full_file), full(&site, &book))?;
        std::fs::write(
            dir.join(terms_file),
            crate::search_terms::to_json(&crate::search_terms::terms(&book)),
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://example.org/book/";

    #[test]
    fn links_become_absolute() {
        let from = Path::new("guides/a.md");
        for (dest, want) in [
            (
                "../reference/errors.md#x",
                "https://example.org/book/reference/errors.html#x",
            ),
            ("b.md", "https://example.org/book/guides/b.html"),
            ("#here", "https://example.org/book/guides/a.html#here"),
            ("../README.md", "https://example.org/book/index.html"),
            (
                "../schemas/s.json",
                "https://example.org/book/schemas/s.json",
            ),
            ("https://github.com/o/r", "https://github.com/o/r"),
        ] {
            assert_eq!(absolute_link(BASE, from, dest), want, "{dest}");
        }
    }

    #[test]
    fn a_chapters_links_are_rewritten_and_nothing_else() {
        let ch = Chapter::new(
            "A",
            "# A\n\nSee [errors](../reference/errors.md#x) and `[not](a.md)` and [gh](https://x/y).\n".into(),
            "guides/a.md",
            vec![],
        );
        assert_eq!(
            absolute_links(BASE, &ch),
            "# A\n\nSee [errors](https://example.org/book/reference/errors.html#x) and `[not](a.md)` and [gh](https://x/y).\n"
        );
    }

    #[test]
    fn summaries_are_the_first_sentence() {
        let ch = Chapter::new(
            "A",
            "# A\n\nYou want `x`. Then more.\n\nNext.\n".into(),
            "a.md",
            vec![],
        );
        assert_eq!(summary(&ch), "You want `x`.");
    }
}
