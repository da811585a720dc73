//! Exact-term lookup for the site search.
//!
//! mdBook's search ranks sections by word frequency, so a long reference
//! table that defines `EXT_EGRESS_ALLOWLIST` loses to a short paragraph that
//! merely mentions it. The reference pages' tables are where the book defines
//! its terms: the first cell of each row names one (an error code, an
//! environment variable, a capability, a CLI flag, a route). This module
//! collects those names with the row's anchor (or the section's), and
//! `theme/search-terms.js` puts the definition first when a reader searches
//! for exactly that term.
//!
//! Every live page's section headings, and the bold lead-in that names a
//! list item (`- **Rate limit.** …`), are terms too: a reader who types
//! "debug stream" gets the section called "The debug stream" first. They
//! come after the reference definitions, and show as sections.

use mdbook_preprocessor::book::{Book, BookItem};
use regex::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// One defined term.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Term {
    /// The term, lower-cased, as a query is compared.
    pub k: String,
    /// The term as written.
    pub t: String,
    /// Its definition: the page's URL path with the row's or section's anchor.
    pub u: String,
    /// The page's title.
    pub p: String,
    /// Whether the term has an anchor of its own (a table row's id or a
    /// heading that is the term): such definitions are listed first.
    pub a: bool,
    /// Whether the term names a section or a list item of a page (shown as
    /// a section, not as a definition).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub s: bool,
    /// For a section, how much it says: the bytes up to the next heading of
    /// its level or above (for a list item, its line). Of several sections
    /// with one name, the longest is listed first.
    #[serde(skip_serializing_if = "is_zero")]
    pub w: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Chapters whose tables define terms.
const DEFINING: &str = "reference/";

/// Every term the reference pages' tables define, in book order.
pub fn terms(book: &Book) -> Vec<Term> {
    let mut out = Vec::new();
    for item in book.iter() {
        let BookItem::Chapter(ch) = item else {
            continue;
        };
        let Some(path) = &ch.path else { continue };
        let p = path.to_string_lossy().replace('\\', "/");
        if !p.starts_with(DEFINING) {
            continue;
        }
        let url = format!("{}.html", p.trim_end_matches(".md"));
        collect(&ch.content, &url, &ch.name, &mut out);
    }
    for item in book.iter() {
        let BookItem::Chapter(ch) = item else {
            continue;
        };
        let Some(path) = &ch.path else { continue };
        let p = path.to_string_lossy().replace('\\', "/");
        if UNSEARCHED.iter().any(|u| p.starts_with(u)) {
            continue;
        }
        let url = format!("{}.html", p.trim_end_matches(".md"));
        collect_sections(&ch.content, &url, &ch.name, &mut out);
    }
    out
}

/// Chapters whose sections are not terms: the retired pages and the
/// generated source map, which the search index leaves out too.
const UNSEARCHED: &[&str] = &["archive/", "contributing/source-map"];

/// A section's name as a reader types it: code spans and emphasis unwrapped,
/// a leading article and a trailing full stop dropped.
fn section_name(text: &str) -> String {
    let plain: String = text
        .chars()
        .filter(|c| !matches!(c, '`' | '*' | '_'))
        .collect();
    let plain = plain.trim().trim_end_matches(['.', ':']);
    let lower = plain.to_lowercase();
    for article in ["the ", "a ", "an "] {
        if lower.starts_with(article) {
            return plain[article.len()..].trim().to_owned();
        }
    }
    plain.to_owned()
}

/// The section headings (level 2 and below) and the bold lead-ins of list
/// items of one page, each with its section's anchor.
fn collect_sections(markdown: &str, url: &str, title: &str, out: &mut Vec<Term>) {
    static HEADING_ID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\s*\{#([A-Za-z0-9_.:-]+)\}\s*$").unwrap());
    static LEAD_IN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*[-*] \*\*([^*]{2,60}?)\*\*").unwrap());
    // Headings outside code: (byte offset, level) of each line.
    let mut headings: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    let mut fence = false;
    for line in markdown.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("```") {
            fence = !fence;
        } else if !fence && t.starts_with('#') {
            let level = t.bytes().take_while(|&b| b == b'#').count();
            if t.as_bytes().get(level) == Some(&b' ') {
                headings.push((offset, level));
            }
        }
        offset += line.len();
    }
    let size_from = |at: usize, level: usize| {
        headings
            .iter()
            .find(|&&(o, l)| o > at && l <= level)
            .map_or(markdown.len(), |&(o, _)| o)
            - at
    };
    let mut section = String::new();
    let mut in_fence = false;
    let mut offset = 0;
    for line in markdown.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(h) = trimmed.strip_prefix("##") {
            let level = 2 + h.bytes().take_while(|&b| b == b'#').count();
            let text = h.trim_start_matches('#').trim();
            let (text, id) = match HEADING_ID.captures(text) {
                Some(c) => (&text[..c.get(0).unwrap().start()], c[1].to_owned()),
                None => (text, crate::links::slug(&text.replace('`', ""))),
            };
            section = id;
            let size = size_from(at, level);
            push_section(
                out,
                &section_name(text),
                &format!("{url}#{section}"),
                title,
                size,
            );
            continue;
        }
        if trimmed.starts_with("# ") {
            section.clear();
            continue;
        }
        if let Some(c) = LEAD_IN.captures(line) {
            let place = if section.is_empty() {
                url.to_owned()
            } else {
                format!("{url}#{section}")
            };
            push_section(
                out,
                &section_name(&c[1]),
                &place,
                title,
                item_len(markdown, at),
            );
        }
    }
}

/// The bytes of the list item that starts at `at`: up to a blank line, a
/// heading, or the next item at its indentation or less.
fn item_len(markdown: &str, at: usize) -> usize {
    let rest = &markdown[at..];
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut lines = rest.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    let own = indent(first);
    let mut len = first.trim_end().len();
    let mut seen = first.len();
    for l in lines {
        let t = l.trim_start();
        let starts_item = t.starts_with("- ") || t.starts_with("* ");
        if t.trim().is_empty() || t.starts_with('#') || (starts_item && indent(l) <= own) {
            break;
        }
        seen += l.len();
        len = seen - (l.len() - l.trim_end().len());
    }
    len
}

fn push_section(out: &mut Vec<Term>, name: &str, at: &str, title: &str, size: usize) {
    if name.is_empty() || name.len() > 80 {
        return;
    }
    let k = name.to_lowercase();
    if out.iter().any(|o| o.k == k && o.u == at) {
        return;
    }
    out.push(Term {
        k,
        t: name.to_owned(),
        u: at.to_owned(),
        p: title.to_owned(),
        a: true,
        s: true,
        w: size.max(1),
    });
}

fn collect(markdown: &str, url: &str, title: &str, out: &mut Vec<Term>) {
    static SPAN_ID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"<span id="([^"]+)"></span>"#).unwrap());
    static CODE: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"`([^`]+)`").unwrap());
    static HEADING_ID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{#([A-Za-z0-9_.:-]+)\}\s*$").unwrap());
    let lines: Vec<&str> = markdown.lines().collect();
    let mut section = String::new();
    let mut in_fence = false;
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence {
            continue;
        }
        if let Some(h) = trimmed.strip_prefix('#') {
            let text = h.trim_start_matches('#').trim();
            section = match HEADING_ID.captures(text) {
                Some(c) => c[1].to_owned(),
                None => crate::links::slug(&CODE.replace_all(text, "$1")),
            };
            // A heading that is one code span defines that term.
            let bare = HEADING_ID.replace(text, "");
            let bare = bare.trim();
            if let Some(c) = CODE.captures(bare).filter(|c| c[0].len() == bare.len()) {
                push(out, c[1].trim(), &format!("{url}#{section}"), title, true);
            }
            continue;
        }
        // A table body row: a row that is neither the header (followed by
        // the delimiter row) nor the delimiter row itself.
        if !trimmed.starts_with('|') || trimmed.starts_with("|---") || trimmed.starts_with("| ---")
        {
            continue;
        }
        let next_is_delimiter = lines.get(i + 1).is_some_and(|n| {
            n.trim_start().starts_with("|--") || n.trim_start().starts_with("| --")
        });
        if next_is_delimiter {
            continue;
        }
        let Some(first) = first_cell(trimmed) else {
            continue;
        };
        let row_anchor = SPAN_ID.captures(first).map(|c| c[1].to_owned());
        let anchored = row_anchor.is_some();
        let anchor = row_anchor.unwrap_or_else(|| section.clone());
        let at = if anchor.is_empty() {
            url.to_owned()
        } else {
            format!("{url}#{anchor}")
        };
        for c in CODE.captures_iter(first) {
            push(out, c[1].trim(), &at, title, anchored);
        }
        // A row whose id is written in its first cell (`bundle_fetch_failed`
        // in `bundle_fetch_failed: …`) also defines the id.
        if anchored && !anchor.is_empty() {
            let cell = SPAN_ID.replace(first, "");
            if cell.contains(anchor.as_str()) {
                push(out, &anchor, &at, title, true);
            }
        }
    }
}

/// Record a term, and for a route path its prefix without the trailing
/// parameters (`/api/ext/{extensionId}/{path}` is also found as `/api/ext`).
fn push(out: &mut Vec<Term>, t: &str, at: &str, title: &str, anchored: bool) {
    if t.is_empty() || t.len() > 80 {
        return;
    }
    let mut names = vec![t.to_owned()];
    if let Some(i) = t.find('/') {
        let (method, path) = t.split_at(i);
        let mut segs: Vec<&str> = path.split('/').collect();
        while segs.last().is_some_and(|s| {
            s.is_empty()
                || s.starts_with('{')
                || s.starts_with('[')
                || s.starts_with(':')
                || s.starts_with('<')
        }) {
            segs.pop();
        }
        let stem = format!("{}{}", method, segs.join("/"));
        if stem != t && segs.len() > 1 {
            names.push(stem);
        }
    }
    for name in names {
        let term = Term {
            k: name.to_lowercase(),
            t: name.clone(),
            u: at.to_owned(),
            p: title.to_owned(),
            a: anchored,
            s: false,
            w: 0,
        };
        if !out.iter().any(|o: &Term| o.k == term.k && o.u == term.u) {
            out.push(term);
        }
    }
}

/// The first cell of a table row, up to the first unescaped `|`.
fn first_cell(row: &str) -> Option<&str> {
    let body = row.strip_prefix('|')?;
    let bytes = body.as_bytes();
    let mut in_code = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'`' => in_code = !in_code,
            b'|' if !in_code && (i == 0 || bytes[i - 1] != b'\\') => return Some(&body[..i]),
            _ => {}
        }
    }
    None
}

/// The terms as the JSON the search script loads.
pub fn to_json(terms: &[Term]) -> String {
    serde_json::to_string(terms).unwrap_or_else(|_| "[]".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_give_terms_with_their_anchor_or_section() {
        let md = "# Env\n\n## Runner {#runner}\n\n| Name | Meaning |\n|---|---|\n| <span id=\"EXT_X\"></span>`EXT_X` | x \\| y |\n| <span id=\"bad_thing\"></span>`bad_thing: …` | z |\n| `--dir`, `--directory` | the folder |\n| plain | no code |\n\n```text\n| `not` | a table |\n```\n\n## `/api/x/{id}/{path}` {#api-x}\n\n## Two words\n\n| A | B |\n|---|---|\n| `POST /api/x` | y |\n";
        let mut out = Vec::new();
        collect(md, "reference/env.html", "Env", &mut out);
        let got: Vec<(String, String, bool)> = out
            .iter()
            .map(|t| (t.t.clone(), t.u.clone(), t.a))
            .collect();
        let row = |t: &str, u: &str, a: bool| (t.to_owned(), u.to_owned(), a);
        assert_eq!(
            got,
            [
                row("EXT_X", "reference/env.html#EXT_X", true),
                row("bad_thing: …", "reference/env.html#bad_thing", true),
                row("bad_thing", "reference/env.html#bad_thing", true),
                row("--dir", "reference/env.html#runner", false),
                row("--directory", "reference/env.html#runner", false),
                row("/api/x/{id}/{path}", "reference/env.html#api-x", true),
                row("/api/x", "reference/env.html#api-x", true),
                row("POST /api/x", "reference/env.html#two-words", false),
            ]
        );
        assert_eq!(out[0].k, "ext_x");
    }

    #[test]
    fn headings_and_lead_ins_name_sections() {
        let md = "# Page\n\nIntro.\n\n## The debug stream\n\n- **Rate limit.** sixty a minute\n  and more\n- plain item\n\n```md\n## not a heading\n```\n\n### `alga build` and *more* {#build}\n";
        let mut out = Vec::new();
        collect_sections(md, "guides/p.html", "Page", &mut out);
        let got: Vec<(&str, &str, &str)> = out
            .iter()
            .map(|t| (t.k.as_str(), t.t.as_str(), t.u.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "debug stream",
                    "debug stream",
                    "guides/p.html#the-debug-stream"
                ),
                ("rate limit", "Rate limit", "guides/p.html#the-debug-stream"),
                (
                    "alga build and more",
                    "alga build and more",
                    "guides/p.html#build"
                ),
            ]
        );
        assert!(out.iter().all(|t| t.a && t.s));
        // The debug-stream section runs to the next level-2-or-above heading
        // (the end), the list item is its line.
        assert_eq!(out[0].w, md.len() - md.find("## The").unwrap());
        assert_eq!(
            out[1].w,
            "- **Rate limit.** sixty a minute\n  and more".len()
        );
    }

    #[test]
    fn the_first_cell_ends_at_an_unescaped_pipe_outside_code() {
        assert_eq!(first_cell("| `a|b` | c |"), Some(" `a|b` "));
        assert_eq!(first_cell("| a \\| b | c |"), Some(" a \\| b "));
        assert_eq!(first_cell("no"), None);
    }
}
