//! Internal link check on the final Markdown of every chapter: each relative
//! link must reach a chapter (or a file under `src/`), and each `#fragment` an
//! id that mdBook 0.5 will generate (same slug rules, `{#id}` attributes,
//! duplicates suffixed `-1`, `-2`) or that raw HTML declares.

use crate::offset_map::OffsetMap;
use alga_diagnostics::Diagnostic;
use alga_diagnostics::Diagnostics;
use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use regex::Regex;
use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::LazyLock;

/// mdBook's `id_from_content`: lower-case, alphanumerics, `_` and `-` kept,
/// white space to `-`, everything else dropped.
pub fn slug(text: &str) -> String {
    text.trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// mdBook's `unique_id`.
fn unique(id: String, used: &mut HashSet<String>) -> String {
    if used.insert(id.clone()) {
        return id;
    }
    let mut n = 1u32;
    loop {
        let candidate = format!("{id}-{n}");
        if used.insert(candidate.clone()) {
            return candidate;
        }
        n += 1;
    }
}

static HTML_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bid\s*=\s*["']([^"']+)["']"#).unwrap());

/// Every id a chapter's HTML will carry: headings and definition terms, plus
/// `id="..."` attributes in raw HTML.
pub fn ids(markdown: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut used = HashSet::new();
    let mut current: Option<(Option<String>, String)> = None;
    for event in Parser::new_ext(markdown, alga_book_data::scanner::cmark_options()) {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                current = Some((id.map(|i| i.to_string()), String::new()))
            }
            Event::Start(Tag::DefinitionListTitle) => current = Some((None, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_) | TagEnd::DefinitionListTitle) => {
                if let Some((explicit, text)) = current.take() {
                    match explicit {
                        Some(id) => {
                            out.insert(id);
                        }
                        None => {
                            out.insert(unique(slug(&text), &mut used));
                        }
                    }
                }
            }
            Event::Html(h) | Event::InlineHtml(h) => {
                for c in HTML_ID.captures_iter(&h) {
                    out.insert(c[1].to_owned());
                }
            }
            _ => {}
        }
    }
    out
}

/// A chapter as the link check sees it.
pub struct Page<'a> {
    /// Path within the book (`guides/x.md`).
    pub path: String,
    /// File as the author knows it (`src/guides/x.md`).
    pub file: String,
    /// The author's text.
    pub source: &'a str,
    /// The expanded text mdBook will render.
    pub output: &'a str,
    /// Output offsets back to the author's.
    pub map: &'a OffsetMap,
}

fn is_external(dest: &str) -> bool {
    static SCHEME: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9+.-]*:").unwrap());
    SCHEME.is_match(dest) || dest.starts_with("//")
}

/// Join and normalise `rel` against the folder of `from` (both book paths).
pub fn resolve(from: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&s[i + 1..(i + 3).min(s.len())], 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Every link target of a page's final Markdown with its byte range there:
/// Markdown links and images, and `href`/`src` attributes of raw HTML. Empty
/// targets and reference links without a definition are reported here.
fn link_targets(page: &Page, diags: &mut Diagnostics) -> Vec<(String, std::ops::Range<usize>)> {
    static ATTR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?i)\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')"#).unwrap()
    });
    let mut broken = Vec::new();
    let mut on_broken = |link: pulldown_cmark::BrokenLink<'_>| {
        if matches!(
            link.link_type,
            pulldown_cmark::LinkType::Reference | pulldown_cmark::LinkType::Collapsed
        ) {
            broken.push((link.reference.to_string(), link.span.clone()));
        }
        None
    };
    let mut out = Vec::new();
    let mut empty = Vec::new();
    let parser = Parser::new_with_broken_link_callback(
        page.output,
        alga_book_data::scanner::cmark_options(),
        Some(&mut on_broken),
    );
    for (event, range) in parser.into_offset_iter() {
        match &event {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                if dest_url.is_empty() {
                    empty.push(range);
                } else {
                    out.push((dest_url.to_string(), range));
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                for c in ATTR.captures_iter(html) {
                    let m = c.get(1).or_else(|| c.get(2)).unwrap();
                    let at = range.start + m.start();
                    if !m.as_str().is_empty() {
                        out.push((m.as_str().to_owned(), at..at + m.len()));
                    }
                }
            }
            _ => {}
        }
    }
    let located = |range: &std::ops::Range<usize>| {
        let src = page.map.to_source(range.start);
        let len = range.len().min(
            page.source[src..]
                .find('\n')
                .unwrap_or(page.source.len() - src),
        );
        src..src + len
    };
    for range in empty {
        diags.push(
            Diagnostic::error("link with an empty target")
                .at(&page.file, page.source, located(&range))
                .hint(
                    "write where it goes, e.g. `[text](../reference/errors.md#endpoint_not_found)`",
                ),
        );
    }
    for (reference, range) in broken {
        diags.push(Diagnostic::error(format!("reference link `[{reference}]` has no definition")).at(&page.file, page.source, located(&range)).hint(format!(
                "define it on a line of its own, `[{reference}]: target.md`, or write an inline link"
            )));
    }
    out
}

/// Check every relative link of every page.
pub fn check(pages: &[Page], src_dir: &Path, diags: &mut Diagnostics) {
    let by_path: BTreeMap<&str, &Page> = pages.iter().map(|p| (p.path.as_str(), p)).collect();
    // The ids of a page, worked out the first time a link needs them: most
    // pages are never the target of a fragment link.
    let mut id_cache: BTreeMap<&str, HashSet<String>> = BTreeMap::new();
    for page in pages {
        for (dest, range) in link_targets(page, diags) {
            if is_external(&dest) {
                continue;
            }
            let src = page.map.to_source(range.start);
            let report = |diags: &mut Diagnostics, msg: String, hint: Option<String>| {
                let end = src
                    + page.source[src..]
                        .find(['\n'])
                        .unwrap_or(page.source.len() - src)
                        .min(range.len());
                diags.push(
                    Diagnostic::error(msg)
                        .at(&page.file, page.source, src..end)
                        .maybe_hint(hint),
                );
            };
            if dest.starts_with('/') {
                report(
                    diags,
                    format!("link `{dest}` is absolute"),
                    Some(
                        "link chapters with a relative path, e.g. `../reference/errors.md`".into(),
                    ),
                );
                continue;
            }
            let (file_part, fragment) = match dest.split_once('#') {
                Some((f, frag)) => (f, Some(percent_decode(frag))),
                None => (dest.as_str(), None),
            };
            let file_part = percent_decode(file_part.split('?').next().unwrap_or(""));
            let target = if file_part.is_empty() {
                page.path.clone()
            } else {
                let Some(mut t) = resolve(&page.path, &file_part) else {
                    report(diags, format!("link `{dest}` leaves the book"), None);
                    continue;
                };
                if t.ends_with(".html") {
                    t = format!("{}.md", &t[..t.len() - 5]);
                }
                let readme_link = ["README.md", "README.html"]
                    .into_iter()
                    .find(|r| file_part == *r || file_part.ends_with(&format!("/{r}")));
                if let Some(readme) = readme_link
                    && by_path.contains_key(t.as_str())
                {
                    // mdBook writes a `README.md` chapter as `index.html` but
                    // rewrites a link to it only to `README.html`.
                    let index = format!("{}index.html", &t[..t.len() - "README.md".len()]);
                    let suggest = format!(
                        "{}{}",
                        &file_part[..file_part.len() - readme.len()],
                        readme.replace("README", "index")
                    );
                    report(
                        diags,
                        format!(
                            "link `{dest}` names `{t}`, which mdBook writes as `{index}`; the link would point to a `README.html` that does not exist"
                        ),
                        Some(format!(
                            "link `{suggest}` instead: mdBook turns it into `{index}`"
                        )),
                    );
                    continue;
                }
                if (t == "index.md" || t.ends_with("/index.md"))
                    && !by_path.contains_key(t.as_str())
                {
                    t = format!("{}README.md", &t[..t.len() - 8]);
                } else if file_part.ends_with('/') || t.is_empty() {
                    t = if t.is_empty() {
                        "README.md".into()
                    } else {
                        format!("{t}/README.md")
                    };
                }
                t
            };
            if !target.ends_with(".md") {
                if !src_dir.join(&target).is_file() {
                    report(
                        diags,
                        format!(
                            "link `{dest}` points to `{target}`, which is not a file of the book"
                        ),
                        None,
                    );
                }
                continue;
            }
            let Some(target_page) = by_path.get(target.as_str()) else {
                let on_disk = src_dir.join(&target).is_file();
                let near = alga_diagnostics::nearest(&target, by_path.keys().copied());
                report(
                    diags,
                    if on_disk {
                        format!(
                            "link `{dest}` points to `{target}`, which is not a live chapter (a draft, or missing from SUMMARY.md)"
                        )
                    } else {
                        format!(
                            "link `{dest}` points to `{target}`, which is not a chapter of the book"
                        )
                    },
                    near.map(|n| format!("did you mean `{n}`?")).or_else(|| {
                        Some("link a chapter listed in SUMMARY.md, by its `.md` path relative to this page".into())
                    }),
                );
                continue;
            };
            if let Some(frag) = fragment
                && !frag.is_empty()
            {
                let ids = id_cache
                    .entry(target_page.path.as_str())
                    .or_insert_with(|| ids(target_page.output));
                if !ids.contains(&frag) {
                    let near = alga_diagnostics::nearest(&frag, ids.iter().map(String::as_str));
                    report(
                        diags,
                        format!(
                            "link `{dest}`: `{}` has no heading or anchor `#{frag}`",
                            target_page.path
                        ),
                        near.map(|n| format!("did you mean `#{n}`?")),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_match_mdbook() {
        assert_eq!(
            slug("`--passes`: add more rustdoc passes"),
            "--passes-add-more-rustdoc-passes"
        );
        assert_eq!(slug("Über Straße"), "über-straße");
        assert_eq!(slug("HTTP contracts: /api/ext"), "http-contracts-apiext");
    }

    #[test]
    fn ids_cover_duplicates_explicit_and_html() {
        let md = "# A\n\n## A\n\n## A\n\n## B {#custom}\n\n<a id=\"raw\"></a>\n\nTerm\n: def\n";
        let ids = ids(md);
        for want in ["a", "a-1", "a-2", "custom", "raw", "term"] {
            assert!(ids.contains(want), "missing {want}: {ids:?}");
        }
        assert!(!ids.contains("b"));
    }

    #[test]
    fn resolves_relative_paths() {
        assert_eq!(
            resolve("guides/a.md", "../reference/b.md").as_deref(),
            Some("reference/b.md")
        );
        assert_eq!(resolve("a.md", "../x.md"), None);
    }
}
