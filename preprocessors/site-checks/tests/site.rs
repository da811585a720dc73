//! The checks of the built site (`book/`), one test each. Run after a build:
//! `cargo xtask site-checks`, or `cargo test -p alga-site-checks --test site`
//! once `cargo xtask build` has written `book/`. Not part of a plain
//! `cargo test`: without a built book each test would fail.

use alga_site_checks::{
    e2e, links, llms_check, redirects, repo_root, serve, upstream_tree_listing,
};
use std::path::PathBuf;

/// The built HTML, or a failure that says how to build it.
fn built_html() -> PathBuf {
    let html = repo_root().join("book/html");
    assert!(
        html.join("index.html").is_file(),
        "no built book in {}: run `cargo xtask build` first",
        html.display()
    );
    html
}

/// A string setting of `book.toml`, by its path of keys.
fn book_setting(keys: &[&str]) -> Option<String> {
    let text = std::fs::read_to_string(repo_root().join("book.toml")).unwrap();
    let mut value: toml::Value = toml::from_str(&text).unwrap();
    for k in keys {
        value = value.get(k)?.clone();
    }
    value.as_str().map(str::to_owned)
}

fn fail_on(what: &str, file: &str, problems: Vec<String>) {
    for p in &problems {
        eprintln!("{file}: error: {p}");
    }
    assert!(problems.is_empty(), "{} {what} problem(s)", problems.len());
}

#[test]
fn every_old_url_redirects_to_a_page_and_fragment_that_exist() {
    let root = repo_root();
    let html = built_html();
    let site = redirects::OldSite::load(&root.join("archive/old-site.toml")).unwrap();
    let table = redirects::redirect_table(&root.join("book.toml")).unwrap();
    let tree = upstream_tree_listing(&root);
    if tree.is_none() {
        eprintln!(
            "note: no upstream tree listing or checkout; the list of old pages is not compared with upstream"
        );
    }
    fail_on(
        "redirect",
        "book.toml",
        redirects::check(&site, &table, &html, tree.as_deref()),
    );
}

#[test]
fn every_link_inside_the_site_lands_on_a_file_and_an_id() {
    let html = built_html();
    let site_url = book_setting(&["output", "html", "site-url"]).unwrap_or_else(|| "/".into());
    let problems = links::check(&html, &site_url).unwrap();
    if !problems.is_empty() {
        eprintln!(
            "hint: a page's Markdown is the same path under src/ (or archive/ for archive/…); \
             the preprocessor checks links written in Markdown, so a link found only here came \
             from raw HTML, the theme or mdBook itself"
        );
    }
    fail_on("link", "book/html", problems);
}

#[test]
fn llms_txt_and_the_whole_book_sit_beside_the_site() {
    let root = repo_root();
    let html = built_html();
    let base = book_setting(&["output", "llms", "site-url"])
        .expect("book.toml has an [output.llms] site-url");
    let base = format!("{}/", base.trim_end_matches('/'));
    let summary = std::fs::read_to_string(root.join("src/SUMMARY.md")).unwrap();
    fail_on(
        "book-for-assistants",
        "book/html",
        llms_check::check(&html, &summary, &base).unwrap(),
    );
}

#[test]
fn serving_builds_once_settles_and_rebuilds_once_per_save() {
    let root = repo_root();
    built_html();
    serve::check_settles(
        &alga_site_checks::alga_serve_debug(),
        &root,
        &root.join("target/serve-check"),
        std::time::Duration::from_millis(3500),
    )
    .unwrap();
}

#[test]
fn the_site_works_in_headless_chromium() {
    let html = built_html();
    e2e::ensure_browser().unwrap();
    e2e::run(&html, &repo_root().join("target/e2e")).unwrap();
}
