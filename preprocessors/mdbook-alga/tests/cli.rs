//! The binary's protocol with mdBook: `supports`, and JSON in, JSON out.
mod common;
use assert_cmd::Command;
use common::Fixture;

fn bin() -> Command {
    Command::cargo_bin("mdbook-alga").unwrap()
}

#[test]
fn supports_every_renderer() {
    bin().args(["supports", "html"]).assert().success();
    bin().args(["supports", "anything-else"]).assert().success();
}

fn input(f: &Fixture) -> String {
    let md = mdbook_driver::MDBook::load(f.root()).unwrap();
    let ctx = serde_json::json!({
        "root": f.root(),
        "config": md.config,
        "renderer": "html",
        "mdbook_version": mdbook_preprocessor::MDBOOK_VERSION,
    });
    serde_json::to_string(&(ctx, &md.book)).unwrap()
}

#[test]
fn processes_a_book_from_stdin() {
    let f = Fixture::new(&[("guide.md", "Guide", "# G\n\n{{#path gateway.access}}\n")]);
    let out = bin()
        .write_stdin(input(&f))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let book: mdbook_preprocessor::book::Book = serde_json::from_slice(&out).unwrap();
    assert!(common::chapter(&book, "guide.md").contains("(https://github.com/o/r/blob/"));
}

#[test]
fn errors_exit_nonzero_with_located_messages_and_no_output() {
    let f = Fixture::new(&[("guide.md", "Guide", "# G\n\n{{#path nope}}\n")]);
    let assert = bin().write_stdin(input(&f)).assert().failure();
    let out = assert.get_output();
    assert!(out.stdout.is_empty(), "no half-written output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("src/guide.md:3:9: error: unknown path key `nope`"),
        "{stderr}"
    );
}

#[test]
fn deny_warnings_turns_a_warning_into_failure() {
    let f = Fixture::new(&[("guide.md", "Guide", "# G\n\n`packages/ext/access.ts`\n")]);
    bin().write_stdin(input(&f)).assert().success();
    bin()
        .env("MDBOOK_PREPROCESSOR__ALGA__DENY_WARNINGS", "true")
        .write_stdin(input(&f))
        .assert()
        .success(); // the env var is applied by mdBook itself when it builds the context
    let toml = std::fs::read_to_string(f.root().join("book.toml")).unwrap();
    f.write(
        "book.toml",
        &toml.replace(
            "[preprocessor.alga]\n",
            "[preprocessor.alga]\ndeny-warnings = true\n",
        ),
    );
    let out = bin()
        .write_stdin(input(&f))
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&out);
    assert!(stderr.contains("src/guide.md:3:1: warning: raw mention of the registered upstream path `packages/ext/access.ts`"), "{stderr}");
    assert!(stderr.contains("warnings are denied"), "{stderr}");
}

#[test]
fn version_mismatch_is_a_warning() {
    let f = Fixture::new(&[("guide.md", "Guide", "# G\n")]);
    let text = input(&f).replace(
        &format!(
            "\"mdbook_version\":\"{}\"",
            mdbook_preprocessor::MDBOOK_VERSION
        ),
        "\"mdbook_version\":\"0.5.0\"",
    );
    let out = bin()
        .write_stdin(text)
        .assert()
        .success()
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&out);
    assert!(
        stderr.contains(
            "warning: mdbook-alga was built against mdBook 0.5.4 but runs under mdBook 0.5.0"
        ),
        "{stderr}"
    );
}

#[test]
fn schema_table_command_renders_and_reports() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("s.json");
    std::fs::write(
        &good,
        r#"{"type":"object","properties":{"a":{"type":"string","description":"The A."}}}"#,
    )
    .unwrap();
    let out = bin()
        .arg("schema-table")
        .arg(&good)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("`a` | string | no |  | The A. |"));
    let bad = dir.path().join("bad.json");
    std::fs::write(
        &bad,
        "{\n  \"type\": \"object\",\n  \"properties\": {\"a\": {\"type\": \"strng\"}}\n}\n",
    )
    .unwrap();
    let out = bin()
        .arg("schema-table")
        .arg(&bad)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    let stderr = String::from_utf8_lossy(&out);
    assert!(stderr.contains(":3:32: error: unknown type \"strng\" (did you mean `string`?) (at `/properties/a/type`)"), "{stderr}");
    std::fs::write(&bad, "{\"type\": }").unwrap();
    let out = bin()
        .arg("schema-table")
        .arg(&bad)
        .assert()
        .failure()
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8_lossy(&out).contains(":1:10: error: invalid JSON"),
        "{}",
        String::from_utf8_lossy(&out)
    );
}
