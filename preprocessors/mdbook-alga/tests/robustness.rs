//! Robustness: a corpus of JSON Schemas that uses every keyword of draft-07
//! and 2020-12, malformed schemas, hostile chapters through the whole
//! preprocessor, and the determinism of the real book.
//!
//! Everything that could hang runs on its own thread with a time limit.
mod common;
use common::{Fixture, line_col_of, within};

use std::path::Path;

/// Malformed schemas through a book: each error is located in the schema file.
fn schema_headlines(text: &[u8]) -> Vec<String> {
    let text = text.to_vec();
    within("a malformed schema", 10, move || {
        let f = Fixture::new(&[("guide.md", "Guide", "# G\n\n{{#schema-table bad}}\n")]);
        f.add_schema("bad", "bad.json", &text);
        f.headlines()
    })
}

#[test]
fn malformed_schemas_are_located_in_the_schema_file() {
    let invalid =
        "{\n  \"type\": \"object\",\n  \"properties\": {\"a\": {\"type\": \"string\"},}\n}\n";
    let h = schema_headlines(invalid.as_bytes());
    assert_eq!(h.len(), 2, "{h:#?}");
    assert!(
        h[0].starts_with(&format!(
            "bad.json:{}: error: invalid JSON: trailing comma",
            line_col_of(invalid, "}\n}")
        )),
        "{h:#?}"
    );
    // The directive then names a schema that did not load.
    assert_eq!(h[1], "src/guide.md:3:17: error: unknown schema `bad`");

    let cases: &[(&str, &str, &str)] = &[
        (
            "{\n  \"type\": \"object\",\n  \"properties\": [\"a\"]\n}\n",
            "[\"a\"]",
            "error: `properties` must be an object, found an array (at `/properties`)",
        ),
        (
            "{\n  \"properties\": {\n    \"a\": {\"type\": \"strnig\"}\n  }\n}\n",
            "\"strnig\"",
            "error: unknown type \"strnig\" (did you mean `string`?) (at `/properties/a/type`)",
        ),
        (
            "{\n  \"properties\": {\n    \"a\": {\"type\": [\"string\", \"text\"]}\n  }\n}\n",
            "[\"string\"",
            "error: unknown type \"text\"",
        ),
        (
            "{\n  \"properties\": {\n    \"ok\": {},\n    \"b\": {\"$ref\": \"#/$defs/Missing\"}\n  }\n}\n",
            "{\"$ref\"",
            "error: dangling `$ref` `#/$defs/Missing`: nothing at that pointer (at `/properties/b`)",
        ),
        (
            "{\n  \"properties\": {\n    \"b\": {\"$ref\": \"#nowhere\"}\n  }\n}\n",
            "{\"$ref\"",
            "error: dangling `$ref` `#nowhere`: no `$anchor` named `nowhere`",
        ),
        (
            "{\n  \"properties\": {\n    \"c\": 42\n  }\n}\n",
            "42",
            "error: a schema must be an object or a boolean, found a number (at `/properties/c`)",
        ),
        (
            "{\n  \"properties\": {\"x\": {\"$ref\": \"#/$defs/X\"}},\n  \"$defs\": {\n    \"X\": {\"$ref\": \"#/$defs/Y\"},\n    \"Y\": {\"$ref\": \"#/$defs/X\"}\n  }\n}\n",
            "{\"$ref\": \"#/$defs/Y\"}",
            "error: `$ref` `#/$defs/Y` is part of a reference cycle that never reaches a schema (at `/$defs/X`)",
        ),
    ];
    for (text, at, message) in cases {
        let h = schema_headlines(text.as_bytes());
        let want = format!("bad.json:{}: {message}", line_col_of(text, at));
        assert!(
            h.iter().any(|x| x.starts_with(&want)),
            "want {want}\ngot {h:#?}"
        );
    }
}

#[test]
fn an_external_ref_is_reported_and_never_fetched() {
    // `.invalid` never resolves: a fetch would fail or time out; a report is instant.
    let text = "{\n  \"properties\": {\n    \"remote\": {\"$ref\": \"https://schemas.example.invalid/x.json\"}\n  }\n}\n";
    let started = std::time::Instant::now();
    let h = schema_headlines(text.as_bytes());
    assert_eq!(
        h,
        [format!(
            "bad.json:{}: warning: external `$ref` `https://schemas.example.invalid/x.json` is not followed (no network access) (at `/properties/remote`)",
            line_col_of(text, "{\"$ref\"")
        )]
    );
    assert!(started.elapsed().as_secs() < 5);
}

#[test]
fn unreadable_schema_files_are_reported() {
    let h = schema_headlines(b"{\"description\": \"caf\xe9\"}");
    assert_eq!(
        h,
        [
            "bad.json:1:1: error: cannot read schema `bad`: not valid UTF-8 (byte 20)",
            "src/guide.md:3:17: error: unknown schema `bad`",
        ]
    );
}

// ---------------------------------------------------------------------------
// 2. Hostile chapters through the whole preprocessor

/// Process a one-chapter book with `text` as `guide.md`, within a time limit.
fn hostile(what: &str, text: String) -> (Option<String>, Vec<String>, String) {
    within(what, 20, move || {
        Fixture::new(&[("guide.md", "Guide", &text)]).run_chapter("guide.md")
    })
}

const ACCESS_LINK: &str = "[`packages/ext/access.ts`](https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/packages/ext/access.ts \"Access policy\")";

#[test]
fn html_in_directive_arguments_is_text_or_an_error() {
    let (out, h, _) = hostile(
        "html label",
        "# G\n\n{{#path gateway.access \"<script>alert(1)</script> [x](y) a|b `<kept>`\"}}\n"
            .into(),
    );
    let out = out.unwrap_or_else(|| panic!("{h:#?}"));
    assert!(
        out.contains("[&lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](y) a\\|b `<kept>`](https://github.com/o/r/blob/"),
        "{out}"
    );
    assert!(!out.contains("<script>"), "{out}");

    let (_, h, _) = hostile(
        "html directive name",
        "# G\n\nx {{#<script>alert(1)</script>}}\n".into(),
    );
    assert_eq!(
        h,
        ["src/guide.md:3:6: error: unknown directive `{{#<script>alert(1)</script>}}`"]
    );
}

#[test]
fn javascript_urls_never_become_links() {
    let (out, h, _) = hostile(
        "javascript",
        "# G\n\n{{#path javascript:alert(1)}}\n\n{{#path gateway.access \"x\" javascript:alert(1)}}\n\n{{#table errors code=javascript:alert(1)}}\n".into(),
    );
    assert!(out.is_none());
    assert_eq!(
        h,
        [
            "src/guide.md:3:9: error: `alert(1)` is not a line or a line range",
            "src/guide.md:5:28: error: unexpected argument after the key",
            "src/guide.md:7:10: error: the filter selects no rows",
        ]
    );
}

#[test]
fn traversal_in_names_finds_nothing_outside_the_book() {
    let (_, h, _) = hostile(
        "traversal",
        "# G\n\n{{#path ../../etc/passwd}}\n\n{{#table ../../../etc/passwd}}\n\n{{#schema-table ../schema}}\n\n{{#schema-table manifest /../..}}\n".into(),
    );
    assert_eq!(
        h,
        [
            "src/guide.md:3:9: error: unknown path key `../../etc/passwd`",
            "src/guide.md:5:10: error: unknown table `../../../etc/passwd`",
            "src/guide.md:7:17: error: unknown schema `../schema`",
            "src/guide.md:9:26: error: no schema at `/../..` in schema `manifest` (schema.json)",
        ]
    );
}

#[test]
fn a_schema_path_outside_the_book_root_is_refused_unread() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.json"),
        r#"{"properties": {"TOP_SECRET_FIELD": {}}}"#,
    )
    .unwrap();
    let dir_name = outside
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let absolute = outside.path().join("secret.json");
    for path in [
        format!("../{dir_name}/secret.json"),
        absolute.to_string_lossy().into_owned(),
    ] {
        let f = Fixture::new(&[("guide.md", "Guide", "# G\n\n{{#schema-table secret}}\n")]);
        f.add_schema("secret", &path, b"");
        let (book, diags) = f.run();
        let all = diags.render(false);
        assert!(
            all.contains(&format!(
                "book.toml:1:1: error: schema `secret`: `{path}` is outside the book root"
            )),
            "{all}"
        );
        let json = serde_json::to_string(&book).unwrap();
        assert!(!json.contains("TOP_SECRET_FIELD") && !all.contains("TOP_SECRET_FIELD"));
    }
}

#[test]
fn a_megabyte_line_without_directives_is_unchanged() {
    let line: String = "word *emph* `code` [link](https://e.x) {{ x }} ".repeat(22_000);
    assert!(line.len() > 1_000_000);
    let text = format!("# G\n\n{line}\n");
    let (out, h, _) = hostile("1 MB line", text.clone());
    assert!(h.is_empty(), "{h:#?}");
    assert!(out.unwrap() == text);
}

#[test]
fn a_megabyte_line_with_directives_expands_each_and_locates_errors() {
    let filler = "x".repeat(10_000);
    let mut line = String::new();
    for _ in 0..100 {
        line.push_str(&filler);
        line.push_str("{{#path gateway.access}}");
    }
    line.push_str(" {{#path nope}}");
    let text = format!("# G\n\n{line}\n");
    let (_, h, all) = hostile("1 MB line with directives", text.clone());
    let col = line.find("nope").unwrap() + 1;
    assert_eq!(
        h,
        [format!(
            "src/guide.md:3:{col}: error: unknown path key `nope`"
        )]
    );
    // The diagnostic shows a window of the line, not a megabyte.
    assert!(all.len() < 2_000, "{} bytes of diagnostics", all.len());
    assert!(
        all.contains("\n3 | …xxxxx")
            && all.contains("xxxxx{{#path gateway.access}} {{#path nope}}\n"),
        "{all}"
    );
    // The caret is under the key: 60 characters of context after the `…`.
    assert!(
        all.contains(&format!("\n  | {}^^^^\n", " ".repeat(61))),
        "{all}"
    );

    let ok = text.replace(" {{#path nope}}", "");
    let (out, h, _) = hostile("1 MB line with directives", ok.clone());
    let out = out.unwrap_or_else(|| panic!("{h:#?}"));
    assert_eq!(out.matches(ACCESS_LINK).count(), 100);
    assert_eq!(out, ok.replace("{{#path gateway.access}}", ACCESS_LINK));
}

#[test]
fn a_megabyte_of_unterminated_directives_is_one_error_per_line() {
    let text = format!("# G\n\n{}\n{}\n", "{{#path ".repeat(130_000), "a {{#b");
    let (_, h, all) = hostile("unterminated flood", text);
    assert_eq!(
        h,
        [
            "src/guide.md:3:1: error: directive is not closed with `}}` on the same line",
            "src/guide.md:4:3: error: directive is not closed with `}}` on the same line",
        ]
    );
    assert!(all.len() < 2_000, "{} bytes of diagnostics", all.len());
}

#[test]
fn five_thousand_levels_of_lists_and_quotes() {
    for (what, prefix) in [
        ("nested quotes", "> ".repeat(5_000)),
        ("nested lists", "- * ".repeat(2_500)),
        ("nested ordered lists", "1. ".repeat(5_000)),
    ] {
        let text = format!(
            "# G\n\n{prefix}see {{{{#path gateway.access}}}} and `{{{{#path x}}}}`\n\ntail\n"
        );
        let (out, h, _) = hostile(what, text.clone());
        let out = out.unwrap_or_else(|| panic!("{what}: {h:#?}"));
        assert_eq!(
            out,
            text.replacen("{{#path gateway.access}}", ACCESS_LINK, 1),
            "{what}"
        );
    }
}

#[test]
fn crlf_chapters_keep_their_line_endings_and_positions() {
    let text =
        "# G\r\n\r\nsee {{#path gateway.access}} here\r\n\r\n```\r\n{{#path in.code}}\r\n```\r\n";
    let (out, h, _) = hostile("crlf", text.into());
    let out = out.unwrap_or_else(|| panic!("{h:#?}"));
    assert_eq!(out, text.replace("{{#path gateway.access}}", ACCESS_LINK));
    let bad =
        "# G\r\n\r\nok\r\n  x {{#path nope}}\r\n{{#path gateway.access\r\nlast {{#tabel errors}}";
    let (_, h, all) = hostile("crlf errors", bad.into());
    assert_eq!(
        h,
        [
            "src/guide.md:4:13: error: unknown path key `nope`",
            "src/guide.md:5:1: error: directive is not closed with `}}` on the same line",
            "src/guide.md:6:9: error: unknown directive `{{#tabel}}`",
        ]
    );
    assert!(
        !all.contains('\r'),
        "no carriage return in diagnostics: {all:?}"
    );
}

#[test]
fn a_non_utf8_chapter_is_a_clear_error_not_a_panic() {
    let f = Fixture::new(&[("guide.md", "Guide", "# G\n")]);
    std::fs::write(
        f.root().join("src/guide.md"),
        b"# G\n\ncaf\xe9 {{#path x}}\n",
    )
    .unwrap();
    let root = f.root().to_path_buf();
    let err = within("non-UTF-8 chapter", 10, move || {
        mdbook_driver::MDBook::load(&root)
            .err()
            .map(|e| format!("{e:#}"))
    })
    .expect("mdBook refuses a chapter that is not UTF-8");
    assert!(err.contains("guide.md"), "{err}");
    assert!(err.to_lowercase().contains("utf-8"), "{err}");

    // A retired page the preprocessor reads itself.
    let f = Fixture::new(&[("guide.md", "Guide", "# G\n")]);
    std::fs::write(f.root().join("archive/old.md"), b"# Old\n\n\xff\xfe\n").unwrap();
    let (_, h, _) = within("non-UTF-8 archive page", 10, move || {
        f.run_chapter("guide.md")
    });
    // Located at the page's entry in the archive index.
    assert_eq!(
        h,
        [
            "archive/archive.toml:6:8: error: cannot read archive page `old.md`: not valid UTF-8 (byte 7)"
        ]
    );
}

#[test]
fn unterminated_nested_and_final_directives() {
    let (_, h, _) = hostile(
        "unterminated at end",
        "# G\n\ntext {{#path gateway.access".into(),
    );
    assert_eq!(
        h,
        ["src/guide.md:3:6: error: directive is not closed with `}}` on the same line"]
    );

    let (out, h, _) = hostile(
        "directive at the very end",
        "# G\n\n{{#path gateway.access}}".into(),
    );
    assert_eq!(
        out.unwrap_or_else(|| panic!("{h:#?}")),
        format!("# G\n\n{ACCESS_LINK}")
    );

    let (out, h, _) = hostile(
        "extra braces",
        "# G\n\n{{{#path gateway.access}}} and {{#path gateway.access}}}\n".into(),
    );
    assert_eq!(
        out.unwrap_or_else(|| panic!("{h:#?}")),
        format!("# G\n\n{{{ACCESS_LINK}}} and {ACCESS_LINK}}}\n")
    );

    let (_, h, _) = hostile(
        "nested directive",
        "# G\n\n{{#path {{#path gateway.access}}}}\n".into(),
    );
    assert_eq!(
        h,
        // The second word, where a quoted label was expected.
        ["src/guide.md:3:17: error: unexpected argument after the key"]
    );
    let (_, h, _) = hostile("empty", "# G\n\n{{#}} {{#path}} {{#table}}\n".into());
    assert_eq!(
        h,
        [
            "src/guide.md:3:4: error: unknown directive `{{#}}`",
            // Where the key should be.
            "src/guide.md:3:14: error: `path` needs a registry key",
            "src/guide.md:3:17: error: `table` needs a table name",
        ]
    );
}

#[test]
fn a_byte_order_mark_does_not_shift_positions() {
    let text = "\u{feff}# G\n\n{{#path gateway.access}} {{#path nope}}\n";
    let (_, h, _) = hostile("bom", text.into());
    let col = "{{#path gateway.access}} {{#path ".len() + 1;
    assert_eq!(
        h,
        [format!(
            "src/guide.md:3:{col}: error: unknown path key `nope`"
        )]
    );
    let (out, h, _) = hostile("bom", "\u{feff}{{#path gateway.access}}\n".into());
    let out = out.unwrap_or_else(|| panic!("{h:#?}"));
    assert!(out.ends_with(&format!("{ACCESS_LINK}\n")), "{out:?}");
    let (_, h, _) = hostile("bom", "\u{feff}{{#path nope}}\n".into());
    assert_eq!(h, ["src/guide.md:1:9: error: unknown path key `nope`"]);
}

// ---------------------------------------------------------------------------
// 3. Determinism of the real book

#[test]
fn the_real_book_is_processed_byte_for_byte_identically() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let md = mdbook_driver::MDBook::load(&root).expect("the book loads");
    let config = md.config.clone();
    let book = md.book.clone();
    let run = move || {
        let ctx = mdbook_preprocessor::PreprocessorContext::new(
            root.clone(),
            config.clone(),
            "html".into(),
        );
        let (book, diags, _) = mdbook_alga::process(&ctx, book.clone()).expect("process runs");
        (serde_json::to_vec(&book).unwrap(), diags.render(false))
    };
    let (first, second) = within("the real book, twice", 30, move || (run(), run()));
    assert!(first.0 == second.0, "two runs differ");
    assert_eq!(first.1, second.1);
    let json = String::from_utf8(first.0).unwrap();
    // It really is the book, with every kind of expansion in it.
    assert!(
        json.contains("class=\\\"schema-table\\\""),
        "no schema table"
    );
    assert!(
        json.contains(
            "https://github.com/Nine-Minds/alga-psa/blob/432f5f5887b089e9179655e2c856fd34d0912295/"
        ),
        "no path reference"
    );
}
