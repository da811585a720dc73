//! JSON Schema rendered as flat Markdown tables: one table per object, each
//! row a dotted path with a stable anchor. The library behind
//! `{{#schema-table NAME [POINTER]}}` and the standalone
//! `mdbook-alga schema-table` command.
//!
//! Handles draft-07 and 2020-12: `$ref` into `$defs`/`definitions`/any local
//! pointer, combinators, `if`/`then`/`else`, boolean schemas and reference
//! cycles (each definition is rendered once; later uses link to it). Never
//! fetches anything: an external `$ref` is reported.
//!
//! One module per concern: [`markdown`] escapes, [`pointer`](mod@pointer) resolves JSON
//! Pointers and locates them in the text, `keywords` knows the schema
//! keywords, `walk` turns a schema into the [`model`], and [`write`](mod@write) lays the
//! model out (the built-in layout, or a theme's Handlebars template).
#![deny(missing_docs)]

mod keywords;
pub mod markdown;
pub mod model;
pub mod pointer;
mod walk;
pub mod write;

pub use markdown::cell;
pub use model::{Rendered, Row, TableOut, VariantLink};
pub use pointer::{locate, pointer_get};
pub use walk::render_schema;
pub use write::to_markdown;

/// A schema document's file and text, to locate problems in.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// The file as the author knows it (`src/schemas/manifest.json`).
    pub file: &'a str,
    /// The document's JSON text.
    pub text: &'a str,
}

/// A theme's Handlebars template for the tables (`theme/schema-table.hbs`).
#[derive(Debug, Clone, Copy)]
pub struct Template<'a> {
    /// The file as the author knows it.
    pub file: &'a str,
    /// The template.
    pub text: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keywords::*;
    use crate::markdown::*;
    use crate::walk::*;
    use crate::write::*;
    use alga_diagnostics::Diagnostic;
    use serde_json::Value;
    use serde_json::json;

    #[test]
    fn the_built_in_layout_equals_its_template_for_theme_authors() {
        let mut schemas = vec![alga_manifest::schema()];
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for f in files {
            if let Ok(v) = serde_json::from_str(&std::fs::read_to_string(&f).unwrap()) {
                schemas.push(v);
            }
        }
        assert!(schemas.len() > 10);
        for s in &schemas {
            let (r, _) = render_schema(s, "", "s", None);
            assert_eq!(
                write_default(&r),
                through_template(&r, include_str!("../tests/layout.hbs")).unwrap()
            );
        }
    }

    /// The escaping [`cell`] must do, written the obvious way: a char at a
    /// time. The fast version copies runs between special bytes.
    fn cell_reference(text: &str) -> String {
        let mut out = String::new();
        let mut in_code = false;
        let mut i = 0;
        while let Some(c) = text[i..].chars().next() {
            if c == '<'
                && !in_code
                && let Some(tag) = KEPT_TAGS.iter().find(|t| text[i..].starts_with(**t))
            {
                out.push_str(tag);
                i += tag.len();
                continue;
            }
            match c {
                '`' => {
                    in_code = !in_code;
                    out.push('`');
                }
                '|' => out.push_str("\\|"),
                '\r' => {}
                '\n' => out.push(' '),
                '<' if !in_code => out.push_str("&lt;"),
                '>' if !in_code => out.push_str("&gt;"),
                '&' if !in_code => out.push_str("&amp;"),
                '[' if !in_code => out.push_str("\\["),
                ']' if !in_code => out.push_str("\\]"),
                '{' if !in_code && text[i + 1..].starts_with('{') => out.push_str("&#123;"),
                _ => out.push(c),
            }
            i += c.len_utf8();
        }
        if in_code {
            out = out.replace('`', "\\`");
        }
        out.trim().to_owned()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        #[test]
        fn cell_escapes_exactly_as_the_reference(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[a-zé€ \\t`|<>&\\[\\]{}\\r\\n]{0,6}").unwrap(),
                    proptest::strategy::Just(KEPT_TAGS[0].to_owned()),
                    proptest::strategy::Just(KEPT_TAGS[1].to_owned()),
                    proptest::strategy::Just("<details".to_owned()),
                    proptest::strategy::Just("{{".to_owned()),
                ],
                0..12,
            )
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(cell(&text), cell_reference(&text));
        }

        #[test]
        fn code_spans_keep_the_text_but_pipes_and_line_breaks(text in "[a-z`|\\r\\n ]{0,12}") {
            let c = code(&text);
            let fence = if text.contains('`') { "`` " } else { "`" };
            let want = text.replace('|', "\\|").replace(['\n', '\r'], " ");
            proptest::prop_assert_eq!(c, format!("{fence}{want}{}", fence.chars().rev().collect::<String>()));
        }
    }

    #[test]
    fn the_keyword_prescan_flags_exactly_what_the_checks_report() {
        let keys = [
            "type",
            "properties",
            "patternProperties",
            "$defs",
            "definitions",
            "dependentSchemas",
            "allOf",
            "anyOf",
            "oneOf",
            "prefixItems",
            "required",
            "$ref",
            "items",
            "description",
        ];
        let values = [
            json!(null),
            json!(true),
            json!(1),
            json!("string"),
            json!("nope"),
            json!("#/x"),
            json!([]),
            json!(["string", "null"]),
            json!(["string", 3]),
            json!({}),
            json!({"a": {}}),
        ];
        for k in keys {
            for v in &values {
                let schema = json!({ k: v });
                let Value::Object(m) = &schema else {
                    unreachable!()
                };
                let mut ctx = Ctx::new(&schema, "s", None);
                ctx.report_shape("", m);
                assert_eq!(
                    misshapen(k, v),
                    !ctx.issues.is_empty(),
                    "{k}: {v} gave {:?}",
                    ctx.issues
                );
            }
        }
    }

    #[test]
    fn numbers_and_pointers_are_spelled_like_format() {
        for n in [0, 1, 9, 10, 99, 100, 12345, usize::MAX] {
            let mut s = String::from("x");
            push_number(&mut s, n);
            assert_eq!(s, format!("x{n}"));
        }
        assert_eq!(Via::Member("anyOf", 12).pointer("/a"), "/a/anyOf/12");
        assert_eq!(
            Via::Dependent("dependentSchemas", "a/b~c").pointer(""),
            "/dependentSchemas/a~1b~0c"
        );
        assert_eq!(
            Via::Member("oneOf", 0).when("when `if` matches"),
            "when `if` matches, variant 1 of `oneOf`"
        );
        assert_eq!(Via::Member("allOf", 3).when("x"), "x");
    }

    fn md(schema: Value) -> (String, Vec<Diagnostic>) {
        let (r, issues) = render_schema(&schema, "", "s", None);
        (to_markdown(&r, None).unwrap(), issues)
    }

    #[test]
    fn nested_objects_and_arrays_get_their_own_tables() {
        let (out, issues) = md(json!({
            "type": "object",
            "required": ["api"],
            "properties": {
                "api": {"type": "object", "required": ["endpoints"], "properties": {
                    "endpoints": {"type": "array", "items": {"type": "object", "required": ["method"],
                        "additionalProperties": false,
                        "properties": {"method": {"type": "string", "enum": ["GET", "POST"]}, "path": {"type": "string", "pattern": "^/"}}}}
                }}
            }
        }));
        assert!(issues.is_empty(), "{issues:?}");
        assert!(
            out.contains("<span id=\"s.api\"></span>`api` | object ([fields](#s.api-1)) | yes"),
            "{out}"
        );
        assert!(out.contains("<span id=\"s.api.endpoints\"></span>`api.endpoints` | array of object ([fields](#s.api.endpoints-1)) | yes"), "{out}");
        assert!(out.contains("<span id=\"s.api.endpoints.method\"></span>`api.endpoints[].method` | string (enum) | yes | one of: `\"GET\"`, `\"POST\"`"), "{out}");
        assert!(
            out.contains("`api.endpoints[].path` | string | no | pattern `^/`"),
            "{out}"
        );
        // No row has a default, so no table has the column.
        assert!(!out.contains("Default"), "{out}");
        // The link leads to the table, not back to the row.
        assert!(
            out.contains("<div class=\"schema-table\" id=\"s.api.endpoints-1\">"),
            "{out}"
        );
        assert!(out.contains("no other keys"), "{out}");
    }

    #[test]
    fn defaults_get_a_column_and_long_patterns_fold() {
        let long = "^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*@[0-9]+(?:\\.[0-9]+)*$";
        let (out, issues) = md(json!({
            "type": "object",
            "properties": {
                "a": {"type": "string", "default": "x", "pattern": long},
                "o": {"type": "object", "properties": {"b": {"type": "string", "pattern": "^b$"}}}
            }
        }));
        assert!(issues.is_empty(), "{issues:?}");
        assert!(
            out.contains("| Field | Type | Required | Default | Constraints | Description |"),
            "{out}"
        );
        assert!(
            out.contains(&format!(
                "| `\"x\"` | <details class=\"schema-pattern\"><summary>pattern</summary>`{long}`</details> |"
            )),
            "{out}"
        );
        // Only the exact fold tags survive escaping: a look-alike in a
        // description is text.
        let (out2, _) = md(json!({"type": "object", "properties": {"a": {
            "type": "string",
            "description": "<details open><summary>x</summary><script>alert(1)</script>"
        }}}));
        assert!(
            out2.contains("&lt;details open&gt;&lt;summary&gt;x&lt;/summary&gt;&lt;script&gt;"),
            "{out2}"
        );
        // The nested table has no default, so it has no Default column.
        assert!(
            out.contains("`o.b` | string | no | pattern `^b$` |"),
            "{out}"
        );
    }

    #[test]
    fn schemars_shapes_render_as_people_expect() {
        let (out, _) = md(json!({
            "type": "object",
            "properties": {
                "cap": {"$ref": "#/$defs/Cap", "description": "Own words."},
                "opt": {"anyOf": [{"$ref": "#/$defs/Cap"}, {"type": "null"}]},
                "old": {"type": "string", "deprecated": true, "default": "x"}
            },
            "$defs": {"Cap": {"oneOf": [{"const": "a", "description": "The a."}, {"const": "b"}], "description": "Def words."}}
        }));
        assert!(
            out.contains(
                "`cap` | string (enum) | no |  | one of: `\"a\"`: The a; `\"b\"` | Own words. |"
            ),
            "{out}"
        );
        assert!(out.contains("`opt` | string (enum) or null | no |  | one of: `\"a\"`: The a; `\"b\"` | Def words. |"), "{out}");
        assert!(
            out.contains("`old` | string | no | `\"x\"` | **deprecated** |"),
            "{out}"
        );
    }

    #[test]
    fn recursion_renders_once_and_links_back() {
        let (out, issues) = md(json!({
            "$ref": "#/$defs/Node",
            "$defs": {"Node": {"type": "object", "properties": {
                "name": {"type": "string"},
                "children": {"type": "array", "items": {"$ref": "#/$defs/Node"}},
                "parent": {"$ref": "#"}
            }}}
        }));
        assert!(issues.is_empty(), "{issues:?}");
        assert_eq!(out.matches("| Field |").count(), 1, "{out}");
        assert!(
            out.contains("`children` | array of object ([see table](#s))"),
            "{out}"
        );
    }

    #[test]
    fn html_and_pipes_in_descriptions_cannot_inject() {
        let (out, _) = md(json!({"type": "object", "properties": {
            "x": {"type": "string", "description": "<script>alert(1)</script> a|b `<kept>` {{#path x}}\nnext"}
        }}));
        assert!(
            out.contains(
                "&lt;script&gt;alert(1)&lt;/script&gt; a\\|b `<kept>` &#123;{#path x}} next"
            ),
            "{out}"
        );
        assert!(!out.contains("<script>"));
    }

    #[test]
    fn malformed_schemas_are_reported_not_panicked() {
        let (_, issues) = md(json!({"type": "object", "properties": {
            "a": {"type": "strin"},
            "b": {"$ref": "#/$defs/Missing"},
            "c": {"$ref": "https://example.com/x.json"},
            "d": {"properties": []}
        }}));
        let msgs: Vec<String> = issues.iter().map(|i| i.message.clone()).collect();
        assert!(
            msgs.iter().any(|m| m.starts_with(
                "unknown type \"strin\" (did you mean `string`?) (at `/properties/a/type`)"
            )),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("dangling `$ref` `#/$defs/Missing`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("external `$ref`")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.starts_with("`properties` must be an object")
                    && m.ends_with("(at `/properties/d/properties`)")),
            "{msgs:?}"
        );
    }

    #[test]
    fn boolean_schemas_and_combinators() {
        let (out, issues) = md(json!({"type": "object", "properties": {
            "t": true, "f": false,
            "u": {"oneOf": [{"type": "string"}, {"type": "integer", "minimum": 1}]},
            "c": {"type": "object", "if": {"required": ["a"]}, "then": {"required": ["b"]}, "properties": {"a": {}}}
        }}));
        assert!(issues.is_empty(), "{issues:?}");
        assert!(out.contains("`t` | any |"), "{out}");
        assert!(out.contains("`f` | never (no value allowed) |"), "{out}");
        assert!(
            out.contains("`u` | exactly one of: string, integer |"),
            "{out}"
        );
        assert!(out.contains("conditional (`if`/`then`/`else`)"), "{out}");
    }
}
