//! Golden tests: fixture books in, chapter Markdown out.
mod common;
use common::{COMMIT, Fixture, PROBE_RESULTS, chapter_snap};

const GUIDE: &str =
    "# Guide\n\nSee {{#path gateway.route}} and {{#path gateway.access#assertAccess}}.\n";

#[test]
fn path_directive_renders_permalinks_in_every_form() {
    let f = Fixture::new(&[
        ("intro.md", "Intro", "# Intro\n\n[guide](guide.md)\n"),
        (
            "guide.md",
            "Guide",
            "# Guide\n\nA {{#path gateway.route}}.\nB {{#path gateway.access#assertAccess}}.\nC {{#path gateway.route:12-14}}.\nD {{#path runner.src \"the Runner\"}}.\n",
        ),
    ]);
    let (book, diags) = f.run();
    assert!(diags.is_empty(), "{}", diags.render(false));
    let out = chapter_snap(
        "path_directive_renders_permalinks_in_every_form",
        &book,
        "guide.md",
    );
    let base = format!("https://github.com/o/r/blob/{COMMIT}");
    assert_eq!(
        out,
        format!(
            "# Guide\n\n\
             A [`server/src/app/api/ext/[extensionId]/[[...path]]/route.ts`]({base}/server/src/app/api/ext/%5BextensionId%5D/%5B%5B...path%5D%5D/route.ts \"The direct gateway route\").\n\
             B [`assertAccess` in `packages/ext/access.ts`]({base}/packages/ext/access.ts#L191 \"Access policy\").\n\
             C [`server/src/app/api/ext/[extensionId]/[[...path]]/route.ts:12-14`]({base}/server/src/app/api/ext/%5BextensionId%5D/%5B%5B...path%5D%5D/route.ts#L12-L14 \"The direct gateway route\").\n\
             D [the Runner](https://github.com/o/r/tree/{COMMIT}/ee/runner/src \"Runner sources\").\n"
        )
    );
}

#[test]
fn code_and_escapes_are_left_alone() {
    let text = "# Guide\n\nInline `{{#path nope}}`, escaped \\{{#path gateway.route}}, mdBook's \\{{#include x.md}}.\n\n```\n{{#path nope}}\n```\n";
    let f = Fixture::new(&[("guide.md", "Guide", text)]);
    let (book, diags) = f.run();
    assert!(diags.is_empty(), "{}", diags.render(false));
    assert_eq!(
        chapter_snap("code_and_escapes_are_left_alone", &book, "guide.md"),
        "# Guide\n\nInline `{{#path nope}}`, escaped {{#path gateway.route}}, mdBook's \\{{#include x.md}}.\n\n```\n{{#path nope}}\n```\n"
    );
}

#[test]
fn table_directive_renders_filtered_rows_with_anchors_and_paths() {
    let f = Fixture::new(&[(
        "guide.md",
        "Guide",
        "# Errors\n\n{{#table errors group=gateway}}\n",
    )]);
    let (book, diags) = f.run();
    assert!(diags.is_empty(), "{}", diags.render(false));
    let out = chapter_snap(
        "table_directive_renders_filtered_rows_with_anchors_and_paths",
        &book,
        "guide.md",
    );
    assert!(out.contains("| <span id=\"endpoint_not_found\"></span>`endpoint_not_found` | No endpoint matches; see [`assertAccess` in `packages/ext/access.ts`]("), "{out}");
    assert!(!out.contains("bundle_fetch_failed"), "{out}");
}

#[test]
fn schema_table_renders_the_manifest() {
    let f = Fixture::new(&[(
        "guide.md",
        "Guide",
        "# Manifest\n\n{{#schema-table manifest}}\n\n[api](#manifest.api.endpoints.method)\n",
    )]);
    let (book, diags) = f.run();
    assert!(diags.is_empty(), "{}", diags.render(false));
    let out = chapter_snap("schema_table_renders_the_manifest", &book, "guide.md");
    for row in [
        "`name`",
        "`api.endpoints[].method`",
        "`ui.hooks.appMenu.label`",
        "`precompiled.*`",
        "`capabilities`",
    ] {
        assert!(out.contains(row), "missing {row}: {out}");
    }
    assert!(
        out.contains("`\"cap:storage.kv\"`: Use the install-scoped key-value store"),
        "{out}"
    );
}

#[test]
fn archive_pages_are_mounted_with_banners() {
    let f = Fixture::new(&[
        ("intro.md", "Intro", "# Intro\n"),
        ("guide.md", "Guide", GUIDE),
    ]);
    let (book, diags) = f.run();
    assert!(diags.is_empty(), "{}", diags.render(false));
    let old = chapter_snap(
        "archive_pages_are_mounted_with_banners",
        &book,
        "archive/old.md",
    );
    assert!(old.starts_with("<div class=\"archive-banner\">"), "{old}");
    assert!(
        old.contains("**Archived on 2026-11-25; not maintained.**"),
        "{old}"
    );
    assert!(
        old.contains("The current page is [Guide](../guide.md)."),
        "{old}"
    );
    assert!(
        old.ends_with("# Old page\n\nIt said `ee/old/bridge.ts`, which is stale.\n"),
        "{old}"
    );
    // The archive index has no successor, so no banner.
    assert_eq!(
        chapter_snap(
            "archive_pages_are_mounted_with_banners-2",
            &book,
            "archive/README.md"
        ),
        "# About the archive\n\nRetired pages.\n"
    );
}

#[test]
fn manifest_examples_pass_and_expected_failures_fail() {
    let text = r#"# M

```json manifest
{"name": "com.acme.x", "publisher": "Acme", "version": "1.0.*", "runtime": "wasm-js@1",
 "capabilities": ["cap:storage.kv"], "api": {"endpoints": [{"method": "GET", "path": "/items/:id", "handler": "items"}]}}
```

```json manifest expect-error="entry"
{"name": "x", "version": "1.0.0", "runtime": "wasm-js@1", "entry": "dist/main.wasm"}
```
"#;
    let f = Fixture::new(&[("guide.md", "Guide", text)]);
    let (_, diags) = f.run();
    assert!(diags.is_empty(), "{}", diags.render(false));
}

#[test]
fn whole_pipeline_through_mdbook_driver() {
    let f = Fixture::new(&[
        ("intro.md", "Intro", "# Intro\n\n[g](guide.md#guide)\n"),
        ("guide.md", "Guide", GUIDE),
    ]);
    let mut md = mdbook_driver::MDBook::load(f.root()).unwrap();
    md.with_preprocessor(mdbook_alga::AlgaPreprocessor);
    let (book, _) = md
        .preprocess_book(&mdbook_driver::builtin_renderers::MarkdownRenderer::new())
        .unwrap();
    assert!(
        chapter_snap("whole_pipeline_through_mdbook_driver", &book, "guide.md")
            .contains("(https://github.com/o/r/blob/")
    );
    // The archive goes only to the renderers in `archive-renderers` (html by default).
    assert!(
        !book.iter().any(
            |i| matches!(i, mdbook_preprocessor::book::BookItem::PartTitle(t) if t == "Archive")
        )
    );
    md.config
        .set("preprocessor.alga.archive-renderers", vec!["markdown"])
        .unwrap();
    let (book, _) = md
        .preprocess_book(&mdbook_driver::builtin_renderers::MarkdownRenderer::new())
        .unwrap();
    assert!(
        chapter_snap(
            "whole_pipeline_through_mdbook_driver-2",
            &book,
            "archive/old.md"
        )
        .contains("archive-banner")
    );
}

#[test]
fn probe_citations_link_to_the_probes_page_and_it_renders_the_record() {
    let f = Fixture::new(&[
        (
            "intro.md",
            "Intro",
            "# Intro\n\nSee the [guide](guide.md).\n",
        ),
        (
            "guide.md",
            "Guide",
            "# Guide\n\nEchoes {{#probe echo status=200 body=\"hello\"}}.\n",
        ),
        (
            "guide/limits.md",
            "Limits",
            "# Limits\n\nWithout a timeout it fails ({{#probe no-timeout call=1 status=500 error=\"execute_failed\" cause=\"interrupt\" call=2 http=200 status=200 header=\"content-type: application/json\" body-differs-from=1}}).\n",
        ),
        ("reference/probes.md", "Probes", "# Probes\n\n{{#probes}}\n"),
    ]);
    f.with_probes("reference/probes.md", PROBE_RESULTS);
    let (book, diags) = f.run();
    assert!(diags.is_empty(), "{}", diags.render(false));
    assert_eq!(
        chapter_snap("probe_citation_from_the_root", &book, "guide.md"),
        "# Guide\n\nEchoes [probe `echo`](reference/probes.md#probe-echo).\n"
    );
    assert_eq!(
        chapter_snap("probe_citation_from_a_folder", &book, "guide/limits.md"),
        "# Limits\n\nWithout a timeout it fails ([probe `no-timeout`](../reference/probes.md#probe-no-timeout)).\n"
    );
    let page = chapter_snap("probes_page", &book, "reference/probes.md");
    for part in [
        "Recorded on 2026-12-03 at upstream commit `0123456789`.",
        "| `p` | The fixture's probe | 2.5 MB | `abababababab…` |",
        "### `echo` {#probe-echo}",
        "### `no-timeout` {#probe-no-timeout}",
        "Call 1: sent an execute request for `GET /echo`, no `limits`.",
    ] {
        assert!(page.contains(part), "{part}\n---\n{page}");
    }
}
