//! The redirect check: every page of the retired site has a redirect (or is a
//! live page), and every redirect lands on a page and fragment that the built
//! book really has.
//!
//! Inputs: `archive/old-site.toml` (the retired site's pages), the
//! `[output.html.redirect]` table of `book.toml`, and the HTML build output.

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `archive/old-site.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OldSite {
    /// The upstream folder the retired site was built from.
    pub folder: String,
    /// Old pages whose URL a live page of this book occupies.
    #[serde(default)]
    pub live: Vec<String>,
    /// Every Markdown page of the retired site, relative to `folder`.
    pub pages: Vec<String>,
}

impl OldSite {
    /// Read the old site's page list.
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("{}: not a valid old-site index", path.display()))
    }

    /// The old URL of each page, as a key of the redirect table (`/x/y.html`).
    pub fn urls(&self) -> impl Iterator<Item = (&str, String)> {
        self.pages.iter().map(|p| {
            let stem = p.strip_suffix(".md").unwrap_or(p);
            (p.as_str(), format!("/{stem}.html"))
        })
    }
}

/// Read `[output.html.redirect]` from a `book.toml`.
pub fn redirect_table(book_toml: &Path) -> Result<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(book_toml)
        .with_context(|| format!("reading {}", book_toml.display()))?;
    let doc: toml::Table = toml::from_str(&text)?;
    let table = doc
        .get("output")
        .and_then(|o| o.get("html"))
        .and_then(|h| h.get("redirect"))
        .and_then(|r| r.as_table())
        .context("book.toml has no [output.html.redirect] table")?;
    table
        .iter()
        .map(|(k, v)| match v.as_str() {
            Some(s) => Ok((k.clone(), s.to_owned())),
            None => bail!("redirect `{k}` must map to a string"),
        })
        .collect()
}

/// Every problem found; empty means the redirects are sound.
pub fn check(
    site: &OldSite,
    redirects: &BTreeMap<String, String>,
    html_dir: &Path,
    upstream_tree: Option<&str>,
) -> Vec<String> {
    let mut problems = Vec::new();

    // 1. The list of old pages is complete (when the upstream listing is at hand).
    if let Some(tree) = upstream_tree {
        let prefix = format!("{}/", site.folder);
        let upstream: BTreeSet<&str> = tree
            .lines()
            .filter_map(|l| l.strip_prefix(&prefix))
            .filter(|p| p.ends_with(".md"))
            .collect();
        let listed: BTreeSet<&str> = site.pages.iter().map(String::as_str).collect();
        for missing in upstream.difference(&listed) {
            problems.push(format!(
                "old page `{}/{missing}` exists upstream but is not listed in archive/old-site.toml",
                site.folder
            ));
        }
        for extra in listed.difference(&upstream) {
            problems.push(format!(
                "archive/old-site.toml lists `{extra}`, which is not a page of `{}` upstream",
                site.folder
            ));
        }
    }

    // 2. Every old page has a redirect, or is a live page.
    for (page, url) in site.urls() {
        let is_live = site.live.iter().any(|l| l == page);
        match (redirects.contains_key(&url), is_live) {
            (true, true) => problems.push(format!(
                "`{url}` is a live page and has a redirect; mdBook would skip the redirect"
            )),
            (false, false) => problems.push(format!(
                "old page `{}/{page}` has no redirect: add `\"{url}\" = \"<new page>.html\"` to [output.html.redirect]",
                site.folder
            )),
            (false, true) => {
                let file = html_dir.join(url.trim_start_matches('/'));
                if !file.is_file() {
                    problems.push(format!(
                        "`{url}` is listed as a live page but the build has no {}",
                        file.display()
                    ));
                }
            }
            (true, false) => {}
        }
    }

    // 3. Every redirect, page and fragment, lands somewhere real.
    let mut ids_cache: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in redirects {
        let (from_page, _) = from.split_once('#').unwrap_or((from, ""));
        if !from_page.starts_with('/') || !from_page.ends_with(".html") {
            problems.push(format!(
                "redirect key `{from}` must be an absolute `/….html` path"
            ));
            continue;
        }
        if !from.contains('#') && !html_dir.join(&from_page[1..]).is_file() {
            problems.push(format!(
                "redirect page for `{from}` was not written by the build"
            ));
        }
        let base = Path::new(&from_page[1..]).parent().unwrap_or(Path::new(""));
        let (target_page, fragment) = to.split_once('#').unwrap_or((to, ""));
        let Some(target) = normalise(&base.join(target_page)) else {
            problems.push(format!("redirect `{from}` → `{to}` leaves the book"));
            continue;
        };
        let file = html_dir.join(&target);
        if !file.is_file() {
            problems.push(format!(
                "redirect `{from}` → `{to}`: the built book has no page `{target}`"
            ));
            continue;
        }
        if is_redirect_page(&file) {
            problems.push(format!(
                "redirect `{from}` → `{to}` lands on another redirect"
            ));
        }
        if !fragment.is_empty() {
            let ids = ids_cache
                .entry(target.clone())
                .or_insert_with(|| html_ids(&std::fs::read_to_string(&file).unwrap_or_default()));
            if !ids.contains(fragment) {
                problems.push(format!(
                    "redirect `{from}` → `{to}`: page `{target}` has no element with id `{fragment}`"
                ));
            }
        }
    }
    problems
}

/// Resolve `.` and `..` without touching the file system; `None` if the path
/// climbs above the book root.
pub(crate) fn normalise(path: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in path.components() {
        match c {
            std::path::Component::Normal(p) => parts.push(p.to_string_lossy().into_owned()),
            std::path::Component::ParentDir => {
                parts.pop()?;
            }
            std::path::Component::CurDir => {}
            _ => return None,
        }
    }
    Some(parts.join("/"))
}

fn is_redirect_page(file: &Path) -> bool {
    std::fs::read_to_string(file).is_ok_and(|t| t.contains("<title>Redirecting...</title>"))
}

/// Every `id="…"` attribute value in an HTML document.
pub fn html_ids(html: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        if let Some(end) = rest.find('"') {
            ids.insert(decode_entities(&rest[..end]));
            rest = &rest[end..];
        }
    }
    ids
}

pub(crate) fn decode_entities(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(pages: &[&str], live: &[&str]) -> OldSite {
        OldSite {
            folder: "docs/old".into(),
            live: live.iter().map(|s| s.to_string()).collect(),
            pages: pages.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn book(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    const REDIRECT: &str = "<title>Redirecting...</title>";

    fn redirects(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn a_sound_table_passes() {
        let dir = book(&[
            ("index.html", "<h1 id=\"intro\">x</h1>"),
            ("guide/a.html", "<h2 id=\"calling-it\">x</h2>"),
            ("old.html", REDIRECT),
            ("samples/e2e.html", REDIRECT),
        ]);
        let r = redirects(&[
            ("/old.html", "guide/a.html"),
            ("/old.html#frag", "guide/a.html#calling-it"),
            ("/samples/e2e.html", "../index.html#intro"),
        ]);
        let s = site(&["index.md", "old.md", "samples/e2e.md"], &["index.md"]);
        let tree = "docs/old/index.md\ndocs/old/old.md\ndocs/old/samples/e2e.md\nother/x.md\n";
        assert_eq!(check(&s, &r, dir.path(), Some(tree)), Vec::<String>::new());
    }

    #[test]
    fn each_defect_is_reported() {
        let dir = book(&[
            ("index.html", "<h1 id=\"intro\">x</h1>"),
            ("old.html", REDIRECT),
            ("b.html", REDIRECT),
            ("c.html", REDIRECT),
        ]);
        let r = redirects(&[
            ("/old.html", "gone.html"),
            ("/b.html", "index.html#no-such-id"),
            ("/c.html", "../../etc/passwd"),
            ("/index.html", "old.html"),
        ]);
        let s = site(
            &["index.md", "old.md", "b.md", "c.md", "lost.md"],
            &["index.md"],
        );
        let tree = "docs/old/index.md\ndocs/old/old.md\ndocs/old/b.md\ndocs/old/c.md\ndocs/old/new-upstream.md\n";
        let problems = check(&s, &r, dir.path(), Some(tree));
        let expect = [
            "`docs/old/new-upstream.md` exists upstream but is not listed",
            "lists `lost.md`, which is not a page",
            "old page `docs/old/lost.md` has no redirect",
            "`/index.html` is a live page and has a redirect",
            "the built book has no page `gone.html`",
            "has no element with id `no-such-id`",
            "leaves the book",
            "lands on another redirect",
        ];
        for e in expect {
            assert!(
                problems.iter().any(|p| p.contains(e)),
                "missing `{e}` in {problems:#?}"
            );
        }
        assert_eq!(problems.len(), expect.len(), "{problems:#?}");
    }

    #[test]
    fn ids_are_read_with_entities_decoded() {
        let ids = html_ids(r#"<tr id="manifest.api.endpoints[].method"><a id="a&amp;b">"#);
        assert!(ids.contains("manifest.api.endpoints[].method"));
        assert!(ids.contains("a&b"));
    }
}
