//! Robustness: a corpus of JSON Schemas that uses every keyword of draft-07
//! and 2020-12, malformed schemas, hostile chapters through the whole
//! preprocessor, and the determinism of the real book.
//!
//! Everything that could hang runs on its own thread with a time limit.
mod common;
use common::{Fixture, line_col_of, within};
use mdbook_alga::schema_table::{pointer_get, render_schema, to_markdown};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

// ---------------------------------------------------------------------------
// 1. The schema corpus

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas")
}

/// Every schema of `tests/schemas/`, by file name.
fn corpus() -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(corpus_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "json") {
            let text = std::fs::read_to_string(&p).unwrap();
            let v: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", p.display()));
            out.insert(p.file_name().unwrap().to_string_lossy().into_owned(), v);
        }
    }
    out
}

/// Keywords whose value is a map from names (not keywords) to schemas or lists.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependentRequired",
    "dependencies",
];

/// Every keyword used anywhere in `v` (names in `properties` and the like are
/// not keywords).
fn keywords(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                out.insert(k.clone());
                match c {
                    Value::Object(names) if NAME_MAPS.contains(&k.as_str()) => {
                        names.values().for_each(|s| keywords(s, out))
                    }
                    // Values, not schemas.
                    _ if matches!(k.as_str(), "enum" | "const" | "default" | "examples") => {}
                    _ => keywords(c, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|c| keywords(c, out)),
        _ => {}
    }
}

/// Whether `v` has a boolean schema in a subschema position.
fn has_boolean_subschema(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.iter().any(|(k, c)| match c {
            Value::Bool(_) => !matches!(
                k.as_str(),
                "default"
                    | "const"
                    | "deprecated"
                    | "readOnly"
                    | "writeOnly"
                    | "uniqueItems"
                    | "examples"
            ),
            Value::Object(names) if NAME_MAPS.contains(&k.as_str()) => names
                .values()
                .any(|s| s.is_boolean() || has_boolean_subschema(s)),
            _ => has_boolean_subschema(c),
        }),
        Value::Array(a) => a.iter().any(|c| c.is_boolean() || has_boolean_subschema(c)),
        _ => false,
    }
}

const DRAFT07_AND_2020_12: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "$ref",
    "$defs",
    "definitions",
    "$anchor",
    "$dynamicAnchor",
    "$dynamicRef",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
    "type",
    "enum",
    "const",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "items",
    "prefixItems",
    "additionalItems",
    "unevaluatedItems",
    "contains",
    "minContains",
    "maxContains",
    "minItems",
    "maxItems",
    "uniqueItems",
    "properties",
    "patternProperties",
    "additionalProperties",
    "unevaluatedProperties",
    "propertyNames",
    "required",
    "minProperties",
    "maxProperties",
    "dependencies",
    "dependentRequired",
    "dependentSchemas",
    "if",
    "then",
    "else",
    "allOf",
    "anyOf",
    "oneOf",
    "not",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

#[test]
fn the_corpus_uses_every_keyword_and_every_boolean_form() {
    let corpus = corpus();
    assert!(corpus.len() >= 20, "only {} schemas", corpus.len());
    let mut used = BTreeSet::new();
    for v in corpus.values() {
        keywords(v, &mut used);
    }
    let missing: Vec<&&str> = DRAFT07_AND_2020_12
        .iter()
        .filter(|k| !used.contains(**k))
        .collect();
    assert!(missing.is_empty(), "keywords no schema uses: {missing:?}");
    assert!(corpus.values().any(|v| v == &Value::Bool(true)));
    assert!(corpus.values().any(|v| v == &Value::Bool(false)));
    assert!(corpus.values().any(has_boolean_subschema));
    // The draft-07 tuple form of `items`.
    let mut tuple = false;
    fn find_tuple(v: &Value, found: &mut bool) {
        match v {
            Value::Object(m) => {
                *found |= m.get("items").is_some_and(Value::is_array);
                m.values().for_each(|c| find_tuple(c, found));
            }
            Value::Array(a) => a.iter().for_each(|c| find_tuple(c, found)),
            _ => {}
        }
    }
    corpus.values().for_each(|v| find_tuple(v, &mut tuple));
    assert!(tuple, "no schema uses `items` as an array");
}

/// The `$anchor`/`$dynamicAnchor` named `name`, as a pointer.
fn anchor_pointer(v: &Value, at: &str, name: &str) -> Option<String> {
    match v {
        Value::Object(m) => {
            if ["$anchor", "$dynamicAnchor"]
                .iter()
                .any(|k| m.get(*k).and_then(Value::as_str) == Some(name))
            {
                return Some(at.to_owned());
            }
            m.iter().find_map(|(k, c)| {
                let k = k.replace('~', "~0").replace('/', "~1");
                anchor_pointer(c, &format!("{at}/{k}"), name)
            })
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, c)| anchor_pointer(c, &format!("{at}/{i}"), name)),
        _ => None,
    }
}

/// The property names a reader of the document can meet: declared in
/// `properties` of every schema that applies to an instance (through
/// properties, additional/pattern/unevaluated properties, `items`, `allOf`,
/// `anyOf`, `oneOf`, `then`, `else`, `dependentSchemas`, `dependencies` and
/// references). Not included: `not` (forbidden keys), `if` (conditions),
/// `contentSchema` (another document), `propertyNames`, and array members by
/// position (`prefixItems`, `items` as an array, `contains`), which the
/// renderer does not describe as tables.
fn declared(
    root: &Value,
    ptr: &str,
    v: &Value,
    seen: &mut HashSet<String>,
    out: &mut BTreeSet<String>,
) {
    let Value::Object(m) = v else { return };
    if !seen.insert(ptr.to_owned()) {
        return;
    }
    if let Some(r) = m
        .get("$ref")
        .or_else(|| m.get("$dynamicRef"))
        .and_then(Value::as_str)
        && let Some(frag) = r.strip_prefix('#')
    {
        let target = if frag.is_empty() || frag.starts_with('/') {
            Some(frag.to_owned())
        } else {
            anchor_pointer(root, "", frag)
        };
        if let Some(t) = target
            && let Some(tv) = pointer_get(root, &t)
        {
            declared(root, &t, tv, seen, out);
        }
    }
    for (k, c) in m {
        let here = format!("{ptr}/{k}");
        match (k.as_str(), c) {
            ("properties", Value::Object(p)) => {
                for (name, s) in p {
                    out.insert(name.clone());
                    let t = name.replace('~', "~0").replace('/', "~1");
                    declared(root, &format!("{here}/{t}"), s, seen, out);
                }
            }
            ("patternProperties" | "dependentSchemas" | "dependencies", Value::Object(p)) => {
                for (name, s) in p {
                    let t = name.replace('~', "~0").replace('/', "~1");
                    declared(root, &format!("{here}/{t}"), s, seen, out);
                }
            }
            (
                "additionalProperties" | "unevaluatedProperties" | "items" | "then" | "else",
                Value::Object(_),
            ) => declared(root, &here, c, seen, out),
            ("allOf" | "anyOf" | "oneOf", Value::Array(a)) => {
                for (i, s) in a.iter().enumerate() {
                    declared(root, &format!("{here}/{i}"), s, seen, out);
                }
            }
            _ => {}
        }
    }
}

/// Render with the library's renderer on a thread with a time limit.
fn render(name: &str, schema: Value) -> (String, Vec<mdbook_alga::schema_table::SchemaIssue>) {
    let prefix = name.trim_end_matches(".json").to_owned();
    within(&format!("rendering {name}"), 5, move || {
        let (r, issues) = render_schema(&schema, "", &prefix);
        (
            to_markdown(&r, None).expect("the default template renders"),
            issues,
        )
    })
}

/// The values of `attr="..."` in `text`.
fn attr_values(text: &str, attr: &str) -> Vec<String> {
    let needle = format!("{attr}=\"");
    text.match_indices(&needle)
        .map(|(i, _)| {
            let rest = &text[i + needle.len()..];
            rest[..rest.find('"').unwrap()].to_owned()
        })
        .collect()
}

/// Targets of `[text](#target)` links.
fn fragment_links(text: &str) -> Vec<String> {
    text.match_indices("](#")
        .map(|(i, _)| {
            let rest = &text[i + 3..];
            rest[..rest.find(')').unwrap()].to_owned()
        })
        .collect()
}

#[test]
fn every_corpus_schema_renders_completely_with_working_links() {
    for (name, schema) in corpus() {
        let mut names = BTreeSet::new();
        declared(&schema, "", &schema, &mut HashSet::new(), &mut names);
        let (out, issues) = render(&name, schema.clone());
        let errors: Vec<_> = issues.iter().filter(|i| i.error).collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        assert!(
            out.contains("<div class=\"schema-table\" id=\""),
            "{name}: no table: {out}"
        );
        // Completeness: every declared property has a row that ends in its name.
        for n in &names {
            let shown = if n
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-$".contains(c))
            {
                format!("{n}`")
            } else {
                format!("[{}]`", serde_json::to_string(n).unwrap())
            };
            assert!(
                out.contains(&format!("{shown} |")),
                "{name}: no row for `{n}`:\n{out}"
            );
        }
        // Ids are unique, and every link reaches a table (not the row it sits in).
        let ids = attr_values(&out, "id");
        let unique: HashSet<&String> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{name}: duplicate ids {ids:?}");
        for target in fragment_links(&out) {
            assert!(
                out.contains(&format!("<div class=\"schema-table\" id=\"{target}\">")),
                "{name}: link to #{target} does not lead to a table:\n{out}"
            );
        }
    }
}

#[test]
fn boolean_schemas_render_as_any_and_never() {
    let corpus = corpus();
    let (t, _) = render("13-bool-true.json", corpus["13-bool-true.json"].clone());
    assert!(t.contains("`(value)` | any |"), "{t}");
    let (f, _) = render("14-bool-false.json", corpus["14-bool-false.json"].clone());
    assert!(f.contains("`(value)` | never (no value allowed) |"), "{f}");
    let (s, _) = render(
        "15-bool-subschemas.json",
        corpus["15-bool-subschemas.json"].clone(),
    );
    assert!(s.contains("`bo_anything` | any |"), "{s}");
    assert!(s.contains("`bo_never` | never (no value allowed) |"), "{s}");
    assert!(
        s.contains("`bo_list` | array of never (no value allowed) |"),
        "{s}"
    );
    assert!(
        s.contains("`bo_closed.bo_only` | string |"),
        "a closed object still lists its field: {s}"
    );
}

/// Each cycle is one table per object, and the way back is a link.
#[test]
fn cycles_link_back_instead_of_repeating() {
    let corpus = corpus();
    let cases: &[(&str, usize, &[&str])] = &[
        (
            "16-cycle-self.json",
            1,
            &["`cs_parent` | object ([see table](#16-cycle-self))"],
        ),
        (
            "17-cycle-mutual.json",
            2,
            &[
                "`cm_to_b` | object ([fields](#17-cycle-mutual.cm_to_b-1))",
                "`cm_to_b.cm_to_a` | object ([see table](#17-cycle-mutual))",
            ],
        ),
        (
            "18-cycle-items.json",
            3,
            &[
                "`ci_root.ci_kids` | array of object ([see table](#18-cycle-items.ci_root-1))",
                "`ci_root.ci_map.*` | object ([see table](#18-cycle-items.ci_root-1))",
            ],
        ),
        (
            "12-anchor-dynamic.json",
            3,
            &[
                "`an_children` | array of object ([see table](#12-anchor-dynamic))",
                "`an_meta.an_next` | object ([see table](#12-anchor-dynamic.an_meta-1))",
            ],
        ),
    ];
    for (name, tables, rows) in cases {
        let (out, issues) = render(name, corpus[*name].clone());
        assert!(issues.is_empty(), "{name}: {issues:?}");
        assert_eq!(
            out.matches("<div class=\"schema-table\"").count(),
            *tables,
            "{name}:\n{out}"
        );
        for row in *rows {
            assert!(out.contains(row), "{name}: missing {row}:\n{out}");
        }
    }
}

#[test]
fn applicators_contribute_rows_with_when_they_apply() {
    let corpus = corpus();
    let (out, _) = render("08-conditional.json", corpus["08-conditional.json"].clone());
    assert!(
        out.contains("`if_path` | string | yes | when `if` matches; pattern `^/` |"),
        "{out}"
    );
    assert!(
        out.contains("`if_schedule` | string | no | when `if` does not match |"),
        "{out}"
    );
    let (out, _) = render("09-combinators.json", corpus["09-combinators.json"].clone());
    assert!(out.contains("`co_all.co_a2` | integer | no |  |"), "{out}");
    assert!(
        out.contains("`co_one.co_c2` | string | yes | variant 2 of `oneOf` |"),
        "{out}"
    );
    let (out, _) = render(
        "06-dependencies-draft07.json",
        corpus["06-dependencies-draft07.json"].clone(),
    );
    assert!(
        out.contains("`de_zip` | string | yes | when `de_billing` is present; pattern"),
        "{out}"
    );
}

/// A variant that is a named definition keeps its own table, titled with
/// its name and linked from the union; an inline variant is still merged.
#[test]
fn named_variants_are_linked_not_merged() {
    let corpus = corpus();
    let (out, issues) = render(
        "22-named-variants.json",
        corpus["22-named-variants.json"].clone(),
    );
    assert!(issues.is_empty(), "{issues:?}");
    for want in [
        "`nv_shape` | exactly one of: `Circle`, `Square`, string ([fields](#22-named-variants.nv_shape-1))",
        "- variant 1 of `oneOf`: [`Circle`](#22-named-variants.nv_shape.variant-1)",
        "- variant 2 of `oneOf`: [`Square`](#22-named-variants.nv_shape.variant-2)",
        "**`nv_shape` as `Circle`** (object)",
        // The second union that names `Circle` links to the same table.
        "- variant 1 of `anyOf`: [`Circle`](#22-named-variants.nv_shape.variant-1)",
        "`nv_mixed.nv_inline` | string | no | variant 2 of `anyOf` |",
        // `then` through a `$ref` at the root.
        "- when `if` matches: [`Extended`](#22-named-variants.variant-1)",
        "**(root) as `Extended`** (object)",
        // A union that contains itself is named where it recurs.
        "`nv_tree` | any of: string, array of `Tree` (recursive) |",
        // Two definitions that are each other's variant link both ways.
        "- variant 1 of `anyOf`: [`LoopB`](#22-named-variants.nv_loop.variant-1)",
        "- variant 1 of `anyOf`: [`LoopA`](#22-named-variants.nv_loop-1)",
    ] {
        assert!(out.contains(want), "missing {want}:\n{out}");
    }
    // Each variant's fields are listed once, in its own table.
    assert_eq!(out.matches("`nv_shape.nv_radius`").count(), 1, "{out}");
    assert!(!out.contains("nv_mixed.nv_radius"), "{out}");
    // A union of named variants alone has no field grid of its own.
    let union = out
        .split("<div class=\"schema-table\" id=\"22-named-variants.nv_shape-1\">")
        .nth(1)
        .and_then(|t| t.split("</div>").next())
        .expect("the union's table");
    assert!(!union.contains("| Field |"), "{union}");
}

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
