//! `cargo xtask tutorial [--checkout PATH]`: the quickstart, run from the page.
//!
//! Every fenced block of `src/getting-started/quickstart.md` whose info string
//! carries `tutorial=TRACK step=N` is a step: a shell block runs (in the
//! folder the previous block left), a block with `file=PATH` is written to
//! that file. Nothing is typed that the page does not show. The steps run in
//! page order, in a scratch folder under `target/tutorial/`, with the CLI
//! installed into that folder (`npm install -g` with a scratch prefix).
//!
//! Without an Alga PSA instance: a block marked `needs=instance` (publish,
//! install) runs against a closed port on loopback, so it packs what it
//! packs and then fails to connect, which is expected. A download from the
//! upstream repository at the pin (`https://raw.githubusercontent.com/…`) is
//! answered from the checkout (`ALGA_PSA_CHECKOUT` or `--checkout PATH`);
//! without one, the track stops before that step and says so.
//!
//! After each track, the checks compare what the page says with the result:
//! the files created, the archive's layout, the npm versions, and the
//! component's exports and imports against the Runner's WIT world at the
//! pin. A mismatch names the page line of the step that makes the claim.

use crate::tools::repo_root;
use alga_diagnostics::Position;
use anyhow::{Context, Result, bail};
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The page the tutorial runs.
pub(crate) const PAGE: &str = "src/getting-started/quickstart.md";
/// The upstream repository's raw-file prefix that a step may download from.
const RAW: &str = "https://raw.githubusercontent.com/Nine-Minds/alga-psa/";

/// One step of the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// `setup`, `track-a`, `track-b`.
    pub track: String,
    /// The step number the page gives it (0 for set-up).
    pub step: u32,
    /// The 1-based line of the fence.
    pub line: usize,
    /// The 1-based column of the fence.
    pub col: usize,
    /// The first word of the info string (`sh`, `ts`, `json`, …).
    pub lang: String,
    /// Where the block's text goes, for a file block.
    pub file: Option<String>,
    /// Whether it talks to an Alga PSA instance.
    pub needs_instance: bool,
    /// The block's text.
    pub text: String,
}

/// A located problem with the page's tutorial markup.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct MarkupError {
    /// The 1-based line of the fence.
    pub line: usize,
    /// The 1-based column of the fence.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

const KEYS: &[&str] = &["tutorial", "step", "file", "needs"];

/// The tutorial steps of `page`, in page order.
pub(crate) fn blocks(page: &str) -> Result<Vec<Block>, MarkupError> {
    let mut out: Vec<Block> = Vec::new();
    let mut open: Option<(String, Position)> = None;
    let mut text = String::new();
    for (event, range) in Parser::new_ext(page, Options::empty()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                open = Some((info.to_string(), Position::of_offset(page, range.start)));
                text.clear();
            }
            Event::Text(t) if open.is_some() => text.push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                let Some((info, at)) = open.take() else {
                    continue;
                };
                if let Some(b) = parse_block(&info, at, &text)? {
                    out.push(b);
                }
            }
            _ => {}
        }
    }
    let mut last: Vec<(String, u32)> = Vec::new();
    for b in &out {
        match last.iter_mut().find(|(t, _)| *t == b.track) {
            Some((_, n)) if b.step < *n => {
                return Err(MarkupError {
                    line: b.line,
                    col: b.col,
                    message: format!(
                        "step {} of `{}` comes after step {n}: steps run in page order",
                        b.step, b.track
                    ),
                });
            }
            Some((_, n)) => *n = b.step,
            None => last.push((b.track.clone(), b.step)),
        }
    }
    Ok(out)
}

fn parse_block(info: &str, at: Position, text: &str) -> Result<Option<Block>, MarkupError> {
    let (line, col) = (at.line, at.col);
    let err = |message: String| MarkupError { line, col, message };
    let mut words = info.split_whitespace();
    let lang = words.next().unwrap_or("").to_owned();
    let mut track = None;
    let mut step = None;
    let mut file = None;
    let mut needs_instance = false;
    for w in words {
        let Some((k, v)) = w.split_once('=') else {
            continue;
        };
        if !KEYS.contains(&k) {
            if track.is_some() || info.contains("tutorial=") {
                if k == "expect-error" {
                    continue;
                }
                return Err(err(format!(
                    "unknown tutorial attribute `{k}`; known: {}",
                    KEYS.join(", ")
                )));
            }
            continue;
        }
        match k {
            "tutorial" => match v {
                "setup" | "track-a" | "track-b" => track = Some(v.to_owned()),
                _ => {
                    return Err(err(format!(
                        "unknown track `{v}`; write tutorial=setup, tutorial=track-a or tutorial=track-b"
                    )));
                }
            },
            "step" => {
                step = Some(
                    v.parse::<u32>()
                        .map_err(|_| err(format!("`step={v}` is not a step number")))?,
                )
            }
            "file" => {
                if v.is_empty() || v.starts_with('/') || v.split('/').any(|s| s == "..") {
                    return Err(err(format!(
                        "`file={v}` must be a relative path inside the project"
                    )));
                }
                file = Some(v.to_owned());
            }
            "needs" => {
                if v != "instance" {
                    return Err(err(format!("`needs={v}`: the only need is `instance`")));
                }
                needs_instance = true;
            }
            _ => unreachable!(),
        }
    }
    let Some(track) = track else {
        if step.is_some() || file.is_some() || needs_instance {
            return Err(err(
                "`step`, `file` and `needs` need a `tutorial=TRACK`".into()
            ));
        }
        return Ok(None);
    };
    let step = match (step, track.as_str()) {
        (Some(n), _) => n,
        (None, "setup") => 0,
        (None, _) => return Err(err(format!("a `{track}` block needs `step=N`"))),
    };
    if file.is_none() && !matches!(lang.as_str(), "sh" | "bash") {
        return Err(err(format!(
            "a `{lang}` block of the tutorial needs `file=PATH` (only shell blocks run)"
        )));
    }
    Ok(Some(Block {
        track,
        step,
        line,
        col,
        lang,
        file,
        needs_instance,
        text: text.to_owned(),
    }))
}

/// What a track left behind, for its checks.
struct Outcome {
    /// The project folder (where the last block ended).
    project: PathBuf,
    /// Whether the track stopped early (no checkout).
    stopped: Option<String>,
}

/// Run the tutorial: set-up, Track A, Track B, each with its checks.
pub(crate) fn run(args: &[String]) -> Result<()> {
    let mut checkout = std::env::var_os("ALGA_PSA_CHECKOUT").map(PathBuf::from);
    let mut runner = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--checkout" => checkout = Some(it.next().context("--checkout needs a path")?.into()),
            "--runner" => runner = true,
            other => {
                bail!(
                    "unknown argument `{other}`; usage: cargo xtask tutorial [--runner] [--checkout PATH]"
                )
            }
        }
    }
    if runner && checkout.is_none() {
        bail!(
            "`--runner` builds the Runner from a checkout of alga-psa: pass --checkout PATH or set ALGA_PSA_CHECKOUT"
        );
    }
    let root = repo_root();
    let page = std::fs::read_to_string(root.join(PAGE))?;
    let steps = blocks(&page)
        .map_err(|e| anyhow::anyhow!("{PAGE}:{}:{}: error: {}", e.line, e.col, e.message))?;
    let commit = pinned_commit(&root)?;
    let scratch = root.join("target/tutorial");
    if scratch.exists() {
        std::fs::remove_dir_all(&scratch)?;
    }
    std::fs::create_dir_all(scratch.join("bin"))?;
    let shim = curl_shim(&scratch, checkout.as_deref(), &commit)?;
    let env = Env::new(&scratch, shim)?;
    let mut failures = Vec::new();

    let setup: Vec<&Block> = steps.iter().filter(|b| b.track == "setup").collect();
    run_track(
        "setup",
        &setup,
        &scratch.join("setup"),
        &env,
        checkout.is_some(),
    )?;
    failures.extend(check_setup(&env, &setup));

    for track in ["track-a", "track-b"] {
        let blocks: Vec<&Block> = steps.iter().filter(|b| b.track == track).collect();
        if blocks.is_empty() {
            failures.push(format!(
                "{PAGE}: error: the page has no `tutorial={track}` steps"
            ));
            continue;
        }
        let out = run_track(
            track,
            &blocks,
            &scratch.join(track),
            &env,
            checkout.is_some(),
        )?;
        if let Some(why) = &out.stopped {
            eprintln!("xtask tutorial: note: {track} stopped early: {why}");
        }
        let problems = match track {
            "track-a" => check_track_a(&out, &blocks),
            _ => check_track_b(&out, &blocks, checkout.as_deref(), &commit),
        };
        failures.extend(problems);
    }
    eprintln!(
        "xtask tutorial: the projects and each step's output are in {} (kept until the next run)",
        scratch.display()
    );
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("{f}");
        }
        bail!(
            "{} mismatch(es) between the quickstart and what its steps do",
            failures.len()
        );
    }
    eprintln!("xtask tutorial: both tracks ran as the page says (offline steps)");
    match (&checkout, runner) {
        (Some(c), true) => crate::probes::run(c, &commit),
        _ => Ok(()),
    }
}

fn pinned_commit(root: &Path) -> Result<String> {
    let book: toml::Table = toml::from_str(&std::fs::read_to_string(root.join("book.toml"))?)?;
    book.get("preprocessor")
        .and_then(|p| p.get("alga"))
        .and_then(|a| a.get("upstream"))
        .and_then(|u| u.get("commit"))
        .and_then(|c| c.as_str())
        .map(str::to_owned)
        .context("book.toml has no [preprocessor.alga.upstream] commit")
}

/// The environment every step runs in.
struct Env {
    path: std::ffi::OsString,
    prefix: PathBuf,
    dead_url: String,
}

impl Env {
    fn new(scratch: &Path, shim: PathBuf) -> Result<Env> {
        let prefix = scratch.join("cli");
        let path = std::env::join_paths([shim, prefix.join("bin")].into_iter().chain(
            std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
        ))?;
        // A port nothing listens on: publish and install fail to connect.
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        Ok(Env {
            path,
            prefix,
            dead_url: format!("http://127.0.0.1:{port}"),
        })
    }

    fn command(&self, script: &str, cwd: &Path) -> Command {
        let mut c = Command::new("bash");
        c.args(["-euo", "pipefail", "-c", script])
            .current_dir(cwd)
            .env("PATH", &self.path)
            .env("NPM_CONFIG_PREFIX", &self.prefix)
            .env("NPM_CONFIG_UPDATE_NOTIFIER", "false")
            .env("NPM_CONFIG_FUND", "false")
            .env("NPM_CONFIG_AUDIT", "false")
            .env("ALGA_API_BASE_URL", &self.dead_url)
            .env("ALGA_API_KEY", "tutorial-offline")
            .env("ALGA_TENANT_ID", "00000000-0000-0000-0000-000000000000");
        c
    }
}

/// A `curl` that answers the pin's raw-file URLs from the checkout and
/// refuses everything else.
fn curl_shim(scratch: &Path, checkout: Option<&Path>, commit: &str) -> Result<PathBuf> {
    let dir = scratch.join("bin");
    let git_dir = checkout.map(|c| {
        let bare = c.join("HEAD").is_file() && !c.join(".git").exists();
        if bare {
            c.to_path_buf()
        } else {
            c.join(".git")
        }
    });
    let body = match git_dir {
        Some(g) => format!(
            r#"#!/usr/bin/env bash
# tutorial shim: the pin's raw files come from the checkout
out=""; url=""
while [ $# -gt 0 ]; do
  case "$1" in
    -o) out="$2"; shift 2;;
    -*) shift;;
    *) url="$1"; shift;;
  esac
done
case "$url" in
  {RAW}{commit}/*) path="${{url#{RAW}{commit}/}}";;
  *) echo "tutorial shim: no network for $url" >&2; exit 6;;
esac
if [ -n "$out" ]; then git --git-dir '{}' show "{commit}:$path" > "$out"; else git --git-dir '{}' show "{commit}:$path"; fi
"#,
            g.display(),
            g.display()
        ),
        None => "#!/usr/bin/env bash\necho \"tutorial shim: no upstream checkout to answer $*\" >&2\nexit 6\n".to_owned(),
    };
    let shim = dir.join("curl");
    std::fs::write(&shim, body)?;
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&shim, std::fs::Permissions::from_mode(0o755))?;
    Ok(dir)
}

fn run_track(
    track: &str,
    blocks: &[&Block],
    start: &Path,
    env: &Env,
    have_checkout: bool,
) -> Result<Outcome> {
    std::fs::create_dir_all(start)?;
    let mut cwd = start.to_path_buf();
    for b in blocks {
        let at = format!("{PAGE}:{}:{}", b.line, b.col);
        if let Some(file) = &b.file {
            let path = cwd.join(file);
            std::fs::create_dir_all(path.parent().unwrap())?;
            std::fs::write(&path, &b.text)?;
            eprintln!(
                "xtask tutorial: {track} step {}: wrote {file} ({at})",
                b.step
            );
            continue;
        }
        if b.text.contains(RAW) && !have_checkout {
            return Ok(Outcome {
                project: cwd,
                stopped: Some(format!(
                    "step {} ({at}) downloads from the upstream repository; run with ALGA_PSA_CHECKOUT or --checkout PATH",
                    b.step
                )),
            });
        }
        eprintln!(
            "xtask tutorial: {track} step {}: running the block at {at}",
            b.step
        );
        let marker = start.join(".cwd");
        let script = format!("{}\npwd > '{}'\n", b.text.trim_end(), marker.display());
        let out = env
            .command(&script, &cwd)
            .output()
            .with_context(|| format!("cannot run bash for {at}"))?;
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(
            start.join(format!("step-{}-line-{}.log", b.step, b.line)),
            &log,
        )?;
        if b.needs_instance {
            // Expected to fail: there is no instance to talk to.
            if out.status.success() {
                bail!(
                    "{at}: error: step {} of {track} needs an instance but succeeded without one",
                    b.step
                );
            }
            eprintln!(
                "xtask tutorial: {track} step {}: no instance, stopped at the first request (expected)",
                b.step
            );
            continue;
        }
        if !out.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            bail!(
                "{at}: error: step {} of {track} failed ({})\n{}",
                b.step,
                out.status,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
        }
        if let Ok(dir) = std::fs::read_to_string(&marker) {
            cwd = PathBuf::from(dir.trim());
        }
        let _ = std::fs::remove_file(&marker);
    }
    Ok(Outcome {
        project: cwd,
        stopped: None,
    })
}

/// Where the page writes `step` (its first block): line and column.
fn step_line(blocks: &[&Block], step: u32) -> (usize, usize) {
    blocks
        .iter()
        .find(|b| b.step == step)
        .map_or((0, 0), |b| (b.line, b.col))
}

fn mismatch((line, col): (usize, usize), what: String) -> String {
    format!("{PAGE}:{line}:{col}: error: {what}")
}

/// The CLI the set-up installed is the version the page names.
fn check_setup(env: &Env, setup: &[&Block]) -> Vec<String> {
    let line = setup.first().map_or((0, 0), |b| (b.line, b.col));
    let pkg = env
        .prefix
        .join("lib/node_modules/@alga-psa/cli/package.json");
    match std::fs::read_to_string(&pkg)
        .ok()
        .and_then(|t| version_of(&t))
    {
        Some(v) if v == "0.2.0" => Vec::new(),
        Some(v) => vec![mismatch(
            line,
            format!("npm installed @alga-psa/cli {v}; the page describes 0.2.0"),
        )],
        None => vec![mismatch(
            line,
            format!("no @alga-psa/cli in {}", pkg.display()),
        )],
    }
}

fn version_of(package_json: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(package_json).ok()?;
    v.get("version")?.as_str().map(str::to_owned)
}

/// The file names in a `.tar.zst`, folders with a trailing `/`.
fn archive_listing(archive: &Path) -> Result<BTreeSet<String>> {
    let out = Command::new("tar")
        .arg("--zstd")
        .arg("-tf")
        .arg(archive)
        .output()
        .context("cannot run tar")?;
    if !out.status.success() {
        bail!(
            "tar cannot list {}: {}",
            archive.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim_start_matches("./").to_owned())
        .filter(|l| !l.is_empty())
        .collect())
}

fn check_track_a(out: &Outcome, blocks: &[&Block]) -> Vec<String> {
    let mut problems = Vec::new();
    let p = &out.project;
    // Step 1: the files `alga create extension` makes (the page's table).
    for f in [
        "manifest.json",
        "ui/index.html",
        "ui/index.js",
        "scripts/build.mjs",
        "package.json",
        "alga.config.json",
        "README.md",
    ] {
        if !p.join(f).is_file() {
            problems.push(mismatch(
                step_line(blocks, 1),
                format!("`alga create extension` made no `{f}`"),
            ));
        }
    }
    // Step 3: the archive holds manifest.json and ui/… at its root.
    match archive_listing(&p.join("dist/bundle.tar.zst")) {
        Ok(names) => {
            let want: BTreeSet<String> = ["manifest.json", "ui/", "ui/index.html", "ui/index.js"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            if names != want {
                problems.push(mismatch(
                    step_line(blocks, 3),
                    format!("the archive holds {names:?}, the page says {want:?}"),
                ));
            }
        }
        Err(e) => problems.push(mismatch(step_line(blocks, 3), format!("{e:#}"))),
    }
    problems
}

fn check_track_b(
    out: &Outcome,
    blocks: &[&Block],
    checkout: Option<&Path>,
    commit: &str,
) -> Vec<String> {
    let mut problems = Vec::new();
    let p = &out.project;
    // Step 1: the toolchain at the versions the page pins.
    for (pkg, want) in [
        ("@bytecodealliance/jco", "1.17.0"),
        ("@bytecodealliance/componentize-js", "0.19.3"),
    ] {
        let got = std::fs::read_to_string(p.join("node_modules").join(pkg).join("package.json"))
            .ok()
            .and_then(|t| version_of(&t));
        if got.as_deref() != Some(want) {
            problems.push(mismatch(
                step_line(blocks, 1),
                format!("{pkg} is {got:?} after step 1, the page pins {want}"),
            ));
        }
    }
    if out.stopped.is_some() {
        return problems;
    }
    // Step 2: the world keeps its export and has no imports.
    let wit = std::fs::read_to_string(p.join("wit/extension-runner.wit")).unwrap_or_default();
    let world = world_block(&wit, "runner");
    if world.lines().any(|l| l.trim_start().starts_with("import "))
        || !world.contains("export handler")
    {
        problems.push(mismatch(
            step_line(blocks, 2),
            "after step 2 the `world runner` block still imports interfaces, or lost `export handler`".into(),
        ));
    }
    // Step 5 and 7: what the build leaves.
    for f in [
        "dist/js/index.js",
        "ui/main.js",
        "dist/main.wasm",
        "dist/component.json",
    ] {
        if !p.join(f).is_file() {
            problems.push(mismatch(
                step_line(blocks, 5),
                format!("the build left no `{f}`"),
            ));
        }
    }
    // The component against the Runner's world at the pin.
    let jco = Command::new("npx")
        .args(["--no-install", "jco", "wit", "dist/main.wasm"])
        .current_dir(p)
        .output();
    match jco {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            let runner_export = checkout
                .and_then(|c| upstream_wit(c, commit))
                .map(|w| {
                    world_block(&w, "runner")
                        .lines()
                        .find(|l| l.contains("export handler"))
                        .map(|l| l.trim().to_owned())
                })
                .unwrap_or(None);
            let export = text
                .lines()
                .find(|l| l.contains("export handler"))
                .map(|l| l.trim().to_owned());
            match (export, runner_export) {
                (None, _) => problems.push(mismatch(
                    step_line(blocks, 7),
                    "the component exports no `handler`".into(),
                )),
                (Some(e), Some(r)) if e != r => problems.push(mismatch(
                    step_line(blocks, 7),
                    format!("the component's `{e}` differs from the Runner's `{r}`"),
                )),
                _ => {}
            }
            // `types` holds only types: importing it asks the Runner for
            // nothing (the page: "imports nothing the Runner must provide").
            let alga_imports: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| l.starts_with("import alga:extension/"))
                .filter(|l| !l.starts_with("import alga:extension/types"))
                .collect();
            if !alga_imports.is_empty() {
                problems.push(mismatch(
                    step_line(blocks, 2),
                    format!("the component imports {alga_imports:?}, which the Runner cannot link at the pin"),
                ));
            }
        }
        Ok(o) => problems.push(mismatch(
            step_line(blocks, 7),
            format!(
                "`jco wit dist/main.wasm` failed: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
        )),
        Err(e) => problems.push(mismatch(
            step_line(blocks, 7),
            format!("cannot run npx: {e}"),
        )),
    }
    // Step 7: publish packs the folder before it connects.
    match archive_listing(&p.join("dist/bundle.tar.zst")) {
        Ok(names) => {
            for want in [
                "manifest.json",
                "ui/index.html",
                "ui/main.js",
                "dist/main.wasm",
            ] {
                if !names.contains(want) {
                    problems.push(mismatch(
                        step_line(blocks, 7),
                        format!("the packed archive has no `{want}`"),
                    ));
                }
            }
        }
        Err(e) => problems.push(mismatch(step_line(blocks, 7), format!("{e:#}"))),
    }
    problems
}

fn upstream_wit(checkout: &Path, commit: &str) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(checkout)
        .args([
            "show",
            &format!("{commit}:ee/runner/wit/extension-runner.wit"),
        ])
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The text of `world NAME { … }` in a WIT file.
fn world_block<'a>(wit: &'a str, name: &str) -> &'a str {
    let Some(start) = wit.find(&format!("world {name}")) else {
        return "";
    };
    let rest = &wit[start..];
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return &rest[..=i];
                }
            }
            _ => {}
        }
    }
    rest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_come_from_marked_blocks_in_page_order() {
        let page = "# Q\n\n```sh tutorial=setup\nnpm i\n```\n\n```sh\nnot a step\n```\n\n```json manifest tutorial=track-a step=2 file=manifest.json\n{}\n```\n\n```sh tutorial=track-a step=4 needs=instance\nalga extension publish .\n```\n";
        let b = blocks(page).unwrap();
        assert_eq!(b.len(), 3);
        assert_eq!((b[0].track.as_str(), b[0].step, b[0].line), ("setup", 0, 3));
        assert_eq!(b[1].file.as_deref(), Some("manifest.json"));
        assert_eq!(b[1].text, "{}\n");
        assert!(b[2].needs_instance && b[2].line == 15);
    }

    #[test]
    fn bad_markup_is_an_error_at_the_fence() {
        let cases = [
            (
                "```sh tutorial=track-c step=1\nx\n```\n",
                "unknown track `track-c`",
            ),
            ("```sh tutorial=track-a\nx\n```\n", "needs `step=N`"),
            (
                "```ts tutorial=track-a step=1\nx\n```\n",
                "needs `file=PATH`",
            ),
            (
                "```ts tutorial=track-a step=1 file=../x\nx\n```\n",
                "relative path inside the project",
            ),
            (
                "```sh tutorial=track-a step=1 speed=fast\nx\n```\n",
                "unknown tutorial attribute `speed`",
            ),
            ("```sh step=1\nx\n```\n", "need a `tutorial=TRACK`"),
            (
                "```sh tutorial=track-a step=2\nx\n```\n\n```sh tutorial=track-a step=1\ny\n```\n",
                "step 1 of `track-a` comes after step 2",
            ),
        ];
        for (page, want) in cases {
            let e = blocks(page).unwrap_err();
            assert!(e.message.contains(want), "{page:?}: {}", e.message);
        }
        let e = blocks("# x\n\n```sh tutorial=nope\n```\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 1));
        // A fence inside a list item is reported at its own column.
        let e = blocks("- item\n\n  ```sh tutorial=track-a\n  x\n  ```\n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 3));
    }

    #[test]
    fn the_world_block_is_found_with_nested_braces() {
        let wit = "package a:b;\ninterface i { f: func(); }\nworld runner {\n  use types.{a, b};\n  import i;\n  export handler: func();\n}\n";
        let w = world_block(wit, "runner");
        assert!(w.starts_with("world runner {") && w.ends_with('}'));
        assert!(w.contains("import i;") && w.contains("export handler"));
    }

    #[test]
    fn the_quickstart_marks_both_tracks() {
        let page = std::fs::read_to_string(repo_root().join(PAGE)).unwrap();
        let b = blocks(&page).unwrap();
        for track in ["setup", "track-a", "track-b"] {
            assert!(b.iter().any(|s| s.track == track), "no {track} steps");
        }
    }
}
