//! The link check of the built site: every double-quoted `href` and `src`
//! of a tag, in every HTML file, that points inside the site must name a
//! file the build wrote, and its fragment an element id on that page when
//! the target is a page.
//!
//! The preprocessor checks the links an author writes in Markdown, at the
//! author's line; this check is the backstop behind it, for what reaches the
//! HTML some other way (the theme, raw HTML, generated tables, the archive,
//! mdBook's own pages). It replaces mdbook-linkcheck2, which saw only the
//! Markdown under `src/` and no fragments.

use crate::http::percent_decode;
use crate::redirects::{html_ids, normalise};
use anyhow::{Context, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every broken internal link in the HTML under `html_dir`, as
/// `page: link \`url\`: what is wrong`. `site_url` is the book's
/// `output.html.site-url` (`/alga-extension-docs/`): absolute links must
/// start with it.
pub fn check(html_dir: &Path, site_url: &str) -> Result<Vec<String>> {
    let mut pages = Vec::new();
    html_files(html_dir, html_dir, &mut pages)?;
    let prefix = format!("/{}/", site_url.trim_matches('/')).replace("//", "/");
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for page in &pages {
        let text = std::fs::read_to_string(html_dir.join(page))
            .with_context(|| format!("reading {page}"))?;
        let base = Path::new(page).parent().unwrap_or(Path::new(""));
        for url in links(&text) {
            let Some(target) = resolve(&url, page, base, &prefix) else {
                continue;
            };
            let (file, fragment) = match target {
                Ok(t) => t,
                Err(why) => {
                    problems.push(format!("{page}: link `{url}`: {why}"));
                    continue;
                }
            };
            let mut path = html_dir.join(&file);
            if path.is_dir() {
                path = path.join("index.html");
            }
            if !path.is_file() {
                problems.push(format!("{page}: link `{url}`: the build wrote no `{file}`"));
                continue;
            }
            if fragment.is_empty() || !file.ends_with(".html") {
                continue;
            }
            let key = path
                .strip_prefix(html_dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            if !ids.contains_key(&key) {
                let html = std::fs::read_to_string(&path).unwrap_or_default();
                ids.insert(key.clone(), html_ids(&html));
            }
            if !ids[&key].contains(&fragment) {
                problems.push(format!(
                    "{page}: link `{url}`: `{key}` has no element with id `{fragment}`"
                ));
            }
        }
    }
    Ok(problems)
}

/// Where a link points: `None` outside the site (another scheme, another
/// host); else the file relative to the site root and the fragment, or why
/// the link cannot work.
fn resolve(
    url: &str,
    page: &str,
    base: &Path,
    prefix: &str,
) -> Option<std::result::Result<(String, String), String>> {
    let is_scheme = url.split_once(':').is_some_and(|(s, _)| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
    });
    if is_scheme || url.starts_with("//") {
        return None;
    }
    let (rest, fragment) = url.split_once('#').unwrap_or((url, ""));
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    let Some(path) = percent_decode(path) else {
        return Some(Err("not valid percent-encoding".into()));
    };
    let Some(fragment) = percent_decode(fragment) else {
        return Some(Err("not valid percent-encoding".into()));
    };
    let joined: PathBuf = if path.is_empty() {
        PathBuf::from(page)
    } else if let Some(abs) = path.strip_prefix('/') {
        match format!("/{abs}").strip_prefix(prefix) {
            Some(inside) => PathBuf::from(inside),
            None if format!("/{abs}/") == prefix => PathBuf::new(),
            None => {
                return Some(Err(format!(
                    "an absolute link outside the site's root `{prefix}` breaks on the hosted site"
                )));
            }
        }
    } else {
        base.join(&path)
    };
    let Some(file) = normalise(&joined) else {
        return Some(Err("climbs above the site's root".into()));
    };
    Some(Ok((file, fragment)))
}

/// Every `href="…"` and `src="…"` value of a tag in a page, entities
/// decoded. Only tags count: the text of a code block that shows HTML has
/// its `<` escaped, so an attribute in it is not a link.
fn links(html: &str) -> Vec<String> {
    static TAG: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"<[A-Za-z][^<>]*>").unwrap());
    static ATTR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"\s(?:href|src)\s*=\s*"([^"]*)""#).unwrap()
    });
    TAG.find_iter(html)
        .flat_map(|tag| {
            ATTR.captures_iter(tag.as_str())
                .map(|c| crate::redirects::decode_entities(&c[1]))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// Every `.html` file under `dir`, relative to `root`, with `/` separators.
fn html_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            html_files(root, &p, out)?;
        } else if p.extension().is_some_and(|e| e == "html") {
            let rel = p.strip_prefix(root).unwrap_or(&p);
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn sound_links_pass() {
        let dir = site(&[
            (
                "index.html",
                r##"<a href="guide/a.html#intro">a</a> <a href="#top">top</a> <h1 id="top">x</h1>
                <script src="book.js"></script> <a href="https://example.com/x#y">ext</a>
                <a href="mailto:a@b">m</a> <a href="/docs/guide/a.html?x=1">abs</a>
                <a href="guide/">dir</a> <a href="guide/a%20b.html">space</a>
                <pre><code>&lt;script src="./not-a-link.js"&gt;</code></pre>"##,
            ),
            ("book.js", ""),
            (
                "guide/a.html",
                r#"<h2 id="intro">i</h2><a href="../index.html#top">up</a>"#,
            ),
            ("guide/index.html", ""),
            ("guide/a b.html", ""),
        ]);
        assert_eq!(check(dir.path(), "/docs/").unwrap(), Vec::<String>::new());
    }

    #[test]
    fn each_broken_link_is_named_with_its_page() {
        let dir = site(&[
            (
                "index.html",
                r##"<a href="no-such-page.html">x</a> <a href="guide/a.html#gone">y</a>
                <a href="#missing">z</a> <a href="/elsewhere/a.html">w</a>
                <a href="../../up.html">v</a> <img src="img/none.png">"##,
            ),
            ("guide/a.html", r#"<h2 id="intro">i</h2>"#),
        ]);
        assert_eq!(
            check(dir.path(), "/docs/").unwrap(),
            [
                "index.html: link `no-such-page.html`: the build wrote no `no-such-page.html`",
                "index.html: link `guide/a.html#gone`: `guide/a.html` has no element with id `gone`",
                "index.html: link `#missing`: `index.html` has no element with id `missing`",
                "index.html: link `/elsewhere/a.html`: an absolute link outside the site's root `/docs/` breaks on the hosted site",
                "index.html: link `../../up.html`: climbs above the site's root",
                "index.html: link `img/none.png`: the build wrote no `img/none.png`",
            ]
        );
    }
}
