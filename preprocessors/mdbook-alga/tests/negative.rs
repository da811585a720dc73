//! Every failure mode yields its located message.
mod common;
use common::{Fixture, PROBE_RESULTS};

fn one(name: &str, text: &str) -> Vec<String> {
    Fixture::new(&[("guide.md", "Guide", text)]).headlines_snap(name)
}

#[test]
fn unknown_directive_suggests_the_nearest() {
    let f = Fixture::new(&[("guide.md", "Guide", "# G\n\nsee {{#pth gateway.route}}\n")]);
    let d = f.run_snap("unknown_directive_suggests_the_nearest").1;
    let all = d.render(false);
    assert!(
        all.contains("src/guide.md:3:8: error: unknown directive `{{#pth}}`"),
        "{all}"
    );
    assert!(
        all.contains("= hint: did you mean `{{#path ...}}`?"),
        "{all}"
    );
}

#[test]
fn unknown_key_symbol_and_lines_are_located_with_hints() {
    let h = one(
        "unknown_key_symbol_and_lines_are_located_with_hints",
        "# G\n\n{{#path gateway.acess}}\n{{#path gateway.access#assertAcces}}\n{{#path gateway.route:501}}\n{{#path runner.src:3}}\n{{#path gateway.route:0}}\n",
    );
    assert_eq!(
        h,
        [
            "src/guide.md:3:9: error: unknown path key `gateway.acess`",
            "src/guide.md:4:9: error: unknown symbol `assertAcces` in `gateway.access`",
            "src/guide.md:5:9: error: line 501 is out of range: `server/src/app/api/ext/[extensionId]/[[...path]]/route.ts` has 500 lines at the pin",
            "src/guide.md:6:9: error: `runner.src` is a folder; a line anchor needs a file",
            "src/guide.md:7:9: error: `0` is not a line or a line range",
        ]
    );
    let all = Fixture::new(&[("guide.md", "Guide", "# G\n\n{{#path gateway.acess}}\n")])
        .run_snap("unknown_key_symbol_and_lines_are_located_with_hints-2")
        .1
        .render(false);
    assert!(
        all.contains("hint: did you mean `gateway.access`? (packages/ext/access.ts)"),
        "{all}"
    );
}

#[test]
fn unterminated_directive() {
    assert_eq!(
        one("unterminated_directive", "# G\n\n{{#path gateway.route\n"),
        ["src/guide.md:3:1: error: directive is not closed with `}}` on the same line"]
    );
}

#[test]
fn superseded_paths_fail_in_prose_code_links_and_blocks() {
    let h = one(
        "superseded_paths_fail_in_prose_code_links_and_blocks",
        "# G\n\nProse ee/old/bridge.ts here.\n\n[x](https://x/ee/old/bridge.ts) and `@alga/ui-kit`.\n\n```sh\nimport '@alga/extension-iframe-sdk'\n```\n",
    );
    assert_eq!(
        h,
        [
            "src/guide.md:3:7: error: superseded path `ee/old/bridge.ts`: the old bridge is not used",
            "src/guide.md:5:15: error: superseded path `ee/old/bridge.ts`: the old bridge is not used",
            "src/guide.md:5:38: error: superseded path `@alga/ui-kit`: no such package",
            "src/guide.md:8:9: error: superseded path `@alga/extension-iframe-sdk`: no such package",
        ]
    );
    let all = Fixture::new(&[("guide.md", "Guide", "# G\n\nee/old/bridge.ts\n")])
        .run_snap("superseded_paths_fail_in_prose_code_links_and_blocks-2")
        .1
        .render(false);
    assert!(
        all.contains(
            "hint: cite the canonical file with {{#path gateway.access}} (packages/ext/access.ts)"
        ),
        "{all}"
    );
}

#[test]
fn upstream_paths_in_inline_code_must_exist_and_registered_ones_warn() {
    let h = one(
        "upstream_paths_in_inline_code_must_exist_and_registered_ones_warn",
        "# G\n\n`ee/runner/src/modles.rs:12` and `packages/ext/access.ts` and `ee/runner/src/main.rs`.\n",
    );
    assert_eq!(
        h,
        [
            "src/guide.md:3:1: error: `ee/runner/src/modles.rs` does not exist upstream at the pinned commit",
            "src/guide.md:3:34: warning: raw mention of the registered upstream path `packages/ext/access.ts`",
        ]
    );
}

#[test]
fn links_to_missing_chapters_drafts_and_fragments_fail() {
    let f = Fixture::new(&[
        (
            "intro.md",
            "Intro",
            "# Intro\n\n[a](guide.md#nope) [b](draft.md) [c](missing.md) [d](#intro) [e](guide.md#setup-1)\n",
        ),
        (
            "guide.md",
            "Guide",
            "# Guide\n\n## Setup\n\n## Setup\n\n## Custom {#my-id}\n",
        ),
        ("", "Draft", ""),
    ]);
    f.write("src/draft.md", "# Draft\n");
    assert_eq!(
        f.headlines_snap("links_to_missing_chapters_drafts_and_fragments_fail"),
        [
            "src/intro.md:3:1: error: link `guide.md#nope`: `guide.md` has no heading or anchor `#nope`",
            "src/intro.md:3:20: error: link `draft.md` points to `draft.md`, which is not a live chapter (a draft, or missing from SUMMARY.md)",
            "src/intro.md:3:34: error: link `missing.md` points to `missing.md`, which is not a chapter of the book",
        ]
    );
}

#[test]
fn links_that_name_a_readme_chapter_fail_and_index_links_pass() {
    let f = Fixture::new(&[
        (
            "README.md",
            "Introduction",
            "# Introduction\n\n[back](part/README.md) [html](part/README.html#top) [ok](part/index.md)\n",
        ),
        (
            "part/README.md",
            "Part",
            "# Part {#top}\n\n[up](../README.md) [up too](../index.md#introduction)\n",
        ),
        ("guide.md", "Guide", "# Guide\n"),
    ]);
    assert_eq!(
        f.headlines_snap("links_that_name_a_readme_chapter_fail_and_index_links_pass"),
        [
            "src/README.md:3:1: error: link `part/README.md` names `part/README.md`, which mdBook writes as `part/index.html`; the link would point to a `README.html` that does not exist",
            "src/README.md:3:24: error: link `part/README.html#top` names `part/README.md`, which mdBook writes as `part/index.html`; the link would point to a `README.html` that does not exist",
            "src/part/README.md:3:1: error: link `../README.md` names `README.md`, which mdBook writes as `index.html`; the link would point to a `README.html` that does not exist",
        ]
    );
}

#[test]
fn manifest_examples_report_page_line_and_pointer() {
    let h = one(
        "manifest_examples_report_page_line_and_pointer",
        "# G\n\n```json manifest\n{\"name\": \"x\", \"version\": \"1.0\",\n \"runtime\": \"wasm-js@1\",\n \"capabilities\": [\"storage.kv\"]}\n```\n\n```json manifest expect-error=\"events\"\n{\"name\": \"x\", \"version\": \"1.0.0\", \"runtime\": \"wasm-js@1\"}\n```\n\n```json manifest\n{\"name\": \n```\n",
    );
    assert_eq!(h.len(), 4, "{h:#?}");
    assert!(
        h[0].starts_with(
            "src/guide.md:4:26: error: manifest example fails the manifest schema at `/version`"
        ),
        "{h:#?}"
    );
    assert!(h[1].starts_with("src/guide.md:6:19: error: manifest example fails the manifest schema at `/capabilities/0`"), "{h:#?}");
    assert_eq!(
        h[2],
        "src/guide.md:9:1: error: manifest example should fail with \"events\" but is valid"
    );
    assert!(
        h[3].starts_with("src/guide.md:14:8: error: manifest example is not valid JSON"),
        "{h:#?}"
    );
}

#[test]
fn malformed_registry_is_located_in_the_registry_file() {
    let f = Fixture::new(&[("guide.md", "Guide", "# G\n")]);
    f.write("data/paths/zz.toml", "[[entry]]\nkey = \"gateway.route\"\npath = \"a/../b\"\nrole = \"r\"\nsymbols = { x = \"\" }\n\n[[entry]]\nkey = \"z.y\"\nrole = \"r\"\n");
    assert_eq!(
        f.headlines_snap("malformed_registry_is_located_in_the_registry_file"),
        ["data/paths/zz.toml:7:1: error: missing field `path`",]
    );
    f.write("data/paths/zz.toml", "[[entry]]\nkey = \"gateway.route\"\npath = \"a/../b\"\nrole = \"r\"\nsymbols = { x = \"\" }\n");
    assert_eq!(
        f.headlines_snap("malformed_registry_is_located_in_the_registry_file-2"),
        [
            "data/paths/zz.toml:2:7: error: duplicate registry key `gateway.route`",
            "data/paths/zz.toml:3:8: error: registry path `a/../b` must not contain `..`, `.` or empty segments",
            "data/paths/zz.toml:5:17: error: symbol `x` of `gateway.route` has no line",
        ]
    );
}

#[test]
fn registry_paths_must_exist_upstream() {
    let f = Fixture::new(&[("guide.md", "Guide", "# G\n")]);
    f.write(
        "data/paths/more.toml",
        "[[entry]]\nkey = \"x.gone\"\npath = \"packages/ext/acess.ts\"\nrole = \"r\"\n",
    );
    let d = f.run_snap("registry_paths_must_exist_upstream").1;
    let out = d.render(false);
    assert!(out.contains("data/paths/more.toml:3:8: error: `packages/ext/acess.ts` does not exist upstream at the pin"), "{out}");
    assert!(
        out.contains("did you mean `packages/ext/access.ts`?"),
        "{out}"
    );
}

#[test]
fn bad_schema_and_table_arguments() {
    let h = one(
        "bad_schema_and_table_arguments",
        "# G\n\n{{#schema-table manifes}}\n\n{{#schema-table manifest properties}}\n\n{{#table erors}}\n\n{{#table errors group=none}}\n",
    );
    assert_eq!(
        h,
        [
            "src/guide.md:3:17: error: unknown schema `manifes`",
            "src/guide.md:5:17: error: `properties` is not a JSON pointer",
            "src/guide.md:7:10: error: unknown table `erors`",
            "src/guide.md:9:10: error: the filter selects no rows",
        ]
    );
}

#[test]
fn archive_banner_successor_is_link_checked() {
    let f = Fixture::new(&[("guide.md", "Guide", "# G\n")]);
    f.write(
        "archive/archive.toml",
        &common::ARCHIVE_TOML.replace("successor = \"guide.md\"", "successor = \"gone.md\""),
    );
    let h = f.headlines_snap("archive_banner_successor_is_link_checked");
    assert_eq!(
        h,
        [
            "archive/old.md:1:1: error: link `../gone.md` points to `gone.md`, which is not a chapter of the book"
        ]
    );
}

#[test]
fn a_link_to_an_upstream_branch_is_refused_with_the_directive_to_use() {
    let page = "# G\n\nSee [the policy](https://github.com/o/r/blob/main/packages/ext/access.ts#L3) \
                and [pinned](https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/packages/ext/access.ts).\n";
    let all = Fixture::new(&[("guide.md", "Guide", page)])
        .run_snap("a_link_to_an_upstream_branch_is_refused_with_the_directive_to_use")
        .1
        .render(false);
    assert_eq!(
        all,
        "src/guide.md:3:5: error: link to the upstream repository at `main`, not at a commit: it changes as upstream moves
  |
3 | See [the policy](https://github.com/o/r/blob/main/packages/ext/access.ts#L3) and [pinned](https://github.com/o/r/blob/0123456789abcdef0123456789abcdef01234567/packages/ext/access.ts).
  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = hint: write {{#path gateway.access}}: it links to the pinned commit and is checked

mdbook-alga: 1 error(s), 0 warning(s)
"
    );
}

/// The author mistakes that used to build silently: each fails at the
/// author's line, with a hint.
#[test]
fn html_links_reference_links_and_empty_links_fail_at_the_authors_line() {
    let page = "# G\n\nSee <a href=\"no-such-page.html\">this</a>.\n\nAnd [text][missing] too.\n\nAn [empty]() link.\n\n[ok][def] and <a href=\"#g\">top</a>.\n\n[def]: #g\n";
    let all = Fixture::new(&[("guide.md", "Guide", page)])
        .run_snap("html_links_reference_links_and_empty_links_fail_at_the_authors_line")
        .1
        .render(false);
    assert_eq!(
        all,
        "src/guide.md:3:14: error: link `no-such-page.html` points to `no-such-page.md`, which is not a chapter of the book
  |
3 | See <a href=\"no-such-page.html\">this</a>.
  |              ^^^^^^^^^^^^^^^^^
  = hint: link a chapter listed in SUMMARY.md, by its `.md` path relative to this page

src/guide.md:5:5: error: reference link `[missing]` has no definition
  |
5 | And [text][missing] too.
  |     ^^^^^^^^^^^^^^^
  = hint: define it on a line of its own, `[missing]: target.md`, or write an inline link

src/guide.md:7:4: error: link with an empty target
  |
7 | An [empty]() link.
  |    ^^^^^^^^^
  = hint: write where it goes, e.g. `[text](../reference/errors.md#endpoint_not_found)`

mdbook-alga: 3 error(s), 0 warning(s)
"
    );
}

#[test]
fn a_bad_schema_pointer_is_reported_at_the_directive() {
    let page = "# G\n\n{{#schema-table manifest /properties/nmae}}\n";
    let all = Fixture::new(&[("guide.md", "Guide", page)])
        .run_snap("a_bad_schema_pointer_is_reported_at_the_directive")
        .1
        .render(false);
    assert_eq!(
        all,
        "src/guide.md:3:26: error: no schema at `/properties/nmae` in schema `manifest` (schema.json)
  |
3 | {{#schema-table manifest /properties/nmae}}
  |                          ^^^^^^^^^^^^^^^^
  = hint: did you mean `/properties/name`?

mdbook-alga: 1 error(s), 0 warning(s)
"
    );
}

#[test]
fn a_problem_in_a_table_cell_is_reported_in_the_data_file_with_a_note_at_the_directive() {
    let f = Fixture::new(&[(
        "guide.md",
        "Guide",
        "# G\n\n{{#table errors group=gateway}}\n",
    )]);
    f.write(
        "data/tables/errors.toml",
        &common::TABLE.replace("gateway.access#assertAccess", "gateway.acess"),
    );
    let h = f.headlines_snap("a_problem_in_a_table_cell_is_reported_in_the_data_file");
    assert_eq!(
        h,
        ["data/tables/errors.toml:11:45: error: unknown path key `gateway.acess`"]
    );
    let all = f.run().1.render(false);
    assert!(
        all.contains("src/guide.md:3:1: note: in table `errors`, rendered here"),
        "{all}"
    );
}

fn probe_book(text: &str) -> Fixture {
    let f = Fixture::new(&[
        ("guide.md", "Guide", text),
        ("probes.md", "Probes", "# Probes\n\n{{#probes}}\n"),
    ]);
    f.with_probes("probes.md", PROBE_RESULTS);
    f
}

#[test]
fn probe_citations_that_the_record_contradicts_fail_at_the_claim() {
    let f = probe_book(
        "# G\n\n{{#probe echo status=500}} {{#probe no-timeout call=1 error=\"timed out\"}}\n{{#probe no-timeout body=\"POST\"}} {{#probe echo http=201}}\n",
    );
    assert_eq!(
        f.headlines_snap("probe_citations_that_the_record_contradicts_fail_at_the_claim"),
        [
            "src/guide.md:3:15: error: the page says probe `echo` (call 1) answered status 500, but the recorded run answered status 200",
            "src/guide.md:3:55: error: the page says probe `no-timeout` (call 1) answered an error containing `timed out`, but the recorded run answered error `execute_failed: error while executing at wasm backtrace:`",
            "src/guide.md:4:21: error: the page says probe `no-timeout` (call 2) answered a body containing `POST`, but the recorded run answered a body without it (`{\"method\":\"GET\"}`)",
            "src/guide.md:4:49: error: the page says probe `echo` (call 1) answered HTTP 201, but the recorded run answered HTTP 200",
        ]
    );
}

#[test]
fn probe_claims_about_other_calls_headers_and_output_are_checked() {
    let f = probe_book(
        "# G\n\n{{#probe no-timeout same-body-as=1}} {{#probe no-timeout call=1 body-differs-from=1}}\n{{#probe echo header=\"x-alga: 1\"}} {{#probe echo output=\"hello\"}} {{#probe no-timeout same-body-as=9}}\n",
    );
    assert_eq!(
        f.headlines_snap("probe_claims_about_other_calls_headers_and_output_are_checked"),
        [
            "src/guide.md:3:21: error: the page says probe `no-timeout` (call 2) answered the same body as call 1, but the recorded run answered a body that differs from call 1's",
            "src/guide.md:3:65: error: `body-differs-from=1` must name another call of probe `no-timeout` (1 to 2), not call 1",
            "src/guide.md:4:15: error: the page says probe `echo` (call 1) answered a header containing `x-alga: 1`, but the recorded run answered the headers `content-type: application/json`",
            "src/guide.md:4:50: error: call 1 of probe `echo` looked for no output line containing `hello`",
            "src/guide.md:4:87: error: `same-body-as=9` must name another call of probe `no-timeout` (1 to 2), not call 2",
        ]
    );
}

#[test]
fn probe_citations_with_unknown_ids_keys_or_calls_are_located() {
    let f = probe_book(
        "# G\n\n{{#probe ecko}} {{#probe echo stauts=200}} {{#probe echo 200}}\n{{#probe no-timeout call=3}} {{#probe echo http=ok}} {{#probe}}\n",
    );
    assert_eq!(
        f.headlines_snap("probe_citations_with_unknown_ids_keys_or_calls_are_located"),
        [
            "src/guide.md:3:10: error: no probe `ecko`",
            "src/guide.md:3:31: error: unknown claim `stauts`",
            "src/guide.md:3:58: error: `200` is not `key=value`",
            "src/guide.md:4:21: error: probe `no-timeout` makes 2 call(s); `call=3` is not one of them",
            "src/guide.md:4:44: error: `http=ok` is not a status code",
            "src/guide.md:4:54: error: `probe` needs the id of a probe",
        ]
    );
}

#[test]
fn the_probes_page_elsewhere_an_uncited_probe_and_no_configuration_are_reported() {
    let f = Fixture::new(&[
        ("guide.md", "Guide", "# G\n\n{{#probes}} {{#probe echo}}\n"),
        ("probes.md", "Probes", "# Probes\n\nNothing yet.\n"),
    ]);
    f.with_probes("probes.md", PROBE_RESULTS);
    assert_eq!(
        f.headlines_snap(
            "the_probes_page_elsewhere_an_uncited_probe_and_no_configuration_are_reported"
        ),
        [
            "data/probes/probes.toml:17:6: warning: probe `no-timeout` is cited by no page",
            "src/guide.md:3:1: error: `{{#probes}}` renders the page that `{{#probe}}` links to, `src/probes.md`",
            "src/guide.md:3:13: error: link `probes.md#probe-echo`: `probes.md` has no heading or anchor `#probe-echo`",
        ]
    );
    let bare = Fixture::new(&[("guide.md", "Guide", "# G\n\n{{#probe echo}}\n")]);
    assert_eq!(
        bare.headlines_snap("probe_without_configuration"),
        ["src/guide.md:3:1: error: no runtime probes are configured"]
    );
}

#[test]
fn stale_probe_results_are_reported_in_the_results_file() {
    let f = probe_book("# G\n\n{{#probe echo}} {{#probe no-timeout}}\n");
    f.write("probe/p.js", "export const handler = () => 1;\n");
    let results = std::fs::read_to_string(f.root().join("data/probes/results.toml")).unwrap();
    f.write(
        "data/probes/results.toml",
        &results.replace(common::COMMIT, "fedcba9876543210fedcba9876543210fedcba98"),
    );
    assert_eq!(
        f.headlines_snap("stale_probe_results_are_reported_in_the_results_file"),
        [
            "data/probes/results.toml:1:1: error: the probes were run at `fedcba9876543210fedcba9876543210fedcba98`, but the book is pinned at `0123456789abcdef0123456789abcdef01234567`",
            "data/probes/results.toml:8:1: error: the probe results are stale: `probe/p.js` changed since they were recorded",
        ]
    );
}
