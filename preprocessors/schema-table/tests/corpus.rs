//! The schema corpus: JSON Schemas that use every keyword of draft-07 and
//! 2020-12. Each renders completely with working links, and its whole output
//! is kept beside it as `NAME.md` (re-bless with `UPDATE_EXPECT=1`).
use alga_schema_table::{pointer_get, render_schema, to_markdown};
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

/// Render with the library's renderer.
fn render(name: &str, schema: Value) -> (String, Vec<alga_diagnostics::Diagnostic>) {
    let prefix = name.trim_end_matches(".json").to_owned();
    let (r, issues) = render_schema(&schema, "", &prefix, None);
    (
        to_markdown(&r, None).expect("the built-in layout renders"),
        issues,
    )
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
        let errors: Vec<_> = issues
            .iter()
            .filter(|i| i.severity == alga_diagnostics::Severity::Error)
            .collect();
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

/// The whole output of every corpus schema, kept beside it: a change in
/// wording, column order or escaping shows as a diff.
#[test]
fn every_corpus_schema_renders_as_its_snapshot() {
    for (name, schema) in corpus() {
        let (out, _) = render(&name, schema);
        let snapshot = corpus_dir().join(name.replace(".json", ".md"));
        expect_test::expect_file![snapshot].assert_eq(&out);
    }
}
