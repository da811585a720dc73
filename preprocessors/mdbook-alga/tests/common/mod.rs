//! Fixture books: a temporary book with its own registry, data and upstream
//! listing, processed in-process through mdbook-driver.
#![allow(dead_code)]

use alga_diagnostics::Diagnostics;
use mdbook_driver::MDBook;
use mdbook_preprocessor::PreprocessorContext;
use mdbook_preprocessor::book::{Book, BookItem};
use std::path::Path;

pub(crate) const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

pub(crate) struct Fixture {
    pub dir: tempfile::TempDir,
}

pub(crate) const REGISTRY: &str = r#"title = "Gateway"

[[entry]]
key = "gateway.route"
path = "server/src/app/api/ext/[extensionId]/[[...path]]/route.ts"
role = "The direct gateway route"
lines = 500
symbols = { GET = 419 }

[[entry]]
key = "gateway.access"
path = "packages/ext/access.ts"
role = "Access policy"
symbols = { assertAccess = 191 }

[[entry]]
key = "runner.src"
path = "ee/runner/src"
role = "Runner sources"
"#;

pub(crate) const TREE: &str = "server/src/app/api/ext/[extensionId]/[[...path]]/route.ts\npackages/ext/access.ts\nee/runner/src/main.rs\nee/runner/src/models.rs\nee/old/bridge.ts\n";

pub(crate) const SUPERSEDED: &str = r#"[[superseded]]
literal = "ee/old/bridge.ts"
canonical = "gateway.access"
reason = "the old bridge is not used"

[[superseded]]
regex = '@alga/(ui-kit|extension-iframe-sdk)\b'
canonical = "gateway.access"
reason = "no such package"
"#;

pub(crate) const TABLE: &str = r#"anchor = "code"
[[column]]
key = "code"
title = "Code"
[[column]]
key = "meaning"
title = "Meaning"
[[row]]
code = "`endpoint_not_found`"
group = "gateway"
meaning = "No endpoint matches; see {{#path gateway.access#assertAccess}}"
[[row]]
code = "`bundle_fetch_failed`"
group = "runner"
meaning = "The bundle could not be fetched"
"#;

/// The fixture's probe source.
pub(crate) const PROBE_SOURCE: &str = "export const handler = () => ({});\n";

/// The fixture's probe definitions: one component, two probes.
pub(crate) const PROBES: &str = r#"[[component]]
id = "p"
what = "The fixture's probe"
build = "source"
source = "probe/p.js"

[[probe]]
id = "echo"
what = "A call that answers"
component = "p"
[[probe.call]]
method = "POST"
path = "/echo"
body = "hello"

[[probe]]
id = "no-timeout"
what = "Without a timeout the call fails; with one it answers"
component = "p"
[[probe.call]]
path = "/echo"
limits = {}
[[probe.call]]
path = "/echo"
"#;

/// Results that match [`PROBES`].
pub(crate) const PROBE_RESULTS: &str = r#"[[probe]]
id = "echo"
[[probe.call]]
http = 200
content-type = "application/json"
status = 200
body = '{"method":"POST","body":"hello"}'
[probe.call.headers]
content-type = "application/json"

[[probe]]
id = "no-timeout"
[[probe.call]]
http = 200
content-type = "application/json"
status = 500
error = "execute_failed: error while executing at wasm backtrace:"
cause = "wasm trap: interrupt"
[probe.call.headers]
[[probe.call]]
http = 200
content-type = "application/json"
status = 200
body = '{"method":"GET"}'
[probe.call.headers]
content-type = "application/json"
"#;

pub(crate) const ARCHIVE_TOML: &str = r#"retired = "2026-11-25"
[[page]]
file = "README.md"
title = "About the archive"
[[page]]
file = "old.md"
title = "Old page"
original = "docs/old.md"
successor = "guide.md"
parent = "README.md"
"#;

impl Fixture {
    /// A book whose chapters are `(path, title, content)`; the first is the intro.
    pub(crate) fn new(chapters: &[(&str, &str, &str)]) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let mut summary = String::from("# Summary\n\n");
        for (i, (path, title, _)) in chapters.iter().enumerate() {
            if i == 0 {
                summary.push_str(&format!("[{title}]({path})\n\n"));
            } else if path.is_empty() {
                summary.push_str(&format!("- [{title}]()\n"));
            } else {
                summary.push_str(&format!("- [{title}]({path})\n"));
            }
        }
        write(root, "src/SUMMARY.md", &summary);
        for (path, _, content) in chapters {
            if !path.is_empty() {
                write(root, &format!("src/{path}"), content);
            }
        }
        write(
            root,
            "book.toml",
            &format!(
                r#"[book]
title = "Fixture"

[preprocessor.alga]
registry = "data/paths"
superseded = "data/superseded.toml"
tables = "data/tables"
archive = "archive"

[preprocessor.alga.schemas]
manifest = "schema.json"

[preprocessor.alga.upstream]
repository = "https://github.com/o/r"
commit = "{COMMIT}"
tree = "upstream.tree"
# The fixture is another upstream: ALGA_PSA_CHECKOUT (this book's) must not reach it.
checkout-from-env = false
"#
            ),
        );
        write(root, "data/paths/gateway.toml", REGISTRY);
        write(root, "data/superseded.toml", SUPERSEDED);
        write(root, "data/tables/errors.toml", TABLE);
        write(root, "upstream.tree", TREE);
        write(root, "schema.json", &alga_manifest::schema_text());
        write(root, "archive/archive.toml", ARCHIVE_TOML);
        write(
            root,
            "archive/README.md",
            "# About the archive\n\nRetired pages.\n",
        );
        write(
            root,
            "archive/old.md",
            "# Old page\n\nIt said `ee/old/bridge.ts`, which is stale.\n",
        );
        Fixture { dir }
    }

    pub(crate) fn root(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn write(&self, path: &str, text: &str) {
        write(self.root(), path, text);
    }

    /// Add a `key = value` line to `[preprocessor.alga]` in book.toml.
    pub(crate) fn set_alga(&self, line: &str) {
        let path = self.root().join("book.toml");
        let toml = std::fs::read_to_string(&path).unwrap();
        let at = "archive = \"archive\"\n";
        assert!(toml.contains(at), "the fixture's book.toml changed");
        std::fs::write(&path, toml.replacen(at, &format!("{at}{line}\n"), 1)).unwrap();
    }

    /// Configure runtime probes: `data/probes/` with [`PROBES`] and results
    /// that match it (`results` is the `[[probe]]` part), a probe source, and
    /// `page` as the probes page.
    pub(crate) fn with_probes(&self, page: &str, results: &str) {
        self.write("probe/p.js", PROBE_SOURCE);
        self.write("data/probes/probes.toml", PROBES);
        self.write(
            "data/probes/results.toml",
            &format!(
                "pin = \"{COMMIT}\"\ndate = \"2026-12-03\"\nrunner = \"the fixture Runner\"\ntools = \"jco 0.0.0\"\ndefinitions-sha256 = \"{}\"\n\n[sources]\n\"probe/p.js\" = \"{}\"\n\n[components.p]\nsha256 = \"{}\"\nbytes = 2500000\n\n{results}",
                alga_book_data::probes::sha256_hex(PROBES.as_bytes()),
                alga_book_data::probes::sha256_hex(PROBE_SOURCE.as_bytes()),
                "ab".repeat(32),
            ),
        );
        let path = self.root().join("book.toml");
        let toml = std::fs::read_to_string(&path).unwrap();
        let at = "[preprocessor.alga.schemas]";
        assert!(toml.contains(at), "the fixture's book.toml changed");
        std::fs::write(
            &path,
            toml.replacen(
                at,
                &format!("[preprocessor.alga.probes]\ndata = \"data/probes\"\npage = \"src/{page}\"\n\n{at}"),
                1,
            ),
        )
        .unwrap();
    }

    /// Process the book; returns the book (when no errors) and all diagnostics.
    pub(crate) fn run(&self) -> (Book, Diagnostics) {
        let md = MDBook::load(self.root()).expect("fixture loads");
        let ctx =
            PreprocessorContext::new(self.root().to_path_buf(), md.config.clone(), "html".into());
        let (book, diags, _) = mdbook_alga::process(&ctx, md.book.clone()).expect("process runs");
        (book, diags)
    }

    /// The headlines (`file:line:col: severity: message`) of all diagnostics.
    pub(crate) fn headlines(&self) -> Vec<String> {
        self.run().1.sorted().iter().map(|d| d.headline()).collect()
    }
}

pub(crate) fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

pub(crate) fn chapter<'a>(book: &'a Book, path: &str) -> &'a str {
    fn find<'a>(items: &'a [BookItem], path: &str) -> Option<&'a str> {
        for item in items {
            if let BookItem::Chapter(ch) = item {
                if ch.path.as_deref().is_some_and(|p| p == Path::new(path)) {
                    return Some(&ch.content);
                }
                if let Some(c) = find(&ch.sub_items, path) {
                    return Some(c);
                }
            }
        }
        None
    }
    find(&book.items, path).unwrap_or_else(|| panic!("no chapter {path}"))
}

// Helpers for the robustness suite.

impl Fixture {
    /// Declare one more named schema in book.toml and write its file (`text`
    /// as bytes, so tests can write anything).
    pub(crate) fn add_schema(&self, name: &str, path: &str, text: &[u8]) {
        let toml_path = self.root().join("book.toml");
        let toml = std::fs::read_to_string(&toml_path).unwrap();
        let line = format!("manifest = \"schema.json\"\n{name} = {path:?}\n");
        std::fs::write(
            &toml_path,
            toml.replacen("manifest = \"schema.json\"\n", &line, 1),
        )
        .unwrap();
        if !path.starts_with("..") && !Path::new(path).is_absolute() {
            let p = self.root().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    /// Process the book, returning (the chapter's content when the book has no
    /// errors, the headlines, the fully rendered diagnostics).
    pub(crate) fn run_chapter(&self, path: &str) -> (Option<String>, Vec<String>, String) {
        let (book, diags) = self.run();
        let headlines = diags.sorted().iter().map(|d| d.headline()).collect();
        let content = (!diags.fails(false)).then(|| chapter(&book, path).to_owned());
        (content, headlines, diags.render(false))
    }
}

/// Run `f` on its own thread; fail if it panics or takes longer than `secs`.
pub(crate) fn within<T: Send + 'static>(
    what: &str,
    secs: u64,
    f: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(what.to_owned())
        .spawn(move || {
            let _ = tx.send(f());
        })
        .unwrap();
    match rx.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(v) => v,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("{what}: did not finish within {secs} s (hangs?)")
        }
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("{what}: panicked"),
    }
}

/// `line:col` (1-based, in characters) of the first `needle` in `text`.
pub(crate) fn line_col_of(text: &str, needle: &str) -> String {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("`{needle}` not in the text"));
    let p = alga_diagnostics::Position::of_offset(text, at);
    format!("{}:{}", p.line, p.col)
}

// Whole-output snapshots, re-blessed with `UPDATE_EXPECT=1 cargo test`.

/// Compare everything `diags` renders (headline, source line, caret, hint,
/// notes) with `tests/snapshots/negative/NAME.txt`; the fixture's temporary
/// folder is written `<book>`.
pub(crate) fn snapshot_diagnostics(name: &str, root: &Path, diags: &Diagnostics) {
    let rendered = diags
        .render(false)
        .replace(&root.display().to_string(), "<book>");
    expect_test::expect_file![format!("../snapshots/negative/{name}.txt")].assert_eq(&rendered);
}

/// Compare a whole expanded chapter with `tests/snapshots/golden/NAME.md`.
pub(crate) fn snapshot_chapter(name: &str, content: &str) {
    expect_test::expect_file![format!("../snapshots/golden/{name}.md")].assert_eq(content);
}

impl Fixture {
    /// [`Fixture::run`], with the whole diagnostic output snapshotted.
    pub(crate) fn run_snap(&self, name: &str) -> (Book, Diagnostics) {
        let out = self.run();
        snapshot_diagnostics(name, self.root(), &out.1);
        out
    }

    /// [`Fixture::headlines`], with the whole diagnostic output snapshotted.
    pub(crate) fn headlines_snap(&self, name: &str) -> Vec<String> {
        let diags = self.run_snap(name).1;
        diags.sorted().iter().map(|d| d.headline()).collect()
    }

    /// [`Fixture::run_chapter`], with the whole diagnostic output snapshotted.
    pub(crate) fn run_chapter_snap(
        &self,
        name: &str,
        path: &str,
    ) -> (Option<String>, Vec<String>, String) {
        let (book, diags) = self.run_snap(name);
        let headlines = diags.sorted().iter().map(|d| d.headline()).collect();
        let content = (!diags.fails(false)).then(|| chapter(&book, path).to_owned());
        (content, headlines, diags.render(false))
    }
}

/// [`chapter`], with the whole chapter snapshotted.
pub(crate) fn chapter_snap<'a>(name: &str, book: &'a Book, path: &str) -> &'a str {
    let content = chapter(book, path);
    snapshot_chapter(name, content);
    content
}
