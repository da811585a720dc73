//! Coverage of the upstream surface: every item documented where a reader
//! looks, or excluded with a reason; the page renders the figures.
mod common;
use common::{COMMIT, Fixture};

const SURFACES: &str = r#"[[surface]]
id = "env"
title = "Environment variables"
pages = ["data/tables/errors.toml", "src/guide.md"]

[[surface]]
id = "route"
title = "HTTP routes"
pages = ["src/guide.md"]
rule = "route"
"#;

fn surface(commit: &str) -> String {
    format!(
        r#"commit = "{commit}"

[[item]]
surface = "env"
name = "EXT_DOC"
key = "EXT_DOC"
evidence = ["ee/runner/src/a.rs:3"]

[[item]]
surface = "env"
name = "EXT_MISSING"
key = "EXT_MISSING"
evidence = ["ee/runner/src/b.rs:9", "ee/runner/src/c.rs:1"]

[[item]]
surface = "env"
name = "EXT_DEAD"
key = "EXT_DEAD"
evidence = ["ee/runner/src/d.rs:4"]

[[item]]
surface = "route"
name = "POST /api/ext/[extensionId]/[[...path]]"
key = "POST /api/ext/[extensionId]/[[...path]]"
evidence = ["server/src/app/api/ext/[extensionId]/[[...path]]/route.ts:520"]
"#
    )
}

const EXCLUSIONS: &str = r#"[[exclude]]
surface = "env"
name = "EXT_DEAD"
reason = "dead"
why = "Read only by `f()` in [d.rs], which nothing calls."
"#;

const PAGE: &str = "# Guide\n\nSet `EXT_DOC`. Call `POST /api/ext/{extensionId}/{...path}`.\n\n## Coverage\n\n{{#coverage}}\n";

fn book(page: &str, surface_text: &str, exclusions: &str) -> Fixture {
    let f = Fixture::new(&[("guide.md", "Guide", page)]);
    f.set_alga("coverage = \"data/coverage\"");
    f.write("data/coverage/surfaces.toml", SURFACES);
    f.write("data/coverage/surface.toml", surface_text);
    f.write("data/coverage/exclusions.toml", exclusions);
    f
}

#[test]
fn an_undocumented_item_fails_at_its_line_with_its_evidence_and_page() {
    let f = book(PAGE, &surface(COMMIT), EXCLUSIONS);
    let all = f.run().1.render(false);
    assert_eq!(
        all,
        "data/coverage/surface.toml:9:1: error: environment variables `EXT_MISSING` (ee/runner/src/b.rs:9) is not documented
  |
9 | [[item]]
  | ^^^^^^^^
  = hint: document it in data/tables/errors.toml or src/guide.md, or exclude it in data/coverage/exclusions.toml with a reason

mdbook-alga: 1 error(s), 0 warning(s)
"
    );
}

#[test]
fn documented_and_excluded_items_pass_and_the_page_shows_the_figures() {
    let page = PAGE.replace("Set `EXT_DOC`.", "Set `EXT_DOC` and `EXT_MISSING`.");
    let f = book(&page, &surface(COMMIT), EXCLUSIONS);
    let (content, headlines, _) = f.run_chapter("guide.md");
    assert_eq!(headlines, Vec::<String>::new());
    let content = content.unwrap();
    let table = &content[content.find("| Surface |").unwrap()..];
    assert_eq!(
        table,
        "| Surface | Items | Documented | Excluded | Missing | Documented where |
|---|---:|---:|---:|---:|---|
| Environment variables | 3 | 2 | 1 | 0 | `data/tables/errors.toml`, `src/guide.md` |
| HTTP routes | 1 | 1 | 0 | 0 | `src/guide.md` |
| **All** | **4** | **3** | **1** | **0** | |

### Exclusions {#exclusions}

| Surface | Item | Reason | Why |
|---|---|---|---|
| Environment variables | `EXT_DEAD` | dead | Read only by `f()` in \\[d.rs\\], which nothing calls. |

"
    );
}

#[test]
fn a_route_needs_its_method_with_its_path() {
    let page = PAGE.replace("Call `POST", "Call `GET");
    let page = page.replace("Set `EXT_DOC`.", "Set `EXT_DOC` and `EXT_MISSING`.");
    let f = book(&page, &surface(COMMIT), EXCLUSIONS);
    assert_eq!(
        f.headlines(),
        [
            "data/coverage/surface.toml:21:1: error: http routes `POST /api/ext/[extensionId]/[[...path]]` (server/src/app/api/ext/[extensionId]/[[...path]]/route.ts:520) is not documented"
        ]
    );
}

#[test]
fn exclusions_need_a_known_surface_and_reason_and_a_why() {
    let bad = r#"[[exclude]]
surface = "nope"
name = "X"
reason = "dead"
why = "w"

[[exclude]]
surface = "env"
name = "EXT_MISSING"
reason = "boring"
why = "w"

[[exclude]]
surface = "env"
name = "EXT_DEAD"
reason = "dead"
why = " "

[[exclude]]
surface = "env"
name = "EXT_GONE"
reason = "internal"
why = "w"
"#;
    let f = book(PAGE, &surface(COMMIT), bad);
    assert_eq!(
        f.headlines(),
        [
            "data/coverage/exclusions.toml:1:1: error: unknown surface `nope`",
            "data/coverage/exclusions.toml:7:1: error: unknown reason `boring`",
            "data/coverage/exclusions.toml:13:1: error: the exclusion of `EXT_DEAD` gives no `why`",
            "data/coverage/exclusions.toml:19:1: warning: `EXT_GONE` is excluded but not in the extraction",
        ]
    );
}

#[test]
fn an_extraction_of_another_commit_is_refused() {
    let f = book(PAGE, &surface(&"e".repeat(40)), EXCLUSIONS);
    assert_eq!(
        f.run().1.render(false),
        format!(
            "data/coverage/surface.toml:1:1: error: the coverage extraction is of `{}`, but the pin is `{COMMIT}`
  = hint: run `ALGA_PSA_CHECKOUT=<clone> cargo xtask coverage`

mdbook-alga: 1 error(s), 0 warning(s)
",
            "e".repeat(40)
        )
    );
}
