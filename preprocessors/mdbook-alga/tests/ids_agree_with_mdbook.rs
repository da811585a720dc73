//! The link check's heading ids ([`mdbook_alga::links::ids`]) copy mdBook's
//! rules; this builds tricky headings with mdBook's own HTML renderer and
//! checks that every id it writes is one the link check expects, and back.

use std::collections::BTreeSet;

const TRICKY: &str = r#"# Tricky headings

## `alga:extension/context` and `cap:http.fetch`

## Errors & status codes (4xx/5xx)

## Über straße — Ünïcödé

## Duplicate

## Duplicate

## Duplicate-1

## With {#explicit-id} attribute {#chosen}

## Trailing punctuation?!

##   Spaces   inside   

## snake_case and kebab-case and CamelCase

## `POST /v1/execute` <span>html</span>

## 1. Numbered

## Emoji 🚀 rocket

Term
: a definition list title is an id too

<h3 id="raw-html-id">raw</h3>
"#;

fn html_ids(html: &str) -> BTreeSet<String> {
    let re = regex::Regex::new(r#"<(?:h[1-6]|dt)[^>]* id="([^"]+)""#).unwrap();
    re.captures_iter(html).map(|c| c[1].to_owned()).collect()
}

#[test]
fn heading_ids_agree_with_mdbooks_html_renderer() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("src")).unwrap();
    std::fs::write(
        root.join("book.toml"),
        "[book]\ntitle = \"ids\"\n\n[output.html]\ndefinition-lists = true\n\n[output.html.search]\nenable = false\n",
    )
    .unwrap();
    std::fs::write(
        root.join("src/SUMMARY.md"),
        "# Summary\n\n- [Tricky](tricky.md)\n",
    )
    .unwrap();
    std::fs::write(root.join("src/tricky.md"), TRICKY).unwrap();
    let md = mdbook_driver::MDBook::load(root).expect("the book loads");
    md.build().expect("mdBook builds the book");
    let html = std::fs::read_to_string(root.join("book/tricky.html")).unwrap();
    let rendered = html_ids(&html);
    let expected: BTreeSet<String> = mdbook_alga::links::ids(TRICKY).into_iter().collect();
    assert!(rendered.len() >= 15, "too few ids found: {rendered:?}");
    assert_eq!(
        expected, rendered,
        "the link check's ids (left) differ from mdBook's (right)"
    );
}
