//! `cargo xtask coverage [--checkout PATH] [--commit SHA]`: extract the
//! upstream surface a reader of the book can meet, and write it to
//! `data/coverage/surface.toml` (names and `path:line`
//! evidence only, never code). The build then checks every item offline.
//!
//! What it reads, and why (the extension system, and nothing else):
//! - `ee/runner/` (Rust): the Runner's environment, router and error codes;
//! - `ee/runner/wit/extension-runner.wit`: the world components build against;
//! - the Next.js route files of the extension routes and their mounts
//!   (`server/src/app/api/{ext,ext-proxy,ext-bundles,ext-debug,installs,
//!   internal/ext-*,v1/extensions}`, `server/src/app/ext-ui`, `server/src/app/runner`);
//! - the host code behind them: `packages/product-ext-proxy/`,
//!   `packages/product-extensions/`, `ee/server/src/lib/extensions/`,
//!   `server/src/lib/extensions/`, the EE API routes of the same names, and
//!   the job handlers for extensions (`packages/jobs/src/lib/handlers/*xtension*`);
//! - `sdk/alga-cli/src/cli.ts` and `sdk/alga-client-sdk/src/lib/`: the CLI;
//! - `helm/templates/`: the values that configure extensions.
//!
//! Tests, fixtures and samples are skipped.

use alga_book_data::coverage::{Extraction, Item};
use anyhow::{Context, Result, bail};
use regex::Regex;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;

/// Where the committed extraction lives.
pub(crate) const SURFACE_FILE: &str = "data/coverage/surface.toml";

/// At most this many `path:line` per item.
const EVIDENCE: usize = 3;

pub(crate) fn run(args: &[String], root: &Path) -> Result<()> {
    let mut checkout = None;
    let mut commit = None;
    let mut check = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--checkout" => checkout = it.next().map(PathBuf::from),
            "--commit" => commit = it.next().cloned(),
            "--check" => check = true,
            other => bail!(
                "unknown argument `{other}`\nusage: cargo xtask coverage [--checkout PATH] [--commit SHA]"
            ),
        }
    }
    let checkout = checkout
        .or_else(|| std::env::var_os("ALGA_PSA_CHECKOUT").map(PathBuf::from))
        .context("no checkout: pass --checkout PATH or set ALGA_PSA_CHECKOUT")?;
    let commit = match commit {
        Some(c) => c,
        None => crate::upstream::Settings::read(root)?.commit,
    };
    let new = extract(&checkout, &commit)?;
    let path = root.join(SURFACE_FILE);
    let old: Option<Extraction> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| toml::from_str(&t).ok());
    if let Some(old) = &old {
        for line in diff(old, &new) {
            println!("  {line}");
        }
    }
    if check {
        if old.as_ref().map(to_toml) != Some(to_toml(&new)) {
            bail!(
                "{SURFACE_FILE} is not the extraction at {commit}: run `cargo xtask coverage` and commit it"
            );
        }
        println!(
            "xtask coverage: {SURFACE_FILE} is up to date ({} items)",
            new.item.len()
        );
        return Ok(());
    }
    std::fs::create_dir_all(path.parent().unwrap())?;
    std::fs::write(&path, to_toml(&new))?;
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for i in &new.item {
        *per.entry(&i.surface).or_default() += 1;
    }
    let figures: Vec<String> = per.iter().map(|(s, n)| format!("{s} {n}")).collect();
    println!(
        "xtask coverage: {} item(s) at {} ({}) written to {SURFACE_FILE}",
        new.item.len(),
        &commit[..commit.len().min(10)],
        figures.join(", ")
    );
    Ok(())
}

/// What appeared upstream and what went, between two extractions.
pub(crate) fn diff(old: &Extraction, new: &Extraction) -> Vec<String> {
    let key = |i: &Item| (i.surface.clone(), i.name.clone());
    let before: std::collections::BTreeSet<_> = old.item.iter().map(key).collect();
    let after: std::collections::BTreeSet<_> = new.item.iter().map(key).collect();
    let mut out = Vec::new();
    for (s, n) in after.difference(&before) {
        out.push(format!("appeared upstream: {s} `{n}`"));
    }
    for (s, n) in before.difference(&after) {
        out.push(format!("gone upstream: {s} `{n}`"));
    }
    out
}

pub(crate) fn to_toml(e: &Extraction) -> String {
    let mut out = String::from(
        "# The upstream surface a reader can meet, extracted by `cargo xtask coverage`\n# at the pin: names and `path:line` evidence, never code. Do not edit.\n",
    );
    out.push_str(&format!("\ncommit = \"{}\"\n", e.commit));
    for i in &e.item {
        out.push_str("\n[[item]]\n");
        out.push_str(&format!("surface = {}\n", quote(&i.surface)));
        out.push_str(&format!("name = {}\n", quote(&i.name)));
        out.push_str(&format!("key = {}\n", quote(&i.key)));
        let ev: Vec<String> = i.evidence.iter().map(|e| quote(e)).collect();
        out.push_str(&format!("evidence = [{}]\n", ev.join(", ")));
    }
    out
}

fn quote(s: &str) -> String {
    toml::Value::String(s.to_owned()).to_string()
}

fn git(checkout: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(checkout)
        .args(args)
        .output()
        .context("cannot run git")?;
    if !out.status.success() {
        bail!(
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Upstream files whose surface the book documents, by kind.
fn in_scope(path: &str) -> Option<Kind> {
    static ROUTE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^(server|ee/server)/src/app/(api/(ext|ext-proxy|ext-bundles|ext-debug|installs|internal/ext-[a-z-]+|v1/extensions)/.*|ext-ui/.*|runner/.*)route\.ts$").unwrap()
    });
    let test = path.contains(".test.")
        || path.contains(".spec.")
        || path.contains("/tests/")
        || path.contains("/test/")
        || path.contains("__tests__")
        || path.contains("/fixtures/")
        || path.contains("/samples/");
    if test {
        return None;
    }
    if path == "ee/runner/wit/extension-runner.wit" {
        return Some(Kind::Wit);
    }
    if path.starts_with("ee/runner/src/") && path.ends_with(".rs") {
        return Some(Kind::Rust);
    }
    if path.starts_with("helm/templates/") && (path.ends_with(".yaml") || path.ends_with(".tpl")) {
        return Some(Kind::Helm);
    }
    if path == "sdk/alga-cli/src/cli.ts" {
        return Some(Kind::Cli);
    }
    if ROUTE.is_match(path) {
        return Some(Kind::Route);
    }
    let host = [
        "packages/product-ext-proxy/",
        "packages/product-extensions/",
        "ee/server/src/lib/extensions/",
        "server/src/lib/extensions/",
        "sdk/alga-client-sdk/src/lib/",
    ];
    let ts = path.ends_with(".ts") || path.ends_with(".tsx");
    if ts
        && (host.iter().any(|h| path.starts_with(h))
            || (path.starts_with("packages/jobs/src/lib/handlers/") && path.contains("xtension")))
    {
        return Some(Kind::Host);
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Rust,
    Wit,
    Route,
    Host,
    Cli,
    Helm,
}

/// Collects items, merging evidence of the same item.
#[derive(Default)]
struct Found {
    items: BTreeMap<(String, String), Item>,
}

impl Found {
    fn add(&mut self, surface: &str, name: &str, key: &str, path: &str, line: usize) {
        let item = self
            .items
            .entry((surface.to_owned(), name.to_owned()))
            .or_insert_with(|| Item {
                surface: surface.to_owned(),
                name: name.to_owned(),
                key: key.to_owned(),
                evidence: Vec::new(),
            });
        if item.evidence.len() < EVIDENCE {
            item.evidence.push(format!("{path}:{line}"));
        }
    }
}

/// Extract the surface at `commit`.
pub(crate) fn extract(checkout: &Path, commit: &str) -> Result<Extraction> {
    let listing = git(checkout, &["ls-tree", "-r", "--name-only", commit])?;
    let mut found = Found::default();
    for path in listing.lines() {
        let Some(kind) = in_scope(path) else { continue };
        let text = git(checkout, &["show", &format!("{commit}:{path}")])?;
        scan(kind, path, &text, &mut found);
    }
    Ok(Extraction {
        commit: commit.to_owned(),
        item: found.items.into_values().collect(),
    })
}

fn scan(kind: Kind, path: &str, text: &str, found: &mut Found) {
    match kind {
        Kind::Rust => {
            rust_env(path, text, found);
            rust_routes(path, text, found);
            rust_codes(path, text, found);
            capabilities(path, text, found);
        }
        Kind::Wit => wit(path, text, found),
        Kind::Route => {
            next_route(path, text, found);
            ts_env(path, text, found);
            ts_codes(path, text, found);
            capabilities(path, text, found);
            manifest_fields(path, text, found);
        }
        Kind::Host => {
            ts_env(path, text, found);
            ts_codes(path, text, found);
            capabilities(path, text, found);
            manifest_fields(path, text, found);
        }
        Kind::Cli => {
            ts_env(path, text, found);
            cli(path, text, found);
        }
        Kind::Helm => helm(path, text, found),
    }
}

fn each_match(re: &Regex, text: &str, mut f: impl FnMut(&regex::Captures<'_>, usize)) {
    for c in re.captures_iter(text) {
        let at = c.get(0).unwrap().start();
        let line = text[..at].matches('\n').count() + 1;
        f(&c, line);
    }
}

fn rust_env(path: &str, text: &str, found: &mut Found) {
    // `env::var("X")`, `var_os`, and the helpers the Runner wraps them in
    // (any function whose name mentions env, called with a literal).
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:var|var_os|\w*env\w*)\s*\(\s*"([A-Z][A-Z0-9_]{2,})""#).unwrap()
    });
    each_match(&RE, text, |c, line| {
        let name = &c[1];
        found.add("env", name, name, path, line);
    });
}

fn ts_env(path: &str, text: &str, found: &mut Found) {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"process\.env(?:\.([A-Z][A-Z0-9_]{2,})\b|\[\s*['"]([A-Z][A-Z0-9_]{2,})['"]\s*\])"#,
        )
        .unwrap()
    });
    each_match(&RE, text, |c, line| {
        let name = c.get(1).or_else(|| c.get(2)).unwrap().as_str();
        found.add("env", name, name, path, line);
    });
}

fn rust_routes(path: &str, text: &str, found: &mut Found) {
    static ROUTE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"\.route\(\s*"(/[^"]*)"\s*,"#).unwrap());
    static METHOD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b(get|post|put|patch|delete|head|any)\s*\(").unwrap());
    if !path.starts_with("ee/runner/src/http/") {
        return;
    }
    for c in ROUTE.captures_iter(text) {
        let at = c.get(0).unwrap().end();
        let line = text[..at].matches('\n').count() + 1;
        // The handlers run up to the next route or the end of the statement.
        let rest = &text[at..];
        let end = rest
            .find(".route(")
            .into_iter()
            .chain(rest.find(';'))
            .min()
            .unwrap_or(rest.len());
        let route = &c[1];
        for m in METHOD.captures_iter(&rest[..end]) {
            let method = m[1].to_uppercase();
            let name = format!("{method} {route}");
            found.add("route", &name, &name, path, line);
        }
    }
}

fn next_route(path: &str, text: &str, found: &mut Found) {
    static METHOD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"export\s+(?:async\s+)?(?:function|const|let)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b|export\s*\{([^}]*)\}").unwrap()
    });
    static ALIAS: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:as\s+)?(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b").unwrap()
    });
    let app = if path.starts_with("ee/server/") {
        "ee/server/src/app"
    } else {
        "server/src/app"
    };
    let url = path
        .trim_start_matches(app)
        .trim_end_matches("/route.ts")
        .to_owned();
    let url = if url.is_empty() { "/".to_owned() } else { url };
    each_match(&METHOD, text, |c, line| {
        let mut methods = Vec::new();
        if let Some(m) = c.get(1) {
            methods.push(m.as_str().to_owned());
        } else if let Some(list) = c.get(2) {
            for a in ALIAS.captures_iter(list.as_str()) {
                methods.push(a[1].to_owned());
            }
        }
        for m in methods {
            let name = format!("{m} {url}");
            found.add("route", &name, &name, path, line);
        }
    });
}

fn rust_codes(path: &str, text: &str, found: &mut Found) {
    // Codes the Runner puts in its answers: `error: Some("code")`,
    // `"code": "x"`, `"error": "x"`, and the `code` fields of its error maps.
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?:error:\s*Some\(\s*"|"(?:code|error)"\s*:\s*"|code:\s*"|degraded_reason\s*=\s*Some\(\s*")([a-z][a-z0-9]*(?:_[a-z0-9]+)+)""#).unwrap()
    });
    if !path.starts_with("ee/runner/src/http/") && !path.starts_with("ee/runner/src/engine/") {
        return;
    }
    each_match(&RE, text, |c, line| {
        let code = &c[1];
        found.add("error", code, code, path, line);
    });
}

fn ts_codes(path: &str, text: &str, found: &mut Found) {
    // `error: 'code'`, `code: 'CODE'` in JSON answers and coded errors,
    // `new XError('CODE', …)`.
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:code|error)\s*:\s*['"]([A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+)['"]|new\s+\w*Error\(\s*['"]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)['"]"#).unwrap()
    });
    each_match(&RE, text, |c, line| {
        let code = c.get(1).or_else(|| c.get(2)).unwrap().as_str();
        found.add("error", code, code, path, line);
    });
}

fn capabilities(path: &str, text: &str, found: &mut Found) {
    static RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"['"](cap:[a-z]+(?:\.[a-z]+)+)['"]"#).unwrap());
    each_match(&RE, text, |c, line| {
        let cap = &c[1];
        found.add("capability", cap, cap, path, line);
    });
}

fn manifest_fields(path: &str, text: &str, found: &mut Found) {
    // Property reads of a manifest object: `manifest.x`, `manifest?.x.y`,
    // `manifest.x?.y`.
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\bmanifest\??\.([a-z][A-Za-z_]*)(?:\??\.([a-z][A-Za-z_]*))?").unwrap()
    });
    // Method calls and JSON helpers, not fields.
    const NOT_FIELDS: &[&str] = &[
        "json",
        "parse",
        "safeParse",
        "toString",
        "then",
        "length",
        "slice",
        "replace",
        "startsWith",
        "endsWith",
        "filter",
        "map",
        "forEach",
        "includes",
        "trim",
        "toLowerCase",
        "toUpperCase",
        "some",
        "every",
        "find",
        "join",
        "split",
        "keys",
        "values",
        "entries",
        "push",
        "concat",
        "indexOf",
        "match",
        "test",
    ];
    each_match(&RE, text, |c, line| {
        let first = &c[1];
        if NOT_FIELDS.contains(&first) {
            return;
        }
        let name = match c.get(2) {
            Some(second) if !NOT_FIELDS.contains(&second.as_str()) => {
                format!("{first}.{}", second.as_str())
            }
            _ => first.to_owned(),
        };
        let key = name.rsplit('.').next().unwrap().to_owned();
        found.add("manifest", &name, &key, path, line);
    });
}

fn wit(path: &str, text: &str, found: &mut Found) {
    static IFACE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*interface\s+([a-z][a-z0-9-]*)\s*\{").unwrap());
    static FUNC: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^\s*([a-z][a-z0-9-]*)\s*:\s*func\b").unwrap());
    static TYPE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:record|enum|variant|flags|resource|type)\s+([a-z][a-z0-9-]*)\b")
            .unwrap()
    });
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        if let Some(c) = IFACE.captures(line) {
            current = c[1].to_owned();
            found.add(
                "wit",
                &format!("interface {current}"),
                &current,
                path,
                i + 1,
            );
        } else if let Some(c) = FUNC.captures(line) {
            let f = &c[1];
            found.add("wit", &format!("{current}.{f}"), f, path, i + 1);
        } else if let Some(c) = TYPE.captures(line) {
            let t = &c[1];
            found.add("wit", &format!("type {t}"), t, path, i + 1);
        }
    }
}

fn cli(path: &str, text: &str, found: &mut Found) {
    static CMD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"cmd === '([a-z-]+)'(?:\s*&&\s*sub === '([a-z-]+)')?").unwrap()
    });
    static FLAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"'(--[a-z][a-z0-9-]*)'").unwrap());
    each_match(&CMD, text, |c, line| {
        let name = match c.get(2) {
            Some(sub) => format!("{} {}", &c[1], sub.as_str()),
            None => c[1].to_owned(),
        };
        if name.starts_with('-') {
            return;
        }
        let key = name.clone();
        found.add("cli", &format!("alga {name}"), &key, path, line);
    });
    each_match(&FLAG, text, |c, line| {
        let flag = &c[1];
        if flag == "--help" {
            return;
        }
        found.add("cli", flag, flag, path, line);
    });
}

fn helm(path: &str, text: &str, found: &mut Found) {
    // Track `with .Values.X` scopes so `.y` inside them is `X.y`.
    static ACTION: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{\{-?\s*(.*?)\s*-?\}\}").unwrap());
    static VALUES: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\$?\.Values\.([A-Za-z0-9_.]+)").unwrap());
    static RELATIVE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"(?:^|[\s(])\.([a-zA-Z][A-Za-z0-9_.]*)").unwrap());
    let wanted = |p: &str| {
        p.starts_with("runner.")
            || p == "runner"
            || p.starts_with("config.extensions")
            || p.ends_with("bundle_bucket")
    };
    let mut scopes: Vec<Option<String>> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        for a in ACTION.captures_iter(line) {
            let body = a[1].trim();
            let word = body.split_whitespace().next().unwrap_or("");
            let current = scopes.iter().rev().find_map(|s| s.clone());
            let mut record = |p: String| {
                if wanted(&p) {
                    found.add("helm", &p, &p, path, i + 1);
                }
            };
            for v in VALUES.captures_iter(body) {
                record(v[1].trim_end_matches('.').to_owned());
            }
            if let Some(prefix) = &current {
                let no_values = VALUES.replace_all(body, "");
                for r in RELATIVE.captures_iter(&no_values) {
                    record(format!("{prefix}.{}", r[1].trim_end_matches('.')));
                }
            }
            match word {
                "with" => {
                    let v = VALUES
                        .captures(body)
                        .map(|v| v[1].trim_end_matches('.').to_owned());
                    scopes.push(v.or(current));
                }
                "if" | "range" | "define" | "block" => scopes.push(None),
                "end" => {
                    scopes.pop();
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(kind: Kind, path: &str, text: &str) -> Vec<String> {
        let mut f = Found::default();
        scan(kind, path, text, &mut f);
        f.items
            .into_values()
            .map(|i| format!("{} {}", i.surface, i.name))
            .collect()
    }

    #[test]
    fn rust_env_routes_and_codes() {
        let text = "let a = std::env::var(\"EXT_CACHE_ROOT\");\nlet b = env_bool(\"FLAG_X\");\nRouter::new()\n    .route(\"/v1/execute\", post(execute))\n    .route(\"/\", get(root).post(x));\nerror: Some(\"bundle_fetch_failed\".to_string()),\n";
        assert_eq!(
            names(Kind::Rust, "ee/runner/src/http/server.rs", text),
            [
                "env EXT_CACHE_ROOT",
                "env FLAG_X",
                "error bundle_fetch_failed",
                "route GET /",
                "route POST /",
                "route POST /v1/execute",
            ]
        );
    }

    #[test]
    fn next_routes_get_their_methods_and_url() {
        let text = "export async function GET(req) {}\nexport const POST = handler;\nexport { handler as PUT, DELETE };\nreturn NextResponse.json({ error: 'missing_host' }, { status: 400 });\nif (process.env.EXT_DOMAIN_ROOT) {}\n";
        assert_eq!(
            names(
                Kind::Route,
                "server/src/app/api/installs/lookup-by-host/route.ts",
                text
            ),
            [
                "env EXT_DOMAIN_ROOT",
                "error missing_host",
                "route DELETE /api/installs/lookup-by-host",
                "route GET /api/installs/lookup-by-host",
                "route POST /api/installs/lookup-by-host",
                "route PUT /api/installs/lookup-by-host",
            ]
        );
    }

    #[test]
    fn wit_items_are_qualified_by_interface() {
        let text = "interface storage {\n    record storage-entry { a: u8 }\n    get: func(k: string) -> u8;\n}\n";
        assert_eq!(
            names(Kind::Wit, "ee/runner/wit/extension-runner.wit", text),
            [
                "wit interface storage",
                "wit storage.get",
                "wit type storage-entry"
            ]
        );
    }

    #[test]
    fn cli_commands_and_flags() {
        let text = "if (cmd === 'extension' && sub === 'publish') {\n if (v === '--no-install') {}\n}\nif (cmd === 'pack') {}\nif (cmd === '--help') {}\n";
        assert_eq!(
            names(Kind::Cli, "sdk/alga-cli/src/cli.ts", text),
            [
                "cli --no-install",
                "cli alga extension publish",
                "cli alga pack"
            ]
        );
    }

    #[test]
    fn helm_values_inside_with_scopes() {
        let text = "{{- with .Values.config.extensions.domainRoot }}\nvalue: {{ . }}\n{{- end }}\n{{- with .Values.runner }}\n{{- $u := .baseUrl | default \"x\" }}\n{{- if .debugStream }}\nv: {{ .debugStream.maxLen }}\n{{- end }}\n{{- end }}\n{{ .Values.other.thing }}\n";
        assert_eq!(
            names(Kind::Helm, "helm/templates/deployment.yaml", text),
            [
                "helm config.extensions.domainRoot",
                "helm runner",
                "helm runner.baseUrl",
                "helm runner.debugStream",
                "helm runner.debugStream.maxLen",
            ]
        );
    }

    #[test]
    fn the_surface_file_round_trips_and_diffs() {
        let a = Extraction {
            commit: "c".into(),
            item: vec![Item {
                surface: "env".into(),
                name: "A \"quoted\"".into(),
                key: "A".into(),
                evidence: vec!["x.rs:1".into()],
            }],
        };
        let text = to_toml(&a);
        assert_eq!(toml::from_str::<Extraction>(&text).unwrap(), a);
        let b = Extraction {
            commit: "d".into(),
            item: vec![],
        };
        assert_eq!(diff(&a, &b), ["gone upstream: env `A \"quoted\"`"]);
        assert_eq!(diff(&b, &a), ["appeared upstream: env `A \"quoted\"`"]);
    }
}
