//! Runtime probes: requests the book's maintainers send to the Runner built
//! at the pin, and what it answered.
//!
//! Two files in one folder (`data/probes/`):
//! - `probes.toml`, written by hand: the components the run builds and the
//!   probes it sends ([`Definitions`]);
//! - `results.toml`, written by `cargo xtask tutorial --runner`: what the
//!   Runner answered to each call, with the pin, the date, and hashes of the
//!   definitions and of the probe sources it was run with ([`Results`]).
//!
//! [`Probes::load`] reads both and checks that the results belong to these
//! definitions (same hashes, same pin, one result per call), so a page
//! never cites a result that no longer matches what would be sent.

use crate::source_file::{SourceFile, display_path};
use alga_diagnostics::{Diagnostic, Diagnostics, nearest};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// The definitions file's name inside the probes folder.
pub const DEFINITIONS: &str = "probes.toml";
/// The results file's name inside the probes folder.
pub const RESULTS: &str = "results.toml";
/// The command that writes the results.
pub const RUN: &str = "cargo xtask tutorial --runner --checkout <clone>";

/// `probes.toml`: what the run builds and sends.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Definitions {
    /// The components the probes run.
    #[serde(default)]
    pub component: Vec<ComponentDef>,
    /// The probes, in the order they run.
    #[serde(default)]
    pub probe: Vec<ProbeDef>,
}

/// How a component is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Build {
    /// One of the project's own sources (`source`), componentized against
    /// the Runner's world at the pin with only `imports` kept.
    Source,
    /// The quickstart's Track B archive, exactly as the tutorial built it.
    TutorialArchive,
    /// The quickstart's handler bundle (`dist/js/index.js`), componentized
    /// against the Runner's world with only `imports` kept.
    TutorialHandler,
}

/// One component the probes run.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ComponentDef {
    /// Its name, as probes refer to it.
    pub id: Spanned<String>,
    /// What it is, in a sentence (rendered on the probes page).
    pub what: String,
    /// How it is made.
    pub build: Build,
    /// The JavaScript source, for `build = "source"` (relative to the book root).
    pub source: Option<String>,
    /// The interfaces of the Runner's world the component imports; the rest
    /// are removed from the world before componentizing.
    #[serde(default)]
    pub imports: Vec<String>,
    /// Whether componentize-js keeps its WASI imports (clocks, random, stdio).
    #[serde(default)]
    pub wasi: bool,
    /// Componentize against the Runner's world at the pin as it is, with
    /// every import (then `imports` must be empty).
    #[serde(default)]
    pub full_world: bool,
}

/// One probe: a sequence of calls to the Runner.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeDef {
    /// Its name, as pages cite it.
    pub id: Spanned<String>,
    /// What it shows, in a sentence.
    pub what: String,
    /// The component it runs.
    pub component: Spanned<String>,
    /// The calls, in order.
    pub call: Vec<CallDef>,
}

/// One call of a probe. By default a `POST /v1/execute` with the routing
/// headers, a full context for the component's archive, and
/// `limits.timeout_ms = 20000`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CallDef {
    /// `METHOD /path` of the Runner to call instead of `/v1/execute`.
    pub endpoint: Option<String>,
    /// `http.method` of the envelope.
    pub method: Option<String>,
    /// `http.path` of the envelope.
    pub path: Option<String>,
    /// `http.query`.
    #[serde(default)]
    pub query: BTreeMap<String, String>,
    /// `http.headers`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// `http.body_b64`, written as text.
    pub body: Option<String>,
    /// `limits`, replacing the default.
    pub limits: Option<toml::Table>,
    /// Whether the `x-alga-tenant` and `x-alga-extension` headers are sent.
    pub routing_headers: Option<bool>,
    /// `x-idempotency-key`.
    pub idempotency_key: Option<String>,
    /// `context.content_hash`: `bare` (hex without `sha256:`), `unknown`
    /// (no such archive) or `mismatch` (an archive stored under another
    /// hash); by default the archive's own `sha256:<hex>`.
    pub content_hash: Option<String>,
    /// `context.config`.
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    /// `providers`.
    #[serde(default)]
    pub providers: Vec<String>,
    /// `user`.
    pub user: Option<toml::Table>,
    /// A raw request body, sent instead of the built JSON.
    pub raw: Option<String>,
    /// Lines looked for in the Runner's output after the call.
    #[serde(default)]
    pub output: Vec<String>,
}

/// `results.toml`: what one run recorded.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Results {
    /// The upstream commit the Runner was built from.
    pub pin: String,
    /// The day of the run (UTC, `YYYY-MM-DD`).
    pub date: String,
    /// The Runner and how it was built.
    pub runner: String,
    /// The npm tools that built the components.
    pub tools: String,
    /// sha256 of `probes.toml` as run.
    pub definitions_sha256: String,
    /// sha256 of each probe source as run, by path.
    #[serde(default)]
    pub sources: BTreeMap<String, String>,
    /// Each component as run.
    #[serde(default)]
    pub components: BTreeMap<String, ComponentResult>,
    /// Each probe's answers, in definition order.
    #[serde(default)]
    pub probe: Vec<ProbeResult>,
}

/// A component as run.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ComponentResult {
    /// sha256 of the component.
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: u64,
}

/// One probe's answers.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeResult {
    /// The probe.
    pub id: String,
    /// One answer per call.
    pub call: Vec<CallResult>,
}

/// What the Runner answered to one call.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CallResult {
    /// The HTTP status of the Runner's answer.
    pub http: u16,
    /// Its `content-type`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// The envelope's `status`, when the answer is an envelope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// The envelope's `error`, when it has one (first line).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// When the call failed, the root cause the Runner logged for it (the
    /// last line of the `Caused by:` chain in its log; the envelope's `error`
    /// carries only the top error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// The envelope's `headers`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<String, String>>,
    /// The envelope's body as text (absent when `body_b64` is null), or the
    /// answer's body when it is not an envelope.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// For each line the call looked for, whether the Runner's output had it.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub output: BTreeMap<String, bool>,
}

/// The probes, their results, and where each probe is defined.
#[derive(Debug)]
pub struct Probes {
    /// The definitions file.
    pub definitions_file: SourceFile,
    /// The definitions.
    pub definitions: Definitions,
    /// The results file's display path.
    pub results_display: String,
    /// The recorded run.
    pub results: Results,
}

/// sha256 of `bytes`, as lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(64);
    for b in Sha256::digest(bytes) {
        let _ = write!(out, "{b:02x}");
    }
    out
}

impl Probes {
    /// Load and cross-check the probes folder `dir` (relative to `root`);
    /// `pin` is the book's upstream commit.
    pub fn load(root: &Path, dir: &Path, pin: &str, diags: &mut Diagnostics) -> Option<Probes> {
        let defs_path = dir.join(DEFINITIONS);
        let definitions_file = match SourceFile::read(root, &defs_path) {
            Ok(f) => f,
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("cannot read the probe definitions: {e}"))
                        .in_file(&display_path(&defs_path)),
                );
                return None;
            }
        };
        let definitions: Definitions = definitions_file.parse_toml(diags)?;
        let before = diags.items().len();
        check_definitions(root, &definitions_file, &definitions, diags);
        let results_path = dir.join(RESULTS);
        let results_file = match SourceFile::read(root, &results_path) {
            Ok(f) => f,
            Err(e) => {
                diags.push(
                    Diagnostic::error(format!("cannot read the probe results: {e}"))
                        .in_file(&display_path(&results_path))
                        .hint(format!("write them with `{RUN}`")),
                );
                return None;
            }
        };
        let results: Results = results_file.parse_toml(diags)?;
        check_results(
            root,
            pin,
            &definitions_file,
            &definitions,
            &results_file,
            &results,
            diags,
        );
        if diags.items().len() != before {
            return None;
        }
        Some(Probes {
            definitions_file,
            definitions,
            results_display: results_file.display,
            results,
        })
    }

    /// The definition and the result of probe `id`.
    pub fn get(&self, id: &str) -> Option<(&ProbeDef, &ProbeResult)> {
        let def = self
            .definitions
            .probe
            .iter()
            .find(|p| p.id.get_ref() == id)?;
        let res = self.results.probe.iter().find(|p| p.id == id)?;
        Some((def, res))
    }

    /// The definition of component `id`.
    pub fn component(&self, id: &str) -> Option<&ComponentDef> {
        self.definitions
            .component
            .iter()
            .find(|c| c.id.get_ref() == id)
    }

    /// Every probe id, in definition order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.definitions
            .probe
            .iter()
            .map(|p| p.id.get_ref().as_str())
    }
}

fn check_definitions(root: &Path, file: &SourceFile, defs: &Definitions, diags: &mut Diagnostics) {
    let (d, t) = (&file.display, &file.text);
    let mut seen = Vec::new();
    for c in &defs.component {
        if seen.contains(c.id.get_ref()) {
            diags.push(
                Diagnostic::error(format!("component `{}` is defined twice", c.id.get_ref())).at(
                    d,
                    t,
                    c.id.span(),
                ),
            );
        }
        seen.push(c.id.get_ref().clone());
        match (c.build, &c.source) {
            (Build::Source, None) => diags.push(
                Diagnostic::error(format!(
                    "component `{}` is built from a source but names none",
                    c.id.get_ref()
                ))
                .at(d, t, c.id.span())
                .hint("add `source = \"tutorial/probe/<file>.js\"`"),
            ),
            (Build::Source, Some(s)) if !root.join(s).is_file() => {
                diags.push(
                    Diagnostic::error(format!("component `{}`: no source `{s}`", c.id.get_ref()))
                        .at(d, t, c.id.span()),
                )
            }
            (Build::TutorialArchive | Build::TutorialHandler, Some(_)) => diags.push(
                Diagnostic::error(format!(
                    "component `{}` comes from the tutorial; it takes no `source`",
                    c.id.get_ref()
                ))
                .at(d, t, c.id.span()),
            ),
            _ => {}
        }
        if c.full_world && !c.imports.is_empty() {
            diags.push(
                Diagnostic::error(format!(
                    "component `{}` keeps the whole world, so `imports` has nothing to choose",
                    c.id.get_ref()
                ))
                .at(d, t, c.id.span())
                .hint("drop `imports`, or drop `full-world = true`"),
            );
        }
    }
    let mut ids: Vec<&str> = Vec::new();
    for p in &defs.probe {
        let id = p.id.get_ref();
        if !id
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
            || id.is_empty()
        {
            diags.push(
                Diagnostic::error(format!("probe id `{id}` is not lower-case words and `-`"))
                    .at(d, t, p.id.span())
                    .hint("pages cite it as `{{#probe ID}}` and link to `#probe-ID`"),
            );
        }
        if ids.contains(&id.as_str()) {
            diags.push(
                Diagnostic::error(format!("probe `{id}` is defined twice")).at(d, t, p.id.span()),
            );
        }
        ids.push(id);
        if !seen.contains(p.component.get_ref()) {
            diags.push(
                Diagnostic::error(format!("no component `{}`", p.component.get_ref()))
                    .at(d, t, p.component.span())
                    .maybe_hint(
                        nearest(p.component.get_ref(), seen.iter().map(String::as_str))
                            .map(|n| format!("did you mean `{n}`?")),
                    ),
            );
        }
        if p.call.is_empty() {
            diags.push(
                Diagnostic::error(format!("probe `{id}` makes no call"))
                    .at(d, t, p.id.span())
                    .hint("add a `[[probe.call]]` table"),
            );
        }
    }
}

fn check_results(
    root: &Path,
    pin: &str,
    defs_file: &SourceFile,
    defs: &Definitions,
    file: &SourceFile,
    res: &Results,
    diags: &mut Diagnostics,
) {
    let rerun = format!("rerun `{RUN}` and commit `{}`", file.display);
    let at_file = |m: String| Diagnostic::error(m).in_file(&file.display);
    // At the line of a top-level key, so the error points at what is stale.
    let at_key = |key: &str, m: String| match key_span(&file.text, key) {
        Some(span) => Diagnostic::error(m).at(&file.display, &file.text, span),
        None => at_file(m),
    };
    if res.pin != pin {
        diags.push(
            at_key(
                "pin",
                format!(
                    "the probes were run at `{}`, but the book is pinned at `{pin}`",
                    res.pin
                ),
            )
            .hint(rerun.clone()),
        );
    }
    let now = sha256_hex(defs_file.text.as_bytes());
    if res.definitions_sha256 != now {
        diags.push(
            at_key(
                "definitions-sha256",
                format!(
                    "the probe results are stale: `{}` changed since they were recorded",
                    defs_file.display
                ),
            )
            .hint(rerun.clone()),
        );
    }
    for c in &defs.component {
        if let Some(src) = &c.source {
            let now = std::fs::read(root.join(src)).map(|b| sha256_hex(&b)).ok();
            if res.sources.get(src) != now.as_ref() {
                diags.push(
                    at_key(
                        &format!("\"{src}\""),
                        format!(
                            "the probe results are stale: `{src}` changed since they were recorded"
                        ),
                    )
                    .hint(rerun.clone()),
                );
            }
        }
    }
    for p in &defs.probe {
        let id = p.id.get_ref();
        match res.probe.iter().find(|r| &r.id == id) {
            None => diags
                .push(at_file(format!("probe `{id}` has no recorded result")).hint(rerun.clone())),
            Some(r) if r.call.len() != p.call.len() => diags.push(
                at_file(format!(
                    "probe `{id}` makes {} call(s) but {} answer(s) are recorded",
                    p.call.len(),
                    r.call.len()
                ))
                .hint(rerun.clone()),
            ),
            Some(_) => {}
        }
    }
    for r in &res.probe {
        if !defs.probe.iter().any(|p| p.id.get_ref() == &r.id) {
            diags.push(
                at_file(format!(
                    "a result is recorded for probe `{}`, which is not defined",
                    r.id
                ))
                .hint(rerun.clone()),
            );
        }
    }
}

/// The span of `key` where it starts a line of `text`.
fn key_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(rest) = line.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Some(offset..offset + key.len());
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    const DEFS: &str = "[[component]]\nid = \"p\"\nwhat = \"w\"\nbuild = \"source\"\nsource = \"p.js\"\n\n[[probe]]\nid = \"echo\"\nwhat = \"w\"\ncomponent = \"p\"\n[[probe.call]]\npath = \"/echo\"\n";

    fn results(defs: &str, src: &str) -> String {
        format!(
            "pin = \"abc\"\ndate = \"2026-12-03\"\nrunner = \"r\"\ntools = \"t\"\ndefinitions-sha256 = \"{}\"\n[sources]\n\"p.js\" = \"{}\"\n[[probe]]\nid = \"echo\"\n[[probe.call]]\nhttp = 200\nstatus = 200\n",
            sha256_hex(defs.as_bytes()),
            sha256_hex(src.as_bytes())
        )
    }

    fn load(root: &Path, pin: &str) -> (Option<Probes>, Vec<String>) {
        let mut diags = Diagnostics::default();
        let p = Probes::load(root, Path::new("probes"), pin, &mut diags);
        (p, diags.items().iter().map(|d| d.headline()).collect())
    }

    #[test]
    fn matching_results_load() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.js"), "x").unwrap();
        write(&dir.path().join("probes"), DEFINITIONS, DEFS);
        write(&dir.path().join("probes"), RESULTS, &results(DEFS, "x"));
        let (p, errs) = load(dir.path(), "abc");
        assert_eq!(errs, Vec::<String>::new());
        let p = p.unwrap();
        let (def, res) = p.get("echo").unwrap();
        assert_eq!(def.call[0].path.as_deref(), Some("/echo"));
        assert_eq!(res.call[0].status, Some(200));
    }

    #[test]
    fn edited_definitions_sources_or_pin_make_the_results_stale() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.js"), "changed").unwrap();
        let edited = DEFS.replace("/echo", "/other");
        write(&dir.path().join("probes"), DEFINITIONS, &edited);
        write(&dir.path().join("probes"), RESULTS, &results(DEFS, "x"));
        let (p, errs) = load(dir.path(), "def");
        assert!(p.is_none());
        assert_eq!(
            errs,
            vec![
                "probes/results.toml:1:1: error: the probes were run at `abc`, but the book is pinned at `def`",
                "probes/results.toml:5:1: error: the probe results are stale: `probes/probes.toml` changed since they were recorded",
                "probes/results.toml:7:1: error: the probe results are stale: `p.js` changed since they were recorded",
            ]
        );
    }

    #[test]
    fn a_probe_without_a_component_is_reported_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.js"), "x").unwrap();
        let defs = DEFS.replace("component = \"p\"", "component = \"q\"");
        write(&dir.path().join("probes"), DEFINITIONS, &defs);
        write(&dir.path().join("probes"), RESULTS, &results(&defs, "x"));
        let (_, errs) = load(dir.path(), "abc");
        assert_eq!(
            errs,
            vec!["probes/probes.toml:10:13: error: no component `q`"]
        );
    }

    #[test]
    fn a_full_world_component_that_names_imports_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.js"), "x").unwrap();
        let defs = DEFS.replacen(
            "source = \"p.js\"",
            "source = \"p.js\"\nfull-world = true\nimports = [\"logging\"]",
            1,
        );
        write(&dir.path().join("probes"), DEFINITIONS, &defs);
        write(&dir.path().join("probes"), RESULTS, &results(&defs, "x"));
        let (p, errs) = load(dir.path(), "abc");
        assert!(p.is_none());
        assert_eq!(
            errs,
            vec![
                "probes/probes.toml:2:6: error: component `p` keeps the whole world, so `imports` has nothing to choose"
            ]
        );
    }
}
