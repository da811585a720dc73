//! A test oracle: the publish validator of Alga PSA at the pinned commit
//! (`validateManifestShape` in `ee/server/src/lib/extensions/bundles/manifest.ts`,
//! as called by the finalize step with default options), re-expressed in Rust
//! from its behaviour, plus the rules by which the published schema is
//! deliberately stricter (`STRICTER_THAN_PUBLISH` in `src/lib.rs`).
//!
//! Every failure is reported as `rule-id @ location`, so that a fixture can say
//! which rule it breaks. The rule ids are listed in [`PUBLISH_RULES`] and
//! [`STRICTER_RULES`].

#![allow(dead_code)] // each test binary uses a different part of this module

use serde_json::{Map, Value};

/// Every check publish makes, one id per distinct way of being rejected.
pub(crate) const PUBLISH_RULES: &[&str] = &[
    "root.object",
    "root.unknown-key",
    "name.non-blank-string",
    "version.string",
    "version.semver-like",
    "runtime.string",
    "runtime.shape",
    "publisher.non-blank-string",
    "capabilities.array",
    "capabilities.item-non-blank-string",
    "assets.array",
    "assets.item-non-blank-string",
    "precompiled.object",
    "precompiled.key-non-blank",
    "precompiled.value-non-blank-string",
    "ui.object",
    "ui.type-iframe",
    "ui.entry-non-blank-string",
    "ui.entry-no-dotdot",
    "ui.hooks-object",
    "ui.hooks.appMenu-object",
    "ui.hooks.appMenu.label-non-blank-string",
    "ui.hooks.clientPortalMenu-object",
    "ui.hooks.clientPortalMenu.label-non-blank-string",
    "api.object",
    "api.endpoints-present",
    "api.endpoints-array",
    "endpoint.object",
    "endpoint.method-non-blank-string",
    "endpoint.method-known",
    "endpoint.path-non-blank-string",
    "endpoint.path-no-whitespace",
    "endpoint.path-no-dotdot",
    "endpoint.path-leading-slash",
    "endpoint.handler-non-blank-string",
    "endpoint.handler-no-dotdot",
];

/// The places where the schema is stricter than publish, each with the field
/// of `STRICTER_THAN_PUBLISH` it implements.
pub(crate) const STRICTER_RULES: &[(&str, &str)] = &[
    ("strict.runtime-wasm-js-1", "runtime"),
    ("strict.capability-known", "capabilities"),
    ("strict.method-upper-case", "api.endpoints[].method"),
    ("strict.path-written-slash", "api.endpoints[].path"),
    ("strict.ui-no-unknown-keys", "ui, api, api.endpoints[]"),
    ("strict.api-no-unknown-keys", "ui, api, api.endpoints[]"),
    (
        "strict.endpoint-no-unknown-keys",
        "ui, api, api.endpoints[]",
    ),
];

const TOP_LEVEL_KEYS: &[&str] = &[
    "name",
    "publisher",
    "version",
    "runtime",
    "capabilities",
    "ui",
    "api",
    "assets",
    "precompiled",
];

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"];

/// The capabilities the host knows (`KNOWN_PROVIDER_CAPABILITIES`).
pub(crate) const KNOWN_CAPABILITIES: &[&str] = &[
    "cap:context.read",
    "cap:secrets.get",
    "cap:http.fetch",
    "cap:storage.kv",
    "cap:log.emit",
    "cap:ui.proxy",
    "cap:user.read",
    "cap:scheduler.manage",
    "cap:invoice.manual.create",
    "cap:client.read",
    "cap:service.read",
];

/// ECMAScript white space and line terminators: what `String.prototype.trim`
/// removes and what `\s` matches in a JavaScript regular expression. Note that
/// U+0085 is not in the set and U+FEFF is, unlike Rust's `char::is_whitespace`.
pub(crate) fn js_is_space(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{a}' | '\u{b}' | '\u{c}' | '\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

/// `s.trim()` in JavaScript.
pub(crate) fn js_trim(s: &str) -> &str {
    s.trim_matches(js_is_space)
}

/// `typeof v === "string" && v.trim() !== ""`.
fn non_blank_string(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::String(s)) if !js_trim(s).is_empty())
}

/// `typeof v === "object" && v !== null && !Array.isArray(v)`.
fn as_object(v: &Value) -> Option<&Map<String, Value>> {
    v.as_object()
}

fn ascii_digits(s: &str) -> usize {
    s.bytes().take_while(u8::is_ascii_digit).count()
}

fn ident_chars(s: &str) -> usize {
    s.bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-')
        .count()
}

/// `N.N.N` followed by an optional `-[A-Za-z0-9.-]+` and `+[A-Za-z0-9.-]+`, or
/// `N.N.*`, with ASCII digits (a JavaScript `\d`), matching the whole string.
fn semver_like(v: &str) -> bool {
    let mut rest = v;
    for _ in 0..2 {
        let n = ascii_digits(rest);
        if n == 0 || rest.as_bytes().get(n) != Some(&b'.') {
            return false;
        }
        rest = &rest[n + 1..];
    }
    if rest == "*" {
        return true;
    }
    let n = ascii_digits(rest);
    if n == 0 {
        return false;
    }
    rest = &rest[n..];
    // An optional pre-release, then an optional build part; neither class has `+`.
    for prefix in ['-', '+'] {
        if let Some(tail) = rest.strip_prefix(prefix) {
            let n = ident_chars(tail);
            if n == 0 {
                return false;
            }
            rest = &tail[n..];
        }
    }
    rest.is_empty()
}

/// `sanitizePath` then `ensureLeadingSlash` of `manifest.ts`: drop leading
/// `./` repeatedly, collapse runs of `/`, then prepend `/` unless empty.
fn normalised_endpoint_path(p: &str) -> String {
    let mut s = p;
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    let mut out = String::with_capacity(s.len() + 1);
    for c in s.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    if !out.is_empty() && !out.starts_with('/') {
        out.insert(0, '/');
    }
    out
}

struct Issues(Vec<String>);

impl Issues {
    fn push(&mut self, rule: &str, at: impl Into<String>) {
        debug_assert!(PUBLISH_RULES.contains(&rule), "unlisted rule {rule}");
        self.0.push(format!("{rule} @ {}", at.into()));
    }
}

/// What publish decides about a parsed `manifest.json`: `Ok` when it accepts
/// it, otherwise every issue as `rule-id @ location`. Like publish, it reports
/// all issues rather than stopping at the first (except for a non-object root
/// and a non-object endpoint, where publish stops looking).
pub(crate) fn publish_accepts(v: &Value) -> Result<(), Vec<String>> {
    let mut issues = Issues(Vec::new());
    let Some(obj) = as_object(v) else {
        issues.push("root.object", "$");
        return Err(issues.0);
    };

    for key in obj.keys() {
        if !TOP_LEVEL_KEYS.contains(&key.as_str()) {
            issues.push("root.unknown-key", key.clone());
        }
    }

    if !non_blank_string(obj.get("name")) {
        issues.push("name.non-blank-string", "name");
    }

    match obj.get("version") {
        Some(Value::String(s)) => {
            let t = js_trim(s);
            if t.is_empty() || !semver_like(t) {
                issues.push("version.semver-like", "version");
            }
        }
        _ => issues.push("version.string", "version"),
    }

    match obj.get("runtime") {
        Some(Value::String(s)) => {
            let t = js_trim(s);
            if t.is_empty() || !(t.contains('@') || t.contains('-')) {
                issues.push("runtime.shape", "runtime");
            }
        }
        _ => issues.push("runtime.string", "runtime"),
    }

    // JSON has no `undefined`, so "present" is simply "the key exists": a
    // `null` is present and fails every type check below.
    if let Some(p) = obj.get("publisher")
        && !non_blank_string(Some(p))
    {
        issues.push("publisher.non-blank-string", "publisher");
    }

    for (field, array_rule, item_rule) in [
        (
            "capabilities",
            "capabilities.array",
            "capabilities.item-non-blank-string",
        ),
        ("assets", "assets.array", "assets.item-non-blank-string"),
    ] {
        match obj.get(field) {
            None => {}
            Some(Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    if !non_blank_string(Some(item)) {
                        issues.push(item_rule, format!("{field}[{i}]"));
                    }
                }
            }
            Some(_) => issues.push(array_rule, field),
        }
    }

    if let Some(pc) = obj.get("precompiled") {
        match as_object(pc) {
            None => issues.push("precompiled.object", "precompiled"),
            Some(map) => {
                for (k, val) in map {
                    if js_trim(k).is_empty() {
                        issues.push("precompiled.key-non-blank", "precompiled");
                    }
                    if !non_blank_string(Some(val)) {
                        issues.push(
                            "precompiled.value-non-blank-string",
                            format!("precompiled.{k}"),
                        );
                    }
                }
            }
        }
    }

    if let Some(ui) = obj.get("ui") {
        check_ui(ui, &mut issues);
    }
    if let Some(api) = obj.get("api") {
        check_api(api, &mut issues);
    }

    if issues.0.is_empty() {
        Ok(())
    } else {
        Err(issues.0)
    }
}

fn check_ui(ui: &Value, issues: &mut Issues) {
    let Some(u) = as_object(ui) else {
        issues.push("ui.object", "ui");
        return;
    };
    if u.get("type") != Some(&Value::String("iframe".into())) {
        issues.push("ui.type-iframe", "ui.type");
    }
    match u.get("entry") {
        Some(e) if non_blank_string(Some(e)) => {
            if e.as_str().is_some_and(|s| s.contains("..")) {
                issues.push("ui.entry-no-dotdot", "ui.entry");
            }
        }
        _ => issues.push("ui.entry-non-blank-string", "ui.entry"),
    }
    let Some(hooks) = u.get("hooks") else { return };
    let Some(h) = as_object(hooks) else {
        issues.push("ui.hooks-object", "ui.hooks");
        return;
    };
    for (hook, object_rule, label_rule) in [
        (
            "appMenu",
            "ui.hooks.appMenu-object",
            "ui.hooks.appMenu.label-non-blank-string",
        ),
        (
            "clientPortalMenu",
            "ui.hooks.clientPortalMenu-object",
            "ui.hooks.clientPortalMenu.label-non-blank-string",
        ),
    ] {
        // Other keys of `hooks` are not looked at.
        let Some(m) = h.get(hook) else { continue };
        match as_object(m) {
            None => issues.push(object_rule, format!("ui.hooks.{hook}")),
            Some(mo) => {
                if !non_blank_string(mo.get("label")) {
                    issues.push(label_rule, format!("ui.hooks.{hook}.label"));
                }
            }
        }
    }
}

fn check_api(api: &Value, issues: &mut Issues) {
    let Some(a) = as_object(api) else {
        issues.push("api.object", "api");
        return;
    };
    let Some(endpoints) = a.get("endpoints") else {
        issues.push("api.endpoints-present", "api.endpoints");
        return;
    };
    let Some(endpoints) = endpoints.as_array() else {
        issues.push("api.endpoints-array", "api.endpoints");
        return;
    };
    for (i, ep) in endpoints.iter().enumerate() {
        let at = |f: &str| format!("api.endpoints[{i}]{f}");
        let Some(e) = as_object(ep) else {
            issues.push("endpoint.object", at(""));
            continue;
        };

        match e.get("method") {
            Some(Value::String(m)) if !js_trim(m).is_empty() => {
                // Upper-cased but not trimmed before the lookup.
                if !METHODS.contains(&m.to_uppercase().as_str()) {
                    issues.push("endpoint.method-known", at(".method"));
                }
            }
            _ => issues.push("endpoint.method-non-blank-string", at(".method")),
        }

        match e.get("path") {
            Some(Value::String(p)) if !js_trim(p).is_empty() => {
                if p.chars().any(js_is_space) {
                    issues.push("endpoint.path-no-whitespace", at(".path"));
                }
                if p.contains("..") {
                    issues.push("endpoint.path-no-dotdot", at(".path"));
                }
                if !normalised_endpoint_path(p).starts_with('/') {
                    issues.push("endpoint.path-leading-slash", at(".path"));
                }
            }
            _ => issues.push("endpoint.path-non-blank-string", at(".path")),
        }

        match e.get("handler") {
            Some(Value::String(h)) if !js_trim(h).is_empty() => {
                if h.contains("..") {
                    issues.push("endpoint.handler-no-dotdot", at(".handler"));
                }
            }
            _ => issues.push("endpoint.handler-non-blank-string", at(".handler")),
        }
    }
}

/// The stricter rules that `v` breaks (ids from [`STRICTER_RULES`]). Each rule
/// looks only at values of the right type; a value of the wrong type is
/// publish's business.
pub(crate) fn stricter_rules_broken(v: &Value) -> Vec<&'static str> {
    let mut broken = Vec::new();
    let Some(obj) = v.as_object() else {
        return broken;
    };
    if let Some(Value::String(r)) = obj.get("runtime")
        && r != "wasm-js@1"
    {
        broken.push("strict.runtime-wasm-js-1");
    }
    if let Some(Value::Array(caps)) = obj.get("capabilities")
        && caps
            .iter()
            .any(|c| c.as_str().is_some_and(|c| !KNOWN_CAPABILITIES.contains(&c)))
    {
        broken.push("strict.capability-known");
    }
    if let Some(Value::Object(ui)) = obj.get("ui")
        && ui
            .keys()
            .any(|k| !["type", "entry", "hooks"].contains(&k.as_str()))
    {
        broken.push("strict.ui-no-unknown-keys");
    }
    if let Some(Value::Object(api)) = obj.get("api") {
        if api.keys().any(|k| k != "endpoints") {
            broken.push("strict.api-no-unknown-keys");
        }
        for ep in api
            .get("endpoints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
        {
            if let Some(Value::String(m)) = ep.get("method")
                && !METHODS.contains(&m.as_str())
            {
                broken.push("strict.method-upper-case");
            }
            if let Some(Value::String(p)) = ep.get("path")
                && !p.starts_with('/')
            {
                broken.push("strict.path-written-slash");
            }
            if ep
                .keys()
                .any(|k| !["method", "path", "handler"].contains(&k.as_str()))
            {
                broken.push("strict.endpoint-no-unknown-keys");
            }
        }
    }
    broken.sort_unstable();
    broken.dedup();
    broken
}

/// Whether `v` keeps every rule by which the schema is stricter than publish.
pub(crate) fn stricter_rules_hold(v: &Value) -> bool {
    stricter_rules_broken(v).is_empty()
}

/// What the published schema should accept: what publish accepts, less what
/// the stricter rules exclude.
pub(crate) fn expected_schema_valid(v: &Value) -> bool {
    publish_accepts(v).is_ok() && stricter_rules_hold(v)
}

/// The validator for the schema generated from `alga_manifest`, compiled once.
pub(crate) fn schema_validator() -> &'static jsonschema::Validator {
    static V: std::sync::OnceLock<jsonschema::Validator> = std::sync::OnceLock::new();
    V.get_or_init(|| {
        jsonschema::draft202012::new(&alga_manifest::schema()).expect("the schema compiles")
    })
}

pub(crate) fn schema_valid(v: &Value) -> bool {
    schema_validator().is_valid(v)
}

pub(crate) fn schema_errors(v: &Value) -> Vec<String> {
    schema_validator()
        .iter_errors(v)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[cfg(test)]
mod unit {
    use super::*;

    #[test]
    fn semver_like_matches_the_publish_regexes() {
        for ok in [
            "1.2.3",
            "0.0.0",
            "10.20.30-beta.1",
            "1.2.3+build.5",
            "1.2.3-rc-1+b.2",
            "1.2.*",
            "01.2.3",
        ] {
            assert!(semver_like(ok), "{ok}");
        }
        for bad in [
            "",
            "1.2",
            "1.2.3-",
            "1.2.3+",
            "1.2.3+a+b",
            "1.*.*",
            "1.2.*-x",
            "v1.2.3",
            "1.2.3 ",
            "١.2.3",
            "1.2.3-_",
            "1..2.3",
        ] {
            assert!(!semver_like(bad), "{bad}");
        }
    }

    #[test]
    fn path_normalisation_is_the_publish_one() {
        assert_eq!(normalised_endpoint_path("./a//b"), "/a/b");
        assert_eq!(normalised_endpoint_path("././"), "");
        assert_eq!(normalised_endpoint_path("."), "/.");
        assert_eq!(normalised_endpoint_path("//x"), "/x");
    }

    #[test]
    fn js_trim_differs_from_rust_trim_where_javascript_does() {
        assert_eq!(js_trim("\u{feff} a \u{3000}"), "a");
        assert_eq!(js_trim("\u{85}a"), "\u{85}a");
        assert_eq!("\u{85}a".trim(), "a");
    }
}
