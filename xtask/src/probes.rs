//! `cargo xtask tutorial --runner`: the runtime probes, sent to the Runner
//! built at the pin.
//!
//! 1. Build the components of `data/probes/probes.toml` with the jco that
//!    the tutorial's Track B installed, against the Runner's WIT world at
//!    the pin with only the imports each component keeps (or all of them,
//!    `full-world`), and pack each into a bundle store folder, under
//!    `tenants/{t}/extensions/{e}/sha256/{hex}/`.
//! 2. Build the Runner from `ee/runner` of the checkout at the pin, once:
//!    the sources are exported to `target/runner/<pin10>/src` and built there
//!    with the Runner's own `Cargo.lock` (`--locked`); a second run reuses
//!    the binary.
//! 3. Re-run this task inside `unshare -n` (a network namespace with only
//!    loopback: the Runner binds every interface), where it serves the
//!    bundle store, starts the Runner, and sends every probe's calls,
//!    reading the Runner's log after each for the root cause of a failure.
//! 4. Write what the Runner answered to `data/probes/results.toml`, with the
//!    pin, the date and the hashes the book checks it against.

use crate::tools::{repo_root, status};
use alga_book_data::probes::{
    self, Build, CallDef, CallResult, ComponentDef, ComponentResult, Definitions, ProbeResult,
    Results, sha256_hex,
};
use alga_book_data::source_file::SourceFile;
use alga_diagnostics::Diagnostics;
use alga_site_checks::{base64, http, net};
use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The tenant every probe runs as.
const TENANT: &str = "00000000-0000-0000-0000-0000000000aa";
/// The key the Runner is started with.
const AUTH_KEY: &str = "probe-auth-key";
/// The name of the hidden task that runs inside the namespace.
pub(crate) const INSIDE: &str = "__probes-inside";

/// One prepared HTTP call, as the inside half sends it.
#[derive(Debug, Serialize, Deserialize)]
struct Wire {
    probe: String,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
    output: Vec<String>,
}

/// What the inside half needs.
#[derive(Debug, Serialize, Deserialize)]
struct Plan {
    runner: PathBuf,
    store: PathBuf,
    cache: PathBuf,
    log: PathBuf,
    calls: Vec<Wire>,
}

/// What the inside half got back for one call.
#[derive(Debug, Serialize, Deserialize)]
struct Got {
    http: u16,
    content_type: Option<String>,
    body: String,
    output: BTreeMap<String, bool>,
    cause: Option<String>,
}

/// The runtime probes, after the offline tutorial built Track B.
pub(crate) fn run(checkout: &Path, pin: &str) -> Result<()> {
    let root = repo_root();
    let git_dir = git_dir(checkout);
    let defs_path = Path::new("data/probes").join(probes::DEFINITIONS);
    let defs_file = SourceFile::read(&root, &defs_path)?;
    let mut diags = Diagnostics::default();
    let Some(defs) = defs_file.parse_toml::<Definitions>(&mut diags) else {
        bail!("{}", diags.render(true));
    };
    let scratch = root.join("target/tutorial/runner");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)?;
    }
    std::fs::create_dir_all(&scratch)?;

    let project = track_b_project(&root)?;
    let jco = project.join("node_modules/.bin/jco");
    if !jco.is_file() {
        bail!(
            "no jco at {}: the tutorial's Track B did not install it",
            jco.display()
        );
    }
    let wit = git_show(&git_dir, pin, "ee/runner/wit/extension-runner.wit")?;
    let store = scratch.join("store");
    let mut archives = BTreeMap::new();
    let mut components = BTreeMap::new();
    let mut sources = BTreeMap::new();
    for c in &defs.component {
        let id = c.id.get_ref();
        eprintln!("xtask tutorial --runner: building component `{id}`");
        let (wasm, archive) = build_component(&root, &scratch, &project, &jco, &wit, c)?;
        let bytes = std::fs::read(&wasm)?;
        components.insert(
            id.clone(),
            ComponentResult {
                sha256: sha256_hex(&bytes),
                bytes: bytes.len() as u64,
            },
        );
        let hex = sha256_hex(&std::fs::read(&archive)?);
        let dir = store.join(format!("tenants/{TENANT}/extensions/{id}/sha256/{hex}"));
        std::fs::create_dir_all(&dir)?;
        std::fs::copy(&archive, dir.join("bundle.tar.zst"))?;
        // The same archive under a hash it does not have.
        let wrong = store.join(format!(
            "tenants/{TENANT}/extensions/{id}/sha256/{}",
            "ab".repeat(32)
        ));
        std::fs::create_dir_all(&wrong)?;
        std::fs::copy(&archive, wrong.join("bundle.tar.zst"))?;
        archives.insert(id.clone(), hex);
        if let Some(src) = &c.source {
            sources.insert(src.clone(), sha256_hex(&std::fs::read(root.join(src))?));
        }
    }

    let runner = build_runner(&root, &git_dir, pin)?;
    let mut calls = Vec::new();
    for p in &defs.probe {
        for (n, call) in p.call.iter().enumerate() {
            let component = p.component.get_ref();
            let hex = archives.get(component).with_context(|| {
                format!("probe `{}`: no component `{component}`", p.id.get_ref())
            })?;
            calls.push(wire(p.id.get_ref(), n + 1, component, hex, call)?);
        }
    }
    let plan = Plan {
        runner,
        store,
        cache: scratch.join("cache"),
        log: scratch.join("runner.log"),
        calls,
    };
    let plan_path = scratch.join("plan.json");
    std::fs::write(&plan_path, serde_json::to_string_pretty(&plan)?)?;
    let got_path = scratch.join("got.json");
    eprintln!(
        "xtask tutorial --runner: sending {} calls inside a loopback-only network namespace",
        plan.calls.len()
    );
    let exe = std::env::current_exe()?;
    status(
        Command::new("unshare")
            .arg("-n")
            .arg("--")
            .arg(&exe)
            .arg(INSIDE)
            .arg(&plan_path)
            .arg(&got_path),
    )
    .context("the probes run inside `unshare -n` (root, or a user namespace, is needed)")?;
    let got: Vec<Got> = serde_json::from_str(&std::fs::read_to_string(&got_path)?)?;

    let mut results = Results {
        pin: pin.to_owned(),
        date: today()?,
        runner: format!(
            "alga-ext-runner from ee/runner at the pin, `cargo build --release --locked` with {}",
            rustc_version()?
        ),
        tools: tool_versions(&project)?,
        definitions_sha256: sha256_hex(defs_file.text.as_bytes()),
        sources,
        components,
        probe: Vec::new(),
    };
    let mut got = got.into_iter();
    for p in &defs.probe {
        let mut r = ProbeResult {
            id: p.id.get_ref().clone(),
            call: Vec::new(),
        };
        for _ in &p.call {
            let g = got.next().context("fewer answers than calls")?;
            r.call.push(record(g));
        }
        results.probe.push(r);
    }
    let out = root.join("data/probes").join(probes::RESULTS);
    let text = format!(
        "# Written by `{}`: what the Runner built at the pin answered\n# to each probe of probes.toml. Do not edit by hand; rerun instead.\n\n{}",
        probes::RUN,
        toml::to_string(&results)?
    );
    std::fs::write(&out, text)?;
    eprintln!(
        "xtask tutorial --runner: {} probes recorded in {} (the Runner's log: {})",
        results.probe.len(),
        out.strip_prefix(&root).unwrap_or(&out).display(),
        plan.log.display()
    );
    Ok(())
}

/// The inside half: serve the store, start the Runner, send the calls.
pub(crate) fn inside(args: &[String]) -> Result<()> {
    let [plan, got] = args else {
        bail!("usage: xtask {INSIDE} PLAN GOT");
    };
    status(Command::new("ip").args(["link", "set", "lo", "up"]))?;
    let plan: Plan = serde_json::from_str(&std::fs::read_to_string(plan)?)?;
    let store = http::serve_dir(&plan.store, "/")?;
    let port = net::free_port()?;
    let dead = net::free_port()?;
    std::fs::create_dir_all(&plan.cache)?;
    let log = std::fs::File::create(&plan.log)?;
    let mut child = Command::new(&plan.runner)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("PORT", port.to_string())
        .env("ALGA_AUTH_KEY", AUTH_KEY)
        .env("REGISTRY_BASE_URL", format!("http://127.0.0.1:{dead}"))
        .env("BUNDLE_STORE_BASE", &store)
        .env("EXT_CACHE_ROOT", &plan.cache)
        .env("RUST_LOG", "info")
        .stdout(Stdio::from(log.try_clone()?))
        .stderr(Stdio::from(log))
        .spawn()
        .with_context(|| format!("cannot start {}", plan.runner.display()))?;
    let result = (|| -> Result<Vec<Got>> {
        let base = format!("http://127.0.0.1:{port}");
        net::wait_for("the Runner's /healthz", Duration::from_secs(60), || {
            http::json_request(&base, "GET", "/healthz", None).is_ok()
        })?;
        let mut out = Vec::new();
        for (i, c) in plan.calls.iter().enumerate() {
            let before = std::fs::metadata(&plan.log)?.len() as usize;
            let started = Instant::now();
            let headers: Vec<(&str, &str)> = c
                .headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            let a = http::request(
                &base,
                &c.method,
                &c.path,
                &headers,
                c.body.as_bytes(),
                Duration::from_secs(300),
            )
            .with_context(|| format!("probe `{}`", c.probe))?;
            eprintln!(
                "  [{}/{}] {}: HTTP {} in {:.1} s",
                i + 1,
                plan.calls.len(),
                c.probe,
                a.status,
                started.elapsed().as_secs_f64()
            );
            let mut output = BTreeMap::new();
            if !c.output.is_empty() {
                // What the component printed may reach the log after the answer.
                std::thread::sleep(Duration::from_millis(500));
            }
            // The Runner logs a failure before it answers.
            let log = std::fs::read(&plan.log)?;
            let new = strip_ansi(&String::from_utf8_lossy(&log[before.min(log.len())..]));
            for line in &c.output {
                output.insert(line.clone(), new.contains(line.as_str()));
            }
            out.push(Got {
                http: a.status,
                content_type: a.header("content-type").map(str::to_owned),
                body: String::from_utf8_lossy(&a.body).into_owned(),
                output,
                cause: root_cause(&new),
            });
        }
        Ok(out)
    })();
    let _ = child.kill();
    let _ = child.wait();
    std::fs::write(got, serde_json::to_string_pretty(&result?)?)?;
    Ok(())
}

/// The HTTP request of one call.
fn wire(probe: &str, n: usize, extension: &str, hex: &str, c: &CallDef) -> Result<Wire> {
    let (method, path) = match &c.endpoint {
        Some(e) => {
            let (m, p) = e.split_once(' ').with_context(|| {
                format!("probe `{probe}`: endpoint `{e}` is not `METHOD /path`")
            })?;
            (m.to_owned(), p.to_owned())
        }
        None => ("POST".to_owned(), "/v1/execute".to_owned()),
    };
    let mut headers = vec![("Content-Type".to_owned(), "application/json".to_owned())];
    if c.routing_headers.unwrap_or(true) {
        headers.push(("x-alga-tenant".into(), TENANT.into()));
        headers.push(("x-alga-extension".into(), extension.into()));
    }
    headers.push(("x-request-id".into(), format!("{probe}-{n}")));
    if let Some(k) = &c.idempotency_key {
        headers.push(("x-idempotency-key".into(), k.clone()));
    }
    let body = if let Some(raw) = &c.raw {
        raw.clone()
    } else if c.endpoint.is_some() {
        String::new()
    } else {
        let content_hash = match c.content_hash.as_deref() {
            None => format!("sha256:{hex}"),
            Some("bare") => hex.to_owned(),
            Some("unknown") => format!("sha256:{}", "cd".repeat(32)),
            Some("mismatch") => format!("sha256:{}", "ab".repeat(32)),
            Some(other) => {
                bail!("probe `{probe}`: content-hash `{other}`: write bare, unknown or mismatch")
            }
        };
        let mut http = serde_json::json!({
            "method": c.method.clone().unwrap_or_else(|| "GET".into()),
            "path": c.path.clone().unwrap_or_else(|| "/".into()),
            "query": c.query,
            "headers": c.headers,
        });
        if let Some(b) = &c.body {
            http["body_b64"] = base64::encode(b.as_bytes()).into();
        }
        let limits = match &c.limits {
            Some(t) => serde_json::to_value(t)?,
            None => serde_json::json!({ "timeout_ms": 20000 }),
        };
        let mut req = serde_json::json!({
            "context": {
                "request_id": format!("{probe}-{n}"),
                "tenant_id": TENANT,
                "extension_id": extension,
                "install_id": "install-probe",
                "content_hash": content_hash,
                "version_id": "version-probe",
                "config": c.config,
            },
            "http": http,
            "limits": limits,
            "providers": c.providers,
        });
        if let Some(u) = &c.user {
            req["user"] = serde_json::to_value(u)?;
        }
        req.to_string()
    };
    Ok(Wire {
        probe: probe.to_owned(),
        method,
        path,
        headers,
        body,
        output: c.output.clone(),
    })
}

/// What one answer says, as the results file records it.
fn record(g: Got) -> CallResult {
    let mut r = CallResult {
        http: g.http,
        content_type: g.content_type,
        output: g.output,
        cause: g.cause,
        ..CallResult::default()
    };
    let envelope = serde_json::from_str::<serde_json::Value>(&g.body)
        .ok()
        .filter(|v| v.get("status").is_some_and(|s| s.is_u64()) && v.get("body_b64").is_some());
    match envelope {
        Some(v) => {
            r.status = v["status"].as_u64().map(|s| s as u16);
            r.error = v["error"]
                .as_str()
                .map(|e| e.lines().next().unwrap_or("").to_owned());
            r.headers = v["headers"].as_object().map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
                    .collect()
            });
            r.body = v["body_b64"].as_str().map(|b| match base64::decode(b) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(_) => format!("(not base64: {b})"),
            });
        }
        None => r.body = Some(g.body),
    }
    r
}

/// The last cause of the last error chain in `log`, as anyhow's `{:?}`
/// writes a chain: the last line after `Caused by:` (the envelope's `error`
/// has only the top error, and the backtrace above it changes with the build).
pub(crate) fn root_cause(log: &str) -> Option<String> {
    let (_, rest) = log.rsplit_once("Caused by:")?;
    let last = rest
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("    ") && !l.trim().is_empty())
        .last()?;
    let last = last.trim();
    // A numbered chain writes `N: cause`.
    let unnumbered = match last.split_once(": ") {
        Some((n, cause)) if n.chars().all(|c| c.is_ascii_digit()) => cause,
        _ => last,
    };
    Some(unnumbered.to_owned())
}

/// `text` without the terminal colour codes of the Runner's log.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Build the Runner at the pin once; returns the binary.
fn build_runner(root: &Path, git_dir: &Path, pin: &str) -> Result<PathBuf> {
    let base = root.join("target/runner").join(&pin[..10]);
    let src = base.join("src");
    let bin = base.join("target/release/alga-ext-runner");
    let stamp = base.join("exported");
    if stamp.is_file() && bin.is_file() {
        eprintln!(
            "xtask tutorial --runner: reusing the Runner built at {}",
            bin.display()
        );
        return Ok(bin);
    }
    if !stamp.is_file() {
        export(git_dir, pin, "ee/runner", &src)?;
        std::fs::write(&stamp, pin)?;
    }
    eprintln!(
        "xtask tutorial --runner: building the Runner at the pin (about 30 minutes on two cores, once)"
    );
    let started = Instant::now();
    status(
        Command::new("cargo")
            .args(["build", "--release", "--locked"])
            .current_dir(&src)
            .env("CARGO_TARGET_DIR", base.join("target"))
            // Its build script asks git for a commit; it would find ours.
            .env("GIT_DIR", "/nonexistent"),
    )?;
    eprintln!(
        "xtask tutorial --runner: built the Runner in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(bin)
}

/// Write every file of `dir` at `pin` under `to`, skipping blobs the
/// checkout lacks (large test fixtures of a partial clone).
fn export(git_dir: &Path, pin: &str, dir: &str, to: &Path) -> Result<()> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .args(["ls-tree", "-r", pin, "--", dir])
        .output()?;
    if !out.status.success() || out.stdout.is_empty() {
        bail!("the checkout has no `{dir}` at {pin}");
    }
    let prefix = format!("{dir}/");
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Some((meta, path)) = line.split_once('\t') else {
            continue;
        };
        let Some(sha) = meta.split_whitespace().nth(2) else {
            continue;
        };
        let blob = Command::new("git")
            .arg("--git-dir")
            .arg(git_dir)
            .args(["cat-file", "blob", sha])
            .output()?;
        let rel = path.strip_prefix(&prefix).unwrap_or(path);
        if !blob.status.success() {
            eprintln!("xtask tutorial --runner: note: `{path}` is not in the checkout; skipped");
            continue;
        }
        let file = to.join(rel);
        std::fs::create_dir_all(file.parent().unwrap())?;
        std::fs::write(&file, &blob.stdout)?;
    }
    Ok(())
}

/// The Runner's world with only `keep` of its imports.
pub(crate) fn world_with(wit: &str, keep: &[String]) -> Result<String> {
    let start = wit
        .find("world runner {")
        .context("the Runner's WIT has no `world runner`")?;
    // The world ends at the first `}` alone on its line (a `use a.{b};`
    // inside it has braces too).
    let end = start
        + wit[start..]
            .find("\n}")
            .context("the Runner's `world runner` is not closed")?
        + 1;
    let mut out = String::from(&wit[..start]);
    let mut removed = 0;
    for line in wit[start..end].split_inclusive('\n') {
        let name = line
            .trim()
            .strip_prefix("import ")
            .and_then(|r| r.strip_suffix(';'));
        match name {
            Some(n) if !keep.iter().any(|k| k == n) => removed += 1,
            _ => out.push_str(line),
        }
    }
    for k in keep {
        let import = format!("import {k};");
        if !wit[start..end].contains(&import) {
            bail!("the Runner's world does not import `{k}`");
        }
    }
    if removed == 0 && keep.is_empty() {
        bail!("the Runner's world imports nothing; the probes expect imports to remove");
    }
    out.push_str(&wit[end..]);
    Ok(out)
}

/// Build one component and its archive; returns both paths.
fn build_component(
    root: &Path,
    scratch: &Path,
    project: &Path,
    jco: &Path,
    wit: &str,
    c: &ComponentDef,
) -> Result<(PathBuf, PathBuf)> {
    let id = c.id.get_ref();
    let dir = scratch.join("components").join(id);
    std::fs::create_dir_all(dir.join("dist"))?;
    if c.build == Build::TutorialArchive {
        let archive = project.join("dist/bundle.tar.zst");
        status(
            Command::new("tar")
                .arg("--zstd")
                .arg("-xf")
                .arg(&archive)
                .arg("-C")
                .arg(&dir),
        )?;
        return Ok((dir.join("dist/main.wasm"), archive));
    }
    let source = match (&c.build, &c.source) {
        (Build::Source, Some(s)) => root.join(s),
        _ => project.join("dist/js/index.js"),
    };
    let wit_file = dir.join("world.wit");
    if c.full_world {
        std::fs::write(&wit_file, wit)?;
    } else {
        std::fs::write(&wit_file, world_with(wit, &c.imports)?)?;
    }
    let wasm = dir.join("dist/main.wasm");
    let mut cmd = Command::new(jco);
    cmd.arg("componentize")
        .arg(&source)
        .arg("--wit")
        .arg(&wit_file)
        .args(["--world-name", "runner"]);
    if c.wasi {
        cmd.args(["--disable", "http", "--disable", "fetch-event"]);
    } else {
        cmd.args(["--disable", "all"]);
    }
    status(cmd.arg("--out").arg(&wasm).current_dir(project))?;
    let archive = dir.join("bundle.tar.zst");
    status(Command::new("bash").arg("-c").arg(format!(
        "tar -C '{}' -cf - dist | zstd -q -f -o '{}'",
        dir.display(),
        archive.display()
    )))?;
    Ok((wasm, archive))
}

/// The Track B project the tutorial left.
fn track_b_project(root: &Path) -> Result<PathBuf> {
    let base = root.join("target/tutorial/track-b");
    for e in std::fs::read_dir(&base).with_context(|| format!("no {}", base.display()))? {
        let p = e?.path();
        if p.join("dist/bundle.tar.zst").is_file() {
            return Ok(p);
        }
    }
    bail!(
        "the tutorial's Track B left no dist/bundle.tar.zst under {}",
        base.display()
    )
}

fn git_dir(checkout: &Path) -> PathBuf {
    if checkout.join("HEAD").is_file() && !checkout.join(".git").exists() {
        checkout.to_path_buf()
    } else {
        checkout.join(".git")
    }
}

fn git_show(git_dir: &Path, pin: &str, path: &str) -> Result<String> {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(git_dir)
        .arg("show")
        .arg(format!("{pin}:{path}"))
        .output()?;
    if !out.status.success() {
        bail!("the checkout has no `{path}` at {pin}");
    }
    Ok(String::from_utf8(out.stdout)?)
}

fn today() -> Result<String> {
    let out = Command::new("date").args(["-u", "+%Y-%m-%d"]).output()?;
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

fn rustc_version() -> Result<String> {
    let out = Command::new("rustc").arg("--version").output()?;
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// The versions of jco and componentize-js in the Track B project.
fn tool_versions(project: &Path) -> Result<String> {
    let version = |pkg: &str| -> Result<String> {
        let candidates = [
            project.join(format!("node_modules/{pkg}/package.json")),
            project.join(format!(
                "node_modules/@bytecodealliance/jco/node_modules/{pkg}/package.json"
            )),
        ];
        for c in candidates {
            if let Ok(t) = std::fs::read_to_string(&c) {
                let v: serde_json::Value = serde_json::from_str(&t)?;
                if let Some(s) = v["version"].as_str() {
                    return Ok(s.to_owned());
                }
            }
        }
        bail!("no {pkg} in {}", project.display())
    };
    Ok(format!(
        "@bytecodealliance/jco {}, @bytecodealliance/componentize-js {}",
        version("@bytecodealliance/jco")?,
        version("@bytecodealliance/componentize-js")?
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WIT: &str = "package a:b;\ninterface logging {}\ninterface http {}\nworld runner {\n    use types.{x};\n    import logging;\n    import http;\n    export handler: func();\n}\n";

    #[test]
    fn the_root_cause_is_the_last_line_after_caused_by() {
        let e = "error while executing at wasm backtrace:\n    0: 0x1f - <unknown>!x\n\nCaused by:\n    wasm trap: interrupt\n";
        assert_eq!(root_cause(e).as_deref(), Some("wasm trap: interrupt"));
        let two = "a\n\nCaused by:\n    0: first\n    1: wasm trap: wasm `unreachable` instruction executed";
        assert_eq!(
            root_cause(two).as_deref(),
            Some("wasm trap: wasm `unreachable` instruction executed")
        );
        assert_eq!(root_cause("just one line"), None);
        let then_more = "x\nCaused by:\n    wasm trap: interrupt\nINFO next call\n";
        assert_eq!(
            root_cause(then_more).as_deref(),
            Some("wasm trap: interrupt")
        );
        let log = "2026-12-03T14:42:40Z \u{1b}[31mERROR\u{1b}[0m execute failed err_display=\n\nCaused by:\n    0: instance export `get-context` has the wrong type\n    1: type mismatch with async\n2026-12-03T14:42:40Z \u{1b}[32m INFO\u{1b}[0m execute start\n";
        assert_eq!(
            root_cause(&strip_ansi(log)).as_deref(),
            Some("type mismatch with async")
        );
    }

    #[test]
    fn the_world_keeps_only_the_named_imports() {
        let none = world_with(WIT, &[]).unwrap();
        assert_eq!(
            none,
            "package a:b;\ninterface logging {}\ninterface http {}\nworld runner {\n    use types.{x};\n    export handler: func();\n}\n"
        );
        let one = world_with(WIT, &["logging".into()]).unwrap();
        assert!(one.contains("    import logging;\n") && !one.contains("import http;"));
        let err = world_with(WIT, &["storage".into()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the Runner's world does not import `storage`"
        );
    }

    #[test]
    fn an_envelope_is_recorded_field_by_field() {
        let g = Got {
            http: 200,
            content_type: Some("application/json".into()),
            body: r#"{"status":500,"headers":{},"body_b64":null,"error":"execute_failed: trap\nmore"}"#.into(),
            output: BTreeMap::new(),
            cause: Some("wasm trap: interrupt".into()),
        };
        let r = record(g);
        assert_eq!(r.status, Some(500));
        assert_eq!(r.error.as_deref(), Some("execute_failed: trap"));
        assert_eq!(r.cause.as_deref(), Some("wasm trap: interrupt"));
        assert_eq!(r.body, None);
        assert_eq!(r.headers, Some(BTreeMap::new()));
        let text = record(Got {
            http: 422,
            content_type: Some("text/plain".into()),
            body: "Failed to deserialize".into(),
            output: BTreeMap::new(),
            cause: None,
        });
        assert_eq!(
            (text.status, text.body.as_deref()),
            (None, Some("Failed to deserialize"))
        );
    }

    #[test]
    fn a_call_is_an_execute_request_by_default() {
        let c = CallDef {
            path: Some("/echo".into()),
            body: Some("hi".into()),
            ..CallDef::default()
        };
        let w = wire("echo", 1, "probe", "00ff", &c).unwrap();
        assert_eq!(
            (w.method.as_str(), w.path.as_str()),
            ("POST", "/v1/execute")
        );
        let v: serde_json::Value = serde_json::from_str(&w.body).unwrap();
        assert_eq!(v["context"]["content_hash"], "sha256:00ff");
        assert_eq!(v["http"]["body_b64"], "aGk=");
        assert_eq!(v["limits"]["timeout_ms"], 20000);
        assert!(
            w.headers
                .iter()
                .any(|(n, v)| n == "x-alga-extension" && v == "probe")
        );
    }
}
