//! The citation lock: every line citation has an entry, lies within the
//! file's recorded length, and (with a checkout) cites the code it was
//! written against.
mod common;
use common::{COMMIT, Fixture};
use std::path::Path;
use std::process::Command;

const PAGE: &str =
    "# G\n\nThe route {{#path gateway.route:10-12}} and {{#path gateway.access#assertAccess}}.\n";

fn lock(commit: &str, access_lines: u32, spans: &[(&str, &str, &str)]) -> String {
    let mut l = alga_book_data::citations::Lock {
        commit: commit.to_owned(),
        ..Default::default()
    };
    for (path, span, fp) in spans {
        let f = l.files.entry((*path).to_owned()).or_default();
        f.lines = if path.ends_with("access.ts") {
            access_lines
        } else {
            500
        };
        f.spans.insert((*span).to_owned(), (*fp).to_owned());
    }
    l.to_toml()
}

const ROUTE: &str = "server/src/app/api/ext/[extensionId]/[[...path]]/route.ts";
const ACCESS: &str = "packages/ext/access.ts";

fn with_lock(page: &str, lock_text: &str) -> Fixture {
    let f = Fixture::new(&[("guide.md", "Guide", page)]);
    f.set_alga("citations-lock = \"data/citations.lock\"");
    f.write("data/citations.lock", lock_text);
    f
}

/// Everything the fixture cites: the page, and the table's symbol citation.
fn full_lock(commit: &str) -> String {
    lock(
        commit,
        300,
        &[(ROUTE, "10-12", "aaaa"), (ACCESS, "191", "bbbb")],
    )
}

#[test]
fn a_complete_lock_passes() {
    let f = with_lock(PAGE, &full_lock(COMMIT));
    assert_eq!(f.headlines(), Vec::<String>::new());
}

#[test]
fn a_citation_without_an_entry_is_located_with_the_command_that_records_it() {
    let f = with_lock(PAGE, &lock(COMMIT, 300, &[(ACCESS, "191", "bbbb")]));
    let all = f.run().1.render(false);
    assert_eq!(
        all,
        "src/guide.md:3:19: error: `server/src/app/api/ext/[extensionId]/[[...path]]/route.ts:10-12` is not in the citation lock (data/citations.lock)
  |
3 | The route {{#path gateway.route:10-12}} and {{#path gateway.access#assertAccess}}.
  |                   ^^^^^^^^^^^^^^^^^^^
  = hint: record what it cites: `ALGA_PSA_CHECKOUT=<clone> cargo xtask upstream --lock`

mdbook-alga: 1 error(s), 0 warning(s)
"
    );
}

#[test]
fn a_range_past_the_end_fails_without_a_checkout() {
    // The registry records no line count for gateway.access: only the lock knows.
    let page = "# G\n\nSee {{#path gateway.access:99999}}.\n";
    let f = with_lock(
        page,
        &lock(
            COMMIT,
            300,
            &[(ACCESS, "191", "bbbb"), (ACCESS, "99999", "cccc")],
        ),
    );
    assert_eq!(
        f.headlines(),
        [
            "src/guide.md:3:13: error: line 99999 is out of range: `packages/ext/access.ts` has 300 lines at the pin"
        ]
    );
}

#[test]
fn table_citations_are_checked_at_their_toml_line() {
    let f = with_lock(
        "# G\n\n{{#table errors}}\n",
        &lock(COMMIT, 300, &[(ROUTE, "10-12", "aaaa")]),
    );
    assert_eq!(
        f.headlines(),
        [
            "data/tables/errors.toml:11:45: error: `packages/ext/access.ts:191` is not in the citation lock (data/citations.lock)"
        ]
    );
}

#[test]
fn a_lock_of_another_commit_is_refused() {
    let f = with_lock(PAGE, &full_lock(&"f".repeat(40)));
    assert_eq!(
        f.run().1.render(false),
        format!(
            "data/citations.lock:1:1: error: the citation lock was written at `{}`, but the pin is `{COMMIT}`
  = hint: move the pin with `cargo xtask upstream --commit`, which rewrites the lock, or run `cargo xtask upstream --lock` with ALGA_PSA_CHECKOUT set

mdbook-alga: 1 error(s), 0 warning(s)
",
            "f".repeat(40)
        )
    );
}

#[test]
fn a_malformed_lock_is_a_located_error() {
    let f = with_lock(PAGE, "commit = \"x\"\n[files.\"a\"]\nlines = \"many\"\n");
    let h = f.headlines();
    assert_eq!(h.len(), 1, "{h:?}");
    assert!(h[0].starts_with("data/citations.lock:3:9: error:"), "{h:?}");
}

#[test]
fn without_a_lock_file_the_build_says_how_to_write_one() {
    let f = with_lock(PAGE, "");
    std::fs::remove_file(f.root().join("data/citations.lock")).unwrap();
    assert_eq!(
        f.run().1.render(false),
        "data/citations.lock:1:1: error: cannot read the citation lock: No such file or directory (os error 2)
  = hint: write it with `ALGA_PSA_CHECKOUT=<clone> cargo xtask upstream --lock`

mdbook-alga: 1 error(s), 0 warning(s)
"
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// With a checkout, the fingerprint of the cited lines is compared: code that
/// changed under a claim fails at the claim.
#[test]
fn with_a_checkout_changed_code_under_a_claim_fails_at_the_claim() {
    let up = tempfile::tempdir().unwrap();
    let route: String = (1..=500)
        .map(|i| {
            if i == 419 {
                "export async function GET() {}\n".to_owned()
            } else {
                format!("route line {i}\n")
            }
        })
        .collect();
    let access: String = (1..=300)
        .map(|i| {
            if i == 191 {
                "export function assertAccess() {}\n".to_owned()
            } else {
                format!("access line {i}\n")
            }
        })
        .collect();
    common::write(up.path(), ROUTE, &route);
    common::write(up.path(), ACCESS, &access);
    common::write(up.path(), "ee/runner/src/main.rs", "fn main() {}\n");
    common::write(up.path(), "ee/old/bridge.ts", "x\n");
    git(up.path(), &["init", "-q"]);
    git(up.path(), &["add", "-A"]);
    git(up.path(), &["commit", "-q", "-m", "pin"]);
    let commit = git(up.path(), &["rev-parse", "HEAD"]);
    let fp = |text: &str, a, b| alga_book_data::citations::fingerprint(text, a, b).unwrap();
    let good = lock(
        &commit,
        300,
        &[
            (ROUTE, "10-12", &fp(&route, 10, 12)),
            (ACCESS, "191", &fp(&access, 191, 191)),
        ],
    );
    let f = with_lock(PAGE, &good);
    let toml = std::fs::read_to_string(f.root().join("book.toml")).unwrap();
    f.write(
        "book.toml",
        &toml.replace(COMMIT, &commit).replace(
            "tree = \"upstream.tree\"",
            &format!("checkout = {:?}", up.path()),
        ),
    );
    assert_eq!(f.headlines(), Vec::<String>::new());
    // The lock was taken when line 11 read differently.
    let stale = good.replace(&fp(&route, 10, 12), "0123456789abcdef");
    f.write("data/citations.lock", &stale);
    let all = f.run().1.render(false);
    assert!(
        all.starts_with(&format!(
            "src/guide.md:3:19: error: the code under `{ROUTE}:10-12` is not what this claim was written against (lock 0123456789abcdef, pin {})",
            fp(&route, 10, 12)
        )),
        "{all}"
    );
    assert!(
        all.contains("= hint: re-read the claim against the code at the pin and fix it or its lines; then `cargo xtask upstream --lock`"),
        "{all}"
    );
}
