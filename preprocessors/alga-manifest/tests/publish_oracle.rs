//! The published manifest schema against the publish validator.
//!
//! `oracle` re-expresses `validateManifestShape` (what publish accepts at the
//! pinned commit) and the rules by which the schema is deliberately stricter.
//! The fixtures under `tests/manifests/` give one accepted and one rejected
//! manifest per rule; the property test compares schema and oracle on
//! manifests mutated near every boundary.

mod oracle;

use oracle::{
    PUBLISH_RULES, STRICTER_RULES, expected_schema_valid, publish_accepts, schema_errors,
    schema_valid, stricter_rules_broken,
};
use proptest::prelude::*;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn manifests_dir(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/manifests")
        .join(kind)
}

/// Every `*.json` of `tests/manifests/<kind>/` as (rule id, parsed manifest).
fn fixtures(kind: &str) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = std::fs::read_dir(manifests_dir(kind))
        .unwrap_or_else(|e| panic!("tests/manifests/{kind}: {e}"))
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let rule = p
                .file_stem()
                .and_then(|s| s.to_str())
                .expect("a UTF-8 file name")
                .to_string();
            let text = std::fs::read_to_string(&p).expect("a readable fixture");
            let value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", p.display()));
            (rule, value)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn all_rules() -> BTreeSet<String> {
    PUBLISH_RULES
        .iter()
        .copied()
        .chain(STRICTER_RULES.iter().map(|(id, _)| *id))
        .map(String::from)
        .collect()
}

#[test]
fn rule_ids_are_unique() {
    let n = PUBLISH_RULES.len() + STRICTER_RULES.len();
    assert_eq!(all_rules().len(), n, "a rule id is listed twice");
}

#[test]
fn stricter_rules_are_the_documented_ones() {
    let documented: BTreeSet<&str> = alga_manifest::STRICTER_THAN_PUBLISH
        .iter()
        .map(|(field, _)| *field)
        .collect();
    let implemented: BTreeSet<&str> = STRICTER_RULES.iter().map(|(_, field)| *field).collect();
    assert_eq!(
        documented, implemented,
        "STRICTER_THAN_PUBLISH in lib.rs and the oracle's STRICTER_RULES disagree"
    );
}

#[test]
fn every_rule_has_exactly_one_valid_and_one_invalid_fixture() {
    let rules = all_rules();
    for kind in ["valid", "invalid"] {
        let found: BTreeSet<String> = fixtures(kind).into_iter().map(|(r, _)| r).collect();
        let missing: Vec<_> = rules.difference(&found).collect();
        let unknown: Vec<_> = found.difference(&rules).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "tests/manifests/{kind}: no fixture for {missing:?}; fixtures for no rule: {unknown:?}"
        );
    }
}

#[test]
fn valid_fixtures_pass_the_schema_and_publish() {
    for (rule, m) in fixtures("valid") {
        assert_eq!(
            publish_accepts(&m),
            Ok(()),
            "valid/{rule}.json: publish rejects it"
        );
        assert!(
            stricter_rules_broken(&m).is_empty(),
            "valid/{rule}.json breaks {:?}",
            stricter_rules_broken(&m)
        );
        assert!(
            schema_valid(&m),
            "valid/{rule}.json: the schema rejects it: {:?}",
            schema_errors(&m)
        );
    }
}

#[test]
fn invalid_fixtures_fail_by_their_own_rule() {
    for (rule, m) in fixtures("invalid") {
        assert!(
            !schema_valid(&m),
            "invalid/{rule}.json: the schema accepts it"
        );
        if PUBLISH_RULES.contains(&rule.as_str()) {
            let issues = publish_accepts(&m).expect_err(&format!(
                "invalid/{rule}.json: publish accepts it, but `{rule}` is a publish rule"
            ));
            assert!(
                issues.iter().any(|i| i.starts_with(&format!("{rule} @"))),
                "invalid/{rule}.json: publish rejects it, but not by `{rule}`: {issues:?}"
            );
        } else {
            assert_eq!(
                publish_accepts(&m),
                Ok(()),
                "invalid/{rule}.json: a stricter rule's fixture must pass publish"
            );
            assert_eq!(
                stricter_rules_broken(&m),
                [rule.as_str()],
                "invalid/{rule}.json breaks other stricter rules, or not its own"
            );
        }
    }
}

// ---- the property test -------------------------------------------------

/// Pieces from which boundary strings are assembled: white space that
/// JavaScript and Rust disagree on, dots, slashes, case traps (`ſ` and `ı`
/// upper-case to `S` and `I` in JavaScript), version and capability parts.
const PIECES: &[&str] = &[
    "a",
    "x1",
    "/",
    ".",
    "..",
    "./",
    "//",
    ":id",
    " ",
    "\t",
    "\n",
    "\r",
    "\u{a0}",
    "\u{85}",
    "\u{feff}",
    "\u{2000}",
    "\u{2028}",
    "\u{3000}",
    "@",
    "-",
    "+b.1",
    "-rc.1",
    "0",
    "12",
    "*",
    "\u{661}",
    "GET",
    "get",
    "Post",
    "po\u{17f}t",
    "opt\u{131}ons",
    "cap:",
    "http.fetch",
    "storage.kv",
    "wasm-js@1",
];

fn boundary_string() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..5).prop_map(|p| p.concat())
}

fn version_string() -> impl Strategy<Value = String> {
    let part = prop_oneof![
        "[0-9]{1,2}",
        Just("*".to_string()),
        Just("\u{661}".to_string())
    ];
    let ws = prop::sample::select(&[
        "", "", " ", "\t", "\u{a0}", "\u{85}", "\u{feff}", "\u{3000}",
    ]);
    let tail = prop::sample::select(&["", "", "", "-beta.1", "+build.5", "-", "+", "-a+b", "-_"]);
    (ws.clone(), prop::collection::vec(part, 1..5), tail, ws)
        .prop_map(|(l, parts, t, r)| format!("{l}{}{t}{r}", parts.join(".")))
}

fn capability() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(oracle::KNOWN_CAPABILITIES).prop_map(String::from),
        1 => prop::sample::select(oracle::KNOWN_CAPABILITIES)
            .prop_map(|c| c.trim_start_matches("cap:").to_string()),
        1 => prop::sample::select(oracle::KNOWN_CAPABILITIES).prop_map(|c| c.to_uppercase()),
        1 => prop::sample::select(oracle::KNOWN_CAPABILITIES).prop_map(|c| format!(" {c}")),
        1 => boundary_string(),
    ]
}

const METHOD_NAMES: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];

fn endpoint() -> impl Strategy<Value = Value> {
    (
        prop::sample::select(METHOD_NAMES),
        "(/[a-z:]{1,4}){0,3}",
        "[a-z./]{1,8}",
    )
        .prop_map(|(method, path, handler)| {
            let path = if path.is_empty() { "/".into() } else { path };
            let handler = if handler.contains("..") {
                "main".into()
            } else {
                handler
            };
            json!({ "method": method, "path": path, "handler": handler })
        })
}

/// A manifest that both publish and the schema accept, with random values.
fn valid_manifest() -> impl Strategy<Value = Value> {
    let name = "[a-z]{1,6}(\\.[a-z]{1,6}){0,2}";
    let version = prop_oneof![
        "[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,2}",
        "[0-9]\\.[0-9]\\.\\*",
        "[0-9]\\.[0-9]\\.[0-9]-[a-z0-9.]{1,5}",
    ];
    let caps = prop::option::of(prop::collection::vec(
        prop::sample::select(oracle::KNOWN_CAPABILITIES),
        0..4,
    ));
    let ui = prop::option::of((
        "[a-z]{1,5}\\.html",
        prop::option::of("[A-Z][a-z]{0,6}"),
        prop::option::of("[A-Z][a-z]{0,6}"),
    ));
    let api = prop::option::of(prop::collection::vec(endpoint(), 0..3));
    let assets = prop::option::of(prop::collection::vec("[a-z]{1,4}/[a-z]{1,4}", 0..3));
    let precompiled = prop::option::of(prop::collection::btree_map(
        "[a-z0-9]{1,6}",
        "[a-z]{1,4}\\.wasm",
        0..3,
    ));
    (
        name,
        prop::option::of("[A-Za-z]{1,8}"),
        version,
        caps,
        ui,
        api,
        assets,
        precompiled,
    )
        .prop_map(|(name, publisher, version, caps, ui, api, assets, pre)| {
            let mut m = json!({ "name": name, "version": version, "runtime": "wasm-js@1" });
            let o = m.as_object_mut().expect("an object");
            if let Some(p) = publisher {
                o.insert("publisher".into(), json!(p));
            }
            if let Some(c) = caps {
                o.insert("capabilities".into(), json!(c));
            }
            if let Some((entry, app, portal)) = ui {
                let mut u = json!({ "type": "iframe", "entry": entry });
                if app.is_some() || portal.is_some() {
                    let mut hooks = serde_json::Map::new();
                    if let Some(l) = app {
                        hooks.insert("appMenu".into(), json!({ "label": l }));
                    }
                    if let Some(l) = portal {
                        hooks.insert("clientPortalMenu".into(), json!({ "label": l }));
                    }
                    u["hooks"] = Value::Object(hooks);
                }
                o.insert("ui".into(), u);
            }
            if let Some(eps) = api {
                o.insert("api".into(), json!({ "endpoints": eps }));
            }
            if let Some(a) = assets {
                o.insert("assets".into(), json!(a));
            }
            if let Some(p) = pre {
                o.insert("precompiled".into(), json!(p));
            }
            m
        })
}

/// A value to put somewhere: wrong types, nulls, empty containers, strings
/// near every string rule.
fn any_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => boundary_string().prop_map(Value::String),
        2 => version_string().prop_map(Value::String),
        2 => capability().prop_map(Value::String),
        1 => prop::sample::select(METHOD_NAMES).prop_map(|m| json!(m.to_lowercase())),
        1 => Just(Value::Null),
        1 => Just(json!(0)),
        1 => Just(json!(true)),
        1 => Just(json!([])),
        1 => Just(json!({})),
        1 => Just(json!(["x"])),
        1 => Just(json!({ "label": "L" })),
        1 => Just(json!("iframe")),
        1 => Just(json!("wasm32-wasi@1")),
        1 => endpoint(),
    ]
}

const KEYS: &[&str] = &[
    "extra",
    "routes",
    "description",
    "type",
    "entry",
    "hooks",
    "endpoints",
    "method",
    "path",
    "handler",
    "label",
    "appMenu",
    "clientPortalMenu",
    "name",
    "version",
    "runtime",
    "publisher",
    "capabilities",
    "ui",
    "api",
    "assets",
    "precompiled",
    "",
    " ",
    "\u{feff}",
    "\u{85}",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// Put a value in place of the node.
    Replace(Value),
    /// Drop the node from its object or array.
    Remove,
    /// Add (or overwrite) a key of an object node, or push onto an array node.
    Insert(&'static str, Value),
    /// Rewrite a string node.
    Edit(Edit),
}

#[derive(Debug, Clone, Copy)]
enum Edit {
    Pad(&'static str),
    Lower,
    Upper,
    DotDot,
    StripSlash,
    DotSlash,
    Wildcard,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let pad = prop::sample::select(&[
        " ", "\t", "\n", "\u{a0}", "\u{85}", "\u{feff}", "\u{2028}", "\u{3000}",
    ]);
    prop_oneof![
        3 => any_value().prop_map(Mutation::Replace),
        2 => Just(Mutation::Remove),
        2 => (prop::sample::select(KEYS), any_value()).prop_map(|(k, v)| Mutation::Insert(k, v)),
        3 => prop_oneof![
            pad.prop_map(Edit::Pad),
            Just(Edit::Lower),
            Just(Edit::Upper),
            Just(Edit::DotDot),
            Just(Edit::StripSlash),
            Just(Edit::DotSlash),
            Just(Edit::Wildcard),
        ]
        .prop_map(Mutation::Edit),
    ]
}

/// JSON pointers of every node, the root first.
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, c) in m {
                pointers(
                    c,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, c) in a.iter().enumerate() {
                pointers(c, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(at);
}

fn apply(m: &mut Value, selector: usize, mutation: &Mutation) {
    let mut all = Vec::new();
    pointers(m, String::new(), &mut all);
    let at = all[selector % all.len()].clone();
    match mutation {
        Mutation::Replace(v) => *m.pointer_mut(&at).expect("a node") = v.clone(),
        Mutation::Remove => {
            let Some((parent, last)) = at.rsplit_once('/') else {
                return; // the root stays
            };
            let key = last.replace("~1", "/").replace("~0", "~");
            match m.pointer_mut(parent).expect("a parent") {
                Value::Object(o) => {
                    o.shift_remove(&key);
                }
                Value::Array(a) => {
                    a.remove(key.parse::<usize>().expect("an index"));
                }
                _ => unreachable!("a parent is a container"),
            }
        }
        Mutation::Insert(k, v) => match m.pointer_mut(&at).expect("a node") {
            Value::Object(o) => {
                o.insert((*k).to_string(), v.clone());
            }
            Value::Array(a) => a.push(v.clone()),
            _ => {}
        },
        Mutation::Edit(e) => {
            if let Some(Value::String(s)) = m.pointer_mut(&at) {
                *s = match e {
                    Edit::Pad(p) => format!("{p}{s}{p}"),
                    Edit::Lower => s.to_lowercase(),
                    Edit::Upper => s.to_uppercase(),
                    Edit::DotDot => format!("{s}/.."),
                    Edit::StripSlash => s.trim_start_matches('/').to_string(),
                    Edit::DotSlash => format!("./{s}"),
                    Edit::Wildcard => match s.rsplit_once('.') {
                        Some((head, _)) => format!("{head}.*"),
                        None => format!("{s}.*"),
                    },
                };
            }
        }
    }
}

fn mutated_manifest() -> impl Strategy<Value = Value> {
    (
        valid_manifest(),
        prop::collection::vec((any::<usize>(), mutation()), 0..4),
    )
        .prop_map(|(mut m, ms)| {
            for (sel, mu) in &ms {
                apply(&mut m, *sel, mu);
            }
            m
        })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3000,
        max_shrink_iters: 2000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn valid_manifests_are_accepted_by_both(m in valid_manifest()) {
        prop_assert_eq!(publish_accepts(&m), Ok(()));
        prop_assert!(schema_valid(&m), "schema rejects {}: {:?}", m, schema_errors(&m));
    }

    #[test]
    fn the_schema_accepts_what_publish_accepts_less_the_stricter_rules(m in mutated_manifest()) {
        let expected = expected_schema_valid(&m);
        prop_assert_eq!(
            schema_valid(&m),
            expected,
            "manifest {}\npublish: {:?}\nstricter rules broken: {:?}\nschema: {:?}",
            m,
            publish_accepts(&m),
            stricter_rules_broken(&m),
            schema_errors(&m)
        );
    }
}

/// The mutation strategy must reach both sides of the boundary often enough
/// for the property test to mean something.
#[test]
fn mutated_manifests_land_on_both_sides() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = mutated_manifest();
    let (mut ok, mut publish_only, mut rejected) = (0, 0, 0);
    for _ in 0..2000 {
        let m = strategy.new_tree(&mut runner).expect("a value").current();
        match (publish_accepts(&m).is_ok(), oracle::stricter_rules_hold(&m)) {
            (true, true) => ok += 1,
            (true, false) => publish_only += 1,
            (false, _) => rejected += 1,
        }
    }
    eprintln!("accepted {ok}, publish-only {publish_only}, rejected {rejected} of 2000");
    for (what, n) in [
        ("accepted", ok),
        ("publish-only", publish_only),
        ("rejected", rejected),
    ] {
        assert!(n >= 50, "too few {what} manifests: {n} of 2000");
    }
}

/// Cases the property test found, or that sit where JavaScript and Rust
/// disagree, each with the decision publish makes at the pin (read from the
/// TypeScript) and whether a stricter rule applies.
#[test]
fn known_boundary_cases() {
    let base = || json!({ "name": "n", "version": "1.0.0", "runtime": "wasm-js@1" });
    let with = |pointer: &str, v: Value| {
        let mut m = base();
        let (parent, key) = pointer.rsplit_once('/').expect("a pointer");
        if !parent.is_empty() && m.pointer(parent).is_none() {
            // build `api.endpoints[0]` or `ui` on demand
            m["api"] = json!({ "endpoints": [{ "method": "GET", "path": "/", "handler": "h" }] });
            m["ui"] = json!({ "type": "iframe", "entry": "index.html" });
        }
        m.pointer_mut(parent).expect("a parent")[key] = v;
        m
    };
    // (where, what, publish accepts it, the stricter rules hold)
    let cases = [
        // `trim()` removes U+2028, U+3000 and U+FEFF but keeps U+0085
        ("/version", json!("\u{2028}1.0.0\u{2028}"), true, true),
        ("/version", json!("\u{feff}1.0.*"), true, true),
        ("/version", json!("1.0.0\u{85}"), false, true),
        ("/version", json!("\u{661}.0.0"), false, true),
        ("/name", json!("\u{3000}"), false, true),
        ("/name", json!("\u{feff}"), false, true),
        ("/name", json!("\u{85}"), true, true),
        ("/publisher", json!("\u{2000}\u{a0}"), false, true),
        ("/assets", json!(["\u{205f}"]), false, true),
        ("/precompiled", json!({ "\u{feff}": "x" }), false, true),
        // `/\s/` in a path uses the same set
        ("/api/endpoints/0/path", json!("/a\u{feff}"), false, true),
        ("/api/endpoints/0/path", json!("/a\u{85}"), true, true),
        // `..` behind a line break is still `..`
        ("/ui/entry", json!("pages/\n../secret.html"), false, true),
        (
            "/api/endpoints/0/handler",
            json!("x\u{2028}.."),
            false,
            true,
        ),
        // the method is upper-cased (Unicode-aware) but not trimmed
        ("/api/endpoints/0/method", json!("po\u{17f}t"), true, false),
        ("/api/endpoints/0/method", json!(" GET"), false, false),
        // a path made only of `./` normalises to nothing
        ("/api/endpoints/0/path", json!("././"), false, false),
        ("/api/endpoints/0/path", json!("."), true, false),
        // capabilities are not trimmed or lower-cased by publish's check
        ("/capabilities", json!([" cap:http.fetch"]), true, false),
        ("/capabilities", json!(["CAP:HTTP.FETCH"]), true, false),
        ("/runtime", json!(" wasm-js@1 "), true, false),
        // null is present and of the wrong type
        ("/ui/hooks", json!({ "appMenu": null }), false, true),
        ("/ui/hooks", json!({ "other": null }), true, true),
    ];
    for (pointer, value, publish, strict) in cases {
        let m = with(pointer, value);
        assert_eq!(publish_accepts(&m).is_ok(), publish, "publish on {m}");
        assert_eq!(
            oracle::stricter_rules_hold(&m),
            strict,
            "stricter rules on {m}"
        );
        assert_eq!(
            schema_valid(&m),
            publish && strict,
            "schema on {m}: {:?}",
            schema_errors(&m)
        );
    }
}
