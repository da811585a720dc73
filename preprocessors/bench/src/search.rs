//! Figure 6: does the site's search answer a reader's question?
//!
//! The real book is built twice in the same run: as configured, and as the
//! site was before (the baseline): the retired pages and the source map in
//! the search index, and no exact-term lookup (`theme/search-terms.js`). Each query of `preprocessors/bench/data/search-queries.toml`
//! is run in headless Chromium through mdBook's own search
//! (`index.html?search=…`), and the result list is compared with the page
//! that answers it: the share of queries whose answer is first, and the share
//! with the answer in the first three results.

use super::{Ctx, Row, real_book_copy, table_mut};
use alga_site_checks::http::serve_dir;
use alga_site_checks::webdriver::Browser;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::path::Path;
use std::process::Command;

const MOUNT: &str = "/alga-extension-docs/";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Queries {
    query: Vec<Query>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Query {
    pub q: String,
    pub answer: String,
    #[serde(default)]
    pub also: Vec<String>,
}

/// Where a query's answer ranks among the result pages (0 = first), if at all.
pub(crate) fn rank(results: &[String], q: &Query) -> Option<usize> {
    results
        .iter()
        .position(|r| *r == q.answer || q.also.iter().any(|a| a == r))
}

/// The share of queries whose answer ranks below `n` (first: `n = 1`).
pub(crate) fn share(ranks: &[Option<usize>], n: usize) -> f64 {
    if ranks.is_empty() {
        return 0.0;
    }
    ranks.iter().filter(|r| r.is_some_and(|r| r < n)).count() as f64 / ranks.len() as f64
}

fn load_queries(root: &Path) -> Result<Vec<Query>> {
    let path = root.join("preprocessors/bench/data/search-queries.toml");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    Ok(toml::from_str::<Queries>(&text)
        .with_context(|| format!("parsing {}", path.display()))?
        .query)
}

fn build(ctx: &Ctx, name: &str, baseline: bool) -> Result<std::path::PathBuf> {
    let dir = ctx.bench.join(format!("search-{name}"));
    real_book_copy(ctx, &dir)?;
    let mut t = super::book_toml(&dir)?;
    let alga = table_mut(&mut t, &["preprocessor", "alga"])?;
    alga.insert(
        "command".into(),
        toml::Value::String(super::path_str(&ctx.alga)?),
    );
    if baseline {
        // The site as it was: retired pages indexed, no exact-term lookup.
        let search = table_mut(&mut t, &["output", "html", "search"])?;
        search.remove("chapter");
        let html = table_mut(&mut t, &["output", "html"])?;
        if let Some(toml::Value::Array(js)) = html.get_mut("additional-js") {
            js.retain(|v| v.as_str() != Some("theme/search-terms.js"));
        }
    } else {
        // The published site's search settings, which the copy dropped for
        // the pass-through (it mounts no archive).
        let mut published = super::book_toml(&ctx.root)?;
        if let Ok(chapters) = table_mut(&mut published, &["output", "html", "search", "chapter"]) {
            let chapters = chapters.clone();
            table_mut(&mut t, &["output", "html", "search"])?
                .insert("chapter".into(), toml::Value::Table(chapters));
        }
        // The renderer that writes the term index, run from the prebuilt binary.
        let mut llms = toml::Table::new();
        llms.insert(
            "command".into(),
            toml::Value::String(format!("{} render-llms", super::path_str(&ctx.alga)?)),
        );
        llms.insert(
            "site-url".into(),
            toml::Value::String("https://example.org/".into()),
        );
        table_mut(&mut t, &["output"])?.insert("llms".into(), toml::Value::Table(llms));
        let alga = table_mut(&mut t, &["preprocessor", "alga"])?;
        alga.insert(
            "renderers".into(),
            toml::Value::Array(vec!["html".into(), "llms".into()]),
        );
    }
    std::fs::write(dir.join("book.toml"), toml::to_string(&t)?)?;
    // Built as the published site is: `alga-serve build` (`cargo xtask build`).
    let st = Command::new(&ctx.alga_serve)
        .arg("build")
        .arg("-d")
        .arg(dir.join("out"))
        .arg(&dir)
        .output()?;
    anyhow::ensure!(
        st.status.success(),
        "building the {name} site failed:\n{}",
        String::from_utf8_lossy(&st.stderr)
    );
    // With more than one renderer, mdBook gives each its own folder.
    let out = dir.join("out");
    Ok(if out.join("html").is_dir() {
        out.join("html")
    } else {
        out
    })
}

/// The result pages, in order, for each query.
fn results(browser: &Browser, base: &str, queries: &[Query]) -> Result<Vec<Vec<String>>> {
    let mut out = Vec::new();
    for q in queries {
        let encoded: String =
            q.q.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
        browser.goto(&format!("{base}index.html?search={encoded}"))?;
        let want = serde_json::to_string(&q.q)?;
        // Each page load parses the search index again (megabytes of
        // JavaScript): give a loaded machine time.
        browser.wait_for_within(
            &format!("search results for {want}"),
            &format!(
                "const h = document.getElementById('mdbook-searchresults-header'); \
                 return !!h && h.innerText.includes({want});"
            ),
            std::time::Duration::from_secs(90),
        )
        .with_context(|| {
            let state = browser
                .eval(
                    "const h = document.getElementById('mdbook-searchresults-header'); \
                     return [location.href, document.readyState, h ? h.innerText : null, \
                     document.getElementById('mdbook-searchbar') ? document.getElementById('mdbook-searchbar').value : null];",
                )
                .unwrap_or_default();
            format!("the page was {state}")
        })?;
        let hrefs = browser.eval(&format!(
            "return Array.from(document.querySelectorAll('#mdbook-searchresults a')).map(a => {{ \
               const u = new URL(a.href, location.href); \
               return u.pathname.replace({mount:?}, ''); }});",
            mount = MOUNT
        ))?;
        let list: Vec<String> = serde_json::from_value(hrefs).unwrap_or_default();
        out.push(list);
    }
    Ok(out)
}

pub(crate) fn run(ctx: &Ctx) -> Result<Vec<Row>> {
    alga_site_checks::e2e::ensure_browser()?;
    let queries = load_queries(&ctx.root)?;
    let (chromium, driver) = alga_site_checks::e2e::browser_paths();
    let mut rows = Vec::new();
    let mut figures = Vec::new();
    for (name, baseline) in [("ours", false), ("baseline", true)] {
        let site = build(ctx, name, baseline)?;
        let base = serve_dir(&site, MOUNT)?;
        let profile = ctx.bench.join(format!("search-{name}-profile"));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile)?;
        let browser = Browser::launch(&driver, &chromium, &profile)?;
        let lists = results(&browser, &base, &queries)?;
        let ranks: Vec<Option<usize>> = lists
            .iter()
            .zip(&queries)
            .map(|(l, q)| rank(l, q))
            .collect();
        if !baseline {
            let misses: Vec<String> = queries
                .iter()
                .zip(&ranks)
                .zip(&lists)
                .filter(|((_, r), _)| r.is_none_or(|r| r > 0))
                .map(|((q, r), l)| {
                    format!(
                        "  {:?}: answer {} ranked {}; first: {}",
                        q.q,
                        q.answer,
                        r.map_or("nowhere".into(), |r| (r + 1).to_string()),
                        l.first().map_or("(no results)", String::as_str)
                    )
                })
                .collect();
            std::fs::write(
                ctx.bench.join("search-misses.txt"),
                misses.join("\n") + "\n",
            )?;
        }
        figures.push((share(&ranks, 1), share(&ranks, 3)));
    }
    let ((ours1, ours3), (base1, base3)) = (figures[0], figures[1]);
    let n = queries.len();
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    rows.push(
        Row::new(format!(
            "6. search, {n} readers' queries in Chromium: the answer is the first result"
        ))
        .ours(pct(ours1))
        .baseline(format!("{} (archive and source map indexed)", pct(base1)))
        .target("≥ 85%", ours1 >= 0.85),
    );
    rows.push(
        Row::new(format!(
            "6. search, {n} readers' queries: the answer is in the first three results"
        ))
        .ours(pct(ours3))
        .baseline(pct(base3))
        .target("≥ 97%", ours3 >= 0.97),
    );
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_and_shares() {
        let q = Query {
            q: "x".into(),
            answer: "a.html".into(),
            also: vec!["b.html".into()],
        };
        let r = |v: &[&str]| rank(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>(), &q);
        assert_eq!(r(&["a.html", "c.html"]), Some(0));
        assert_eq!(r(&["c.html", "b.html"]), Some(1));
        assert_eq!(r(&["c.html"]), None);
        let ranks = [Some(0), Some(2), None, Some(1)];
        assert_eq!(share(&ranks, 1), 0.25);
        assert_eq!(share(&ranks, 3), 0.75);
    }

    #[test]
    fn the_query_set_parses_and_names_live_pages() {
        let root = alga_site_checks::repo_root();
        let root = root.as_path();
        let queries = load_queries(root).unwrap();
        assert!(queries.len() >= 50, "{} queries", queries.len());
        let summary = std::fs::read_to_string(root.join("src/SUMMARY.md")).unwrap();
        for q in &queries {
            for page in std::iter::once(&q.answer).chain(&q.also) {
                let md = if page == "index.html" {
                    "README.md".to_owned()
                } else {
                    page.replace(".html", ".md")
                };
                assert!(
                    summary.contains(&format!("({md})")),
                    "query {:?}: `{page}` is not a live page",
                    q.q
                );
            }
        }
    }
}
