//! `cargo xtask bench [--quick] [--cold] [--runs N] [--only LIST]`: every
//! performance figure of the book's tooling, each measured side by side with
//! its baseline in the same run, printed as one Markdown table (and written
//! to `target/bench/report.md`). Figures:
//!
//! 1. `overhead`: `mdbook build` of the real book with `mdbook-alga` against
//!    the same build with a pass-through preprocessor, and the preprocessor
//!    alone on the captured book JSON;
//! 2. `scale`: synthetic books of 100 to 10,000 chapters using every directive;
//! 3. `serve`: save-to-HTML latency of `mdbook serve` with either preprocessor;
//! 4. `schema`: `mdbook-alga schema-table` against two Python schema renderers;
//! 5. `cold` (only with `--cold`): a release build and the tool set-up from scratch;
//! 6. `search`: readers' queries through the site's own search in Chromium,
//!    against the same site with the retired pages indexed;
//! 7. `fresh`, `fresh-test` (only with `--cold`): a fresh clone served, and tested;
//! 8. `parity`: `alga-serve build` against plain `mdbook build`, file by file.
//!
//! Times are medians of N runs, variants interleaved run by run.

mod fresh;
mod parity;
mod scale;
mod schemas;
mod search;

use alga_site_checks::net::{free_port, wait_for};
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const USAGE: &str =
    "cargo xtask bench [--quick] [--cold] [--runs N] [--only overhead,scale,serve,schema,search,parity]
  --quick      a fast smoke run: fewer runs, books of 100 and 1,000 chapters
  --cold       also time a release build and the tool set-up from a clean target dir, and a
               fresh clone until `cargo xtask serve` answers (minutes); `--only fresh-test`
               adds the fresh clone's whole `cargo xtask test`
  --runs N     runs per measurement (default 7, quick 2); the median is reported
  --only LIST  run only these figures
";

pub struct Opts {
    pub quick: bool,
    pub cold: bool,
    pub runs: usize,
    pub only: Option<Vec<String>>,
}

impl Opts {
    fn wants(&self, fig: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|f| f == fig))
    }
}

fn parse_opts(args: &[String]) -> Result<Opts> {
    let mut o = Opts {
        quick: false,
        cold: false,
        runs: 0,
        only: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => o.quick = true,
            "--cold" => o.cold = true,
            "--runs" => {
                let n = it.next().context("--runs needs a number")?;
                o.runs = n.parse().with_context(|| format!("--runs: `{n}`"))?;
                if o.runs == 0 {
                    bail!("--runs must be at least 1");
                }
            }
            "--only" => {
                let list = it.next().context("--only needs a list")?;
                let figs: Vec<String> = list.split(',').map(str::to_owned).collect();
                for f in &figs {
                    if ![
                        "overhead",
                        "scale",
                        "serve",
                        "schema",
                        "search",
                        "cold",
                        "fresh",
                        "fresh-test",
                        "parity",
                    ]
                    .contains(&f.as_str())
                    {
                        bail!("--only: unknown figure `{f}`\n{USAGE}");
                    }
                }
                o.only = Some(figs);
            }
            "--help" | "-h" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown option `{other}`\n{USAGE}"),
        }
    }
    if o.runs == 0 {
        o.runs = if o.quick { 2 } else { 7 };
    }
    Ok(o)
}

/// One line of the report.
pub struct Row {
    pub figure: String,
    pub ours: String,
    pub baseline: String,
    pub ratio: String,
    pub target: String,
    pub holds: String,
}

impl Row {
    pub fn new(figure: impl Into<String>) -> Row {
        Row {
            figure: figure.into(),
            ours: String::new(),
            baseline: String::new(),
            ratio: "—".into(),
            target: "—".into(),
            holds: "—".into(),
        }
    }
    pub fn ours(mut self, s: impl Into<String>) -> Row {
        self.ours = s.into();
        self
    }
    pub fn baseline(mut self, s: impl Into<String>) -> Row {
        self.baseline = s.into();
        self
    }
    pub fn ratio(mut self, r: f64) -> Row {
        self.ratio = format!("{r:.2}×");
        self
    }
    pub fn target(mut self, t: impl Into<String>, holds: bool) -> Row {
        self.target = t.into();
        self.holds = if holds { "yes" } else { "**no**" }.into();
        self
    }
}

fn table(rows: &[Row]) -> String {
    let mut s = String::from(
        "| figure | ours | baseline | ratio | target | holds? |\n|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let cell = |c: &str| c.replace('|', "\\|");
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |",
            cell(&r.figure),
            cell(&r.ours),
            cell(&r.baseline),
            cell(&r.ratio),
            cell(&r.target),
            cell(&r.holds)
        );
    }
    s
}

/// Paths every figure needs.
pub struct Ctx {
    pub root: PathBuf,
    pub bench: PathBuf,
    pub mdbook: PathBuf,
    pub alga: PathBuf,
    pub passthrough: PathBuf,
    pub alga_serve: PathBuf,
    pub probe: PathBuf,
    pub opts: Opts,
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let opts = parse_opts(args)?;
    let root = alga_site_checks::repo_root();
    std::env::set_current_dir(&root)?;
    let bench = root.join("target/bench");
    std::fs::create_dir_all(&bench)?;
    let release = root.join("target/release");
    let ctx = Ctx {
        mdbook: root.join("target/tools/bin/mdbook"),
        alga: release.join("mdbook-alga"),
        passthrough: release.join("mdbook-passthrough"),
        alga_serve: release.join("alga-serve"),
        probe: release.join("alga-schema-probe"),
        root,
        bench,
        opts,
    };
    prepare(&ctx)?;
    let started = Instant::now();
    let mut rows = Vec::new();
    let o = &ctx.opts;
    if o.wants("overhead") {
        rows.extend(overhead(&ctx)?);
    }
    if o.wants("scale") {
        rows.extend(scale::run(&ctx)?);
    }
    if o.wants("serve") {
        rows.extend(serve(&ctx)?);
    }
    if o.wants("schema") {
        rows.extend(schemas::run(&ctx)?);
    }
    if o.wants("search") {
        rows.extend(search::run(&ctx)?);
    }
    if o.wants("parity") {
        rows.extend(parity::run(&ctx)?);
    }
    let mut report = format!(
        "## cargo xtask bench{}\n\n{} run(s) per measurement, median; ratio = ours / baseline; {} core(s); took {:.0} s.\n\n{}",
        if o.quick { " --quick" } else { "" },
        o.runs,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        started.elapsed().as_secs_f64(),
        table(&rows)
    );
    if o.cold && o.wants("cold") {
        let cold_rows = cold(&ctx)?;
        let _ = write!(
            report,
            "\n### Cold set-up (clean target dir)\n\n{}",
            table(&cold_rows)
        );
    }
    let with_test = o
        .only
        .as_ref()
        .is_some_and(|l| l.iter().any(|f| f == "fresh-test"));
    if o.cold && (o.wants("fresh") || with_test) {
        let fresh_rows = fresh::run(&ctx, with_test)?;
        let _ = write!(report, "\n### A fresh clone\n\n{}", table(&fresh_rows));
    }
    print!("{report}");
    std::fs::write(ctx.bench.join("report.md"), &report)?;
    eprintln!("bench: wrote {}", ctx.bench.join("report.md").display());
    Ok(())
}

/// Tools, the release preprocessor and the bench's own helper binaries.
fn prepare(ctx: &Ctx) -> Result<()> {
    // `cargo xtask bench` installed the tools and built the release
    // preprocessor and this crate's binaries before starting it.
    for p in [&ctx.mdbook, &ctx.alga, &ctx.passthrough, &ctx.probe] {
        if !p.is_file() {
            bail!("{} is missing after the build", p.display());
        }
    }
    Ok(())
}

/// Run a command; fail unless it succeeds.
pub use alga_site_checks::status as check;

/// The outcome of one measured process.
pub struct Measured {
    pub secs: f64,
    /// Peak resident set of the process and the children it waited for, in KiB.
    pub max_rss_kib: i64,
    pub success: bool,
    pub timed_out: bool,
    pub stderr: String,
}

/// Run `cmd` with stdin from a file (or nothing), stdout to a file (or
/// nowhere); wall time from spawn to exit, and the peak RSS from `wait4`.
pub fn measure(
    cmd: &mut Command,
    stdin: Option<&Path>,
    stdout: Option<&Path>,
    timeout: Option<Duration>,
) -> Result<Measured> {
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let err_path =
        std::env::temp_dir().join(format!("alga-bench-{}-{seq}.stderr", std::process::id()));
    let err_file = std::fs::File::create(&err_path)?;
    cmd.stdin(match stdin {
        Some(p) => Stdio::from(std::fs::File::open(p).with_context(|| p.display().to_string())?),
        None => Stdio::null(),
    });
    cmd.stdout(match stdout {
        Some(p) => Stdio::from(std::fs::File::create(p).with_context(|| p.display().to_string())?),
        None => Stdio::null(),
    });
    cmd.stderr(Stdio::from(err_file));
    let shown = format!("{cmd:?}");
    let start = Instant::now();
    let child = cmd.spawn().with_context(|| format!("cannot run {shown}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain old data; wait4 fills it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let mut timed_out = false;
    loop {
        let flags = if timeout.is_some() { libc::WNOHANG } else { 0 };
        // SAFETY: pid is our own child, not yet reaped; the out-pointers are valid.
        let r = unsafe { libc::wait4(pid, &mut status, flags, &mut ru) };
        if r == pid {
            break;
        }
        if r < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            bail!("wait4 on {shown}: {e}");
        }
        if let Some(t) = timeout
            && start.elapsed() > t
            && !timed_out
        {
            timed_out = true;
            // SAFETY: signalling our own unreaped child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let secs = start.elapsed().as_secs_f64();
    drop(child); // already reaped above
    let stderr = std::fs::read_to_string(&err_path).unwrap_or_default();
    let _ = std::fs::remove_file(&err_path);
    Ok(Measured {
        secs,
        max_rss_kib: ru.ru_maxrss,
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 && !timed_out,
        timed_out,
        stderr,
    })
}

/// `measure`, failing with the process's stderr when it fails.
pub fn measure_ok(
    cmd: &mut Command,
    stdin: Option<&Path>,
    stdout: Option<&Path>,
) -> Result<Measured> {
    let shown = format!("{cmd:?}");
    let m = measure(cmd, stdin, stdout, None)?;
    if !m.success {
        bail!("{shown} failed:\n{}", m.stderr);
    }
    Ok(m)
}

pub fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

pub fn ms(secs: f64) -> String {
    if secs >= 10.0 {
        format!("{secs:.1} s")
    } else if secs >= 0.1 {
        format!("{:.0} ms", secs * 1e3)
    } else {
        format!("{:.1} ms", secs * 1e3)
    }
}

pub fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from).with_context(|| from.display().to_string())? {
        let e = e?;
        let dest = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &dest)?;
        } else {
            std::fs::copy(e.path(), &dest)?;
        }
    }
    Ok(())
}

pub fn remove_dir(p: &Path) -> Result<()> {
    if p.exists() {
        std::fs::remove_dir_all(p).with_context(|| format!("removing {}", p.display()))?;
    }
    Ok(())
}

/// The repository's book.toml, as a table.
pub fn book_toml(root: &Path) -> Result<toml::Table> {
    let text = std::fs::read_to_string(root.join("book.toml"))?;
    text.parse::<toml::Table>().context("book.toml")
}

pub fn table_mut<'a>(t: &'a mut toml::Table, path: &[&str]) -> Result<&'a mut toml::Table> {
    let mut cur = t;
    for k in path {
        cur = cur
            .get_mut(*k)
            .and_then(toml::Value::as_table_mut)
            .with_context(|| format!("book.toml has no [{}]", path.join(".")))?;
    }
    Ok(cur)
}

/// A copy of the real book under `dir`: its own `src/`, links to the data,
/// and a book.toml without the Mermaid preprocessor and the `llms` output
/// (identical for every variant), whose upstream listing path is
/// absolute. The preprocessor command stays as wired; variants override it
/// with `MDBOOK_PREPROCESSOR__ALGA__COMMAND`.
pub fn real_book_copy(ctx: &Ctx, dir: &Path) -> Result<()> {
    remove_dir(dir)?;
    copy_dir(&ctx.root.join("src"), &dir.join("src"))?;
    for link in ["preprocessors", "data", "archive", "theme", "tutorial"] {
        std::os::unix::fs::symlink(ctx.root.join(link), dir.join(link))?;
    }
    let mut t = book_toml(&ctx.root)?;
    table_mut(&mut t, &["preprocessor"])?.remove("mermaid");
    table_mut(&mut t, &["output"])?.remove("llms");
    // The pass-through mounts no archive, and mdBook refuses a search setting
    // for chapters that do not exist; every variant indexes the archive alike.
    if let Ok(chapters) = table_mut(&mut t, &["output", "html", "search", "chapter"]) {
        chapters.remove("archive");
    }
    let alga = table_mut(&mut t, &["preprocessor", "alga"])?;
    alga.insert(
        "renderers".into(),
        toml::Value::Array(vec![toml::Value::String("html".into())]),
    );
    let up = table_mut(&mut t, &["preprocessor", "alga", "upstream"])?;
    if let Some(tree) = up.get("tree").and_then(toml::Value::as_str) {
        let abs = ctx.root.join(tree);
        up.insert("tree".into(), toml::Value::String(path_str(&abs)?));
    }
    std::fs::write(dir.join("book.toml"), toml::to_string(&t)?)?;
    Ok(())
}

pub fn path_str(p: &Path) -> Result<String> {
    p.to_str()
        .map(str::to_owned)
        .with_context(|| format!("non-UTF-8 path {}", p.display()))
}

const COMMAND_ENV: &str = "MDBOOK_PREPROCESSOR__ALGA__COMMAND";

/// A way to run the alga preprocessor slot in an `mdbook` build.
#[derive(Clone, Copy, PartialEq)]
enum Variant {
    Passthrough,
    /// The pass-through answering with the book `mdbook-alga` produced.
    Replay,
    Prebuilt,
    AsWired,
}

impl Variant {
    fn apply(self, ctx: &Ctx, cmd: &mut Command) -> Result<()> {
        match self {
            Variant::Passthrough => cmd
                .env(COMMAND_ENV, path_str(&ctx.passthrough)?)
                .env_remove("ALGA_BENCH_REPLAY"),
            Variant::Replay => cmd
                .env(COMMAND_ENV, path_str(&ctx.passthrough)?)
                .env("ALGA_BENCH_REPLAY", ctx.bench.join("real-book.alga.json")),
            Variant::Prebuilt => cmd.env(COMMAND_ENV, path_str(&ctx.alga)?),
            Variant::AsWired => cmd.env_remove(COMMAND_ENV),
        };
        Ok(())
    }
}

/// Figure 1: the preprocessor's overhead on the real book.
fn overhead(ctx: &Ctx) -> Result<Vec<Row>> {
    eprintln!("bench: 1. overhead on the real book");
    let dir = ctx.bench.join("real");
    real_book_copy(ctx, &dir)?;
    let out = dir.join("book");

    // The JSON mdBook sends the preprocessor, and what mdbook-alga makes of it.
    let json = ctx.bench.join("real-book.json");
    let mut cmd = Command::new(&ctx.mdbook);
    cmd.arg("build")
        .current_dir(&dir)
        .env(COMMAND_ENV, path_str(&ctx.passthrough)?)
        .env("ALGA_BENCH_DUMP", &json);
    measure_ok(&mut cmd, None, None)?;
    measure_ok(
        Command::new(&ctx.alga).current_dir(&dir),
        Some(&json),
        Some(&ctx.bench.join("real-book.alga.json")),
    )?;

    let variants = [
        Variant::Passthrough,
        Variant::Replay,
        Variant::Prebuilt,
        Variant::AsWired,
    ];
    let mut times: [Vec<f64>; 4] = Default::default();
    let mut pages = [0usize; 4];
    // One warm-up each (it also compiles the as-wired `cargo run` if needed),
    // then N interleaved runs.
    for round in 0..=ctx.opts.runs {
        for (i, v) in variants.iter().enumerate() {
            let mut cmd = Command::new(&ctx.mdbook);
            cmd.arg("build").current_dir(&dir);
            v.apply(ctx, &mut cmd)?;
            let m = measure_ok(&mut cmd, None, None)?;
            if round == 0 {
                // The output proves which preprocessor ran.
                let html = std::fs::read_to_string(out.join("reference/manifest.html"))
                    .context("the build wrote no reference/manifest.html")?;
                let raw = html.contains("{{#path");
                if raw != (*v == Variant::Passthrough) {
                    bail!("variant {i}: directives expanded = {}, unexpected", !raw);
                }
                pages[i] = count_html(&out);
            } else {
                times[i].push(m.secs);
            }
        }
    }
    let [pass, replay, pre, wired] = times.each_ref().map(|t| median(t));
    let (alone, alone_pass, _, _) = alone(ctx, &dir, &json, false)?;

    let own = (pre - replay) / pass;
    Ok(vec![
        Row::new(
            "1. real book, the preprocessor's own work in `mdbook build`: prebuilt `mdbook-alga` \
             minus the same build fed its output by the pass-through, vs the pass-through build",
        )
        .ours(ms(pre - replay))
        .baseline(ms(pass))
        .ratio(own)
        .target("adds ≤ 25% (≤ 0.25×)", own <= 0.25),
        Row::new(format!(
            "1. real book `mdbook build`, prebuilt `mdbook-alga` vs pass-through (whole build: \
             {} vs {} HTML pages, the archive and expanded tables included)",
            pages[2], pages[0]
        ))
        .ours(ms(pre))
        .baseline(ms(pass))
        .ratio(pre / pass),
        Row::new("1. real book `mdbook build`, pass-through fed `mdbook-alga`'s output vs pass-through (rendering the bigger book)")
            .ours(ms(replay))
            .baseline(ms(pass))
            .ratio(replay / pass),
        Row::new("1. real book `mdbook build`, as wired (`cargo run --release`) vs pass-through")
            .ours(ms(wired))
            .baseline(ms(pass))
            .ratio(wired / pass),
        Row::new("1. real book, preprocessor alone on the book JSON vs pass-through alone")
            .ours(ms(alone))
            .baseline(ms(alone_pass))
            .ratio(alone / alone_pass),
    ])
}

fn count_html(dir: &Path) -> usize {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return 0;
    };
    rd.filter_map(|e| e.ok())
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                count_html(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "html"))
            }
        })
        .sum()
}

/// Median seconds and peak RSS (KiB) of `mdbook-alga` and of the pass-through
/// on a captured book JSON, run from the book's root as mdBook runs them.
/// With `strict`, any diagnostic `mdbook-alga` prints fails the bench.
pub fn alone(
    ctx: &Ctx,
    book_dir: &Path,
    json: &Path,
    strict: bool,
) -> Result<(f64, f64, i64, i64)> {
    let out = ctx.bench.join("alone-out.json");
    let (mut ours, mut base) = (Vec::new(), Vec::new());
    let (mut rss, mut rss_base) = (0, 0);
    for round in 0..=ctx.opts.runs {
        let m = measure_ok(
            Command::new(&ctx.alga).current_dir(book_dir),
            Some(json),
            Some(&out),
        )?;
        if strict && !m.stderr.trim().is_empty() {
            bail!(
                "mdbook-alga reported problems on {}:\n{}",
                json.display(),
                m.stderr
            );
        }
        // The generated books mention no directive literally: each must be expanded.
        if strict && round == 0 {
            let text = std::fs::read_to_string(&out)?;
            if text.contains("{{#path") || text.contains("{{#table") {
                bail!(
                    "mdbook-alga left a directive unexpanded in {}",
                    json.display()
                );
            }
        }
        let b = measure_ok(
            Command::new(&ctx.passthrough).current_dir(book_dir),
            Some(json),
            Some(&out),
        )?;
        rss = rss.max(m.max_rss_kib);
        rss_base = rss_base.max(b.max_rss_kib);
        if round > 0 {
            ours.push(m.secs);
            base.push(b.secs);
        }
    }
    let _ = std::fs::remove_file(&out);
    Ok((median(&ours), median(&base), rss, rss_base))
}

/// A copy of the real book to serve for figure 3, outside the repository:
/// mdBook's watcher ignores what the book's `.gitignore` ignores, which
/// includes all of `target/`.
struct ServedBook {
    variant: Variant,
    dir: PathBuf,
    chapter: PathBuf,
    html: PathBuf,
    original: String,
    log: PathBuf,
    latencies: Vec<f64>,
}

impl ServedBook {
    fn new(ctx: &Ctx, variant: Variant, name: &str) -> Result<ServedBook> {
        let dir = std::env::temp_dir().join(format!("alga-bench-{name}-{}", std::process::id()));
        real_book_copy(ctx, &dir)?;
        // Without the extra watched folders, which mdBook's native watcher
        // turns into a rebuild loop from the start (see `alga_site_checks::serve`).
        let mut t = book_toml(&dir)?;
        table_mut(&mut t, &["build"])?.remove("extra-watch-dirs");
        std::fs::write(dir.join("book.toml"), toml::to_string(&t)?)?;
        let chapter = dir.join("src/getting-started/concepts.md");
        Ok(ServedBook {
            variant,
            original: std::fs::read_to_string(&chapter)?,
            html: dir.join("book/getting-started/concepts.html"),
            chapter,
            log: ctx.bench.join(format!("{name}.log")),
            dir,
            latencies: Vec::new(),
        })
    }

    /// Start the server, wait for its first build, save one edit and time
    /// it until the HTML shows it; then stop. One edit per server: after its
    /// first rebuild, mdBook 0.5.4's native watcher on Linux takes the
    /// build's own reads for changes and rebuilds in a loop, and a later edit
    /// would be timed against that loop, not against the watcher.
    fn time_one_edit(&mut self, ctx: &Ctx, server: Server, k: usize) -> Result<()> {
        remove_dir(&self.dir.join("book"))?;
        std::fs::write(&self.chapter, &self.original)?;
        let log_file = std::fs::File::create(&self.log)?;
        let port = free_port()?.to_string();
        let mut cmd = match server {
            Server::Mdbook(watcher) => {
                let mut cmd = Command::new(&ctx.mdbook);
                cmd.args([
                    "serve",
                    "--watcher",
                    watcher,
                    "-n",
                    "127.0.0.1",
                    "-p",
                    &port,
                ]);
                cmd
            }
            Server::AlgaServe => {
                let mut cmd = Command::new(&ctx.alga_serve);
                cmd.args(["-n", "127.0.0.1", "-p", &port, "-d", "book"]);
                cmd
            }
        };
        cmd.current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::from(log_file.try_clone()?))
            .stderr(Stdio::from(log_file));
        self.variant.apply(ctx, &mut cmd)?;
        let mut child = cmd.spawn().context("cannot start the server")?;
        let log = &self.log;
        let outcome = (|| -> Result<f64> {
            wait_for("the first build", Duration::from_secs(120), || {
                // mdBook's native watcher says "Listening", its polling one
                // "Watching", alga-serve "watching for saves".
                std::fs::read_to_string(log).is_ok_and(|t| {
                    t.contains("Listening for changes")
                        || t.contains("Watching for changes")
                        || t.contains("watching for saves")
                })
            })?;
            std::thread::sleep(Duration::from_millis(300));
            let marker = format!("benchmarker{k}x{}", self.variant as u8);
            std::fs::write(&self.chapter, format!("{}\n\n{marker}\n", self.original))?;
            let html = &self.html;
            let d = wait_for(
                &format!("{} to show the edit", html.display()),
                Duration::from_secs(60),
                || {
                    std::fs::read_to_string(html)
                        .map(|t| t.contains(&marker))
                        .unwrap_or(false)
                },
            )?;
            Ok(d.as_secs_f64())
        })();
        let _ = child.kill();
        let _ = child.wait();
        std::fs::write(&self.chapter, &self.original)?;
        let secs = outcome.map_err(|e| {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            e.context(format!("server log:\n{log}"))
        })?;
        self.latencies.push(secs);
        Ok(())
    }
}

impl Drop for ServedBook {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Which program serves the book in figure 3.
#[derive(Clone, Copy)]
enum Server {
    /// `mdbook serve --watcher W`.
    Mdbook(&'static str),
    /// `alga-serve`, what `cargo xtask serve` runs.
    AlgaServe,
}

/// Figure 3: from saving a chapter to its rebuilt HTML. First `mdbook serve`
/// with the native watcher (as the issue asks) and with the polling one,
/// each with the preprocessor against the pass-through; then `alga-serve`
/// (what `cargo xtask serve` runs) against `mdbook serve --watcher poll`
/// with the same preprocessor, which it replaced. Each edit gets a fresh
/// server; the two variants alternate (in alternating order), so drift in
/// the machine's load falls on both alike.
fn serve(ctx: &Ctx) -> Result<Vec<Row>> {
    eprintln!("bench: 3. serve loop");
    let edits = if ctx.opts.quick {
        2
    } else {
        (ctx.opts.runs * 2).max(10)
    };
    let mut rows = Vec::new();
    let timed = |a: (Variant, Server, &str), b: (Variant, Server, &str)| -> Result<(f64, f64)> {
        let mut books = [
            (ServedBook::new(ctx, a.0, a.2)?, a.1),
            (ServedBook::new(ctx, b.0, b.2)?, b.1),
        ];
        for k in 0..edits {
            for i in [k % 2, 1 - k % 2] {
                let (book, server) = &mut books[i];
                book.time_one_edit(ctx, *server, k)?;
            }
        }
        Ok((median(&books[0].0.latencies), median(&books[1].0.latencies)))
    };
    for (watcher, note) in [
        (
            "native",
            "mdBook 0.5.4 takes the build's own reads for edits here and rebuilds in a loop, \
             so both variants wait out a loop rebuild",
        ),
        (
            "poll",
            "a scan each second, so both include up to 1 s of waiting",
        ),
    ] {
        let (pass, ours) = timed(
            (Variant::Passthrough, Server::Mdbook(watcher), "serve-pass"),
            (Variant::Prebuilt, Server::Mdbook(watcher), "serve-alga"),
        )?;
        rows.push(
            Row::new(format!(
                "3. `mdbook serve --watcher {watcher}`: save → HTML updated, `mdbook-alga` vs \
                 pass-through (median of {edits} edits each, a fresh server per edit, interleaved; {note})"
            ))
            .ours(ms(ours))
            .baseline(ms(pass))
            .ratio(ours / pass)
            .target("≤ 1.25×", ours / pass <= 1.25),
        );
    }
    let (poll, ours) = timed(
        (Variant::Prebuilt, Server::Mdbook("poll"), "serve-poll"),
        (Variant::Prebuilt, Server::AlgaServe, "serve-own"),
    )?;
    rows.push(
        Row::new(format!(
            "3. `cargo xtask serve` (`alga-serve`: a watcher of saves only, the preprocessor in \
             process): save → HTML updated, vs `mdbook serve --watcher poll` with the prebuilt \
             preprocessor, which it replaced (median of {edits} edits each, interleaved)"
        ))
        .ours(ms(ours))
        .baseline(ms(poll))
        .ratio(ours / poll)
        .target("< 300 ms", ours < 0.300),
    );
    Ok(rows)
}

/// Figure 5: everything from a clean target dir (only with `--cold`).
fn cold(ctx: &Ctx) -> Result<Vec<Row>> {
    eprintln!("bench: 5. cold set-up (minutes)");
    let dir = ctx.bench.join("cold");
    remove_dir(&dir)?;
    std::fs::create_dir_all(&dir)?;
    let timed = |args: &[&str], target: &str| -> Result<f64> {
        let m = measure_ok(
            Command::new("cargo")
                .args(args)
                .env("CARGO_TARGET_DIR", dir.join(target)),
            None,
            None,
        )?;
        Ok(m.secs)
    };
    let install = |krate: &str, version: &str| -> Result<f64> {
        let root = dir.join("tools");
        timed(
            &[
                "install",
                "--locked",
                "--quiet",
                "--root",
                &path_str(&root)?,
                &format!("{krate}@{version}"),
            ],
            &format!("install-{krate}"),
        )
    };
    // The baseline: what any mdBook user pays, mdBook itself.
    let mdbook = install("mdbook", "0.5.4")?;
    let xtask = timed(&["build", "--locked", "-p", "xtask"], "xtask")?;
    let ours = timed(
        &["build", "--release", "--locked", "-p", "mdbook-alga"],
        "alga",
    )?;
    let serve = timed(
        &["build", "--release", "--locked", "-p", "alga-serve"],
        "serve",
    )?;
    let mermaid = install("mdbook-mermaid", "0.17.1")?;
    let total = xtask + serve;
    let base = |r: Row| r.baseline(format!("{} (`cargo install mdbook@0.5.4`)", ms(mdbook)));
    Ok(vec![
        base(Row::new("5. cold `cargo build --release --locked -p mdbook-alga` (the preprocessor alone, as plain `mdbook build` runs it)").ours(ms(ours)))
            .ratio(ours / mdbook),
        base(Row::new("5. cold `cargo build --locked -p xtask` (the task runner `cargo xtask` compiles first)").ours(ms(xtask)))
            .ratio(xtask / mdbook),
        base(Row::new("5. cold `cargo build --release --locked -p alga-serve` (mdBook's pipeline with the preprocessor linked in)").ours(ms(serve)))
            .ratio(serve / mdbook),
        base(Row::new("5. cold `cargo install --locked mdbook-mermaid@0.17.1` (only for plain `mdbook serve`; `cargo xtask serve` needs none)").ours(ms(mermaid)))
            .ratio(mermaid / mdbook),
        base(Row::new("5. what `cargo xtask serve` compiles from clean target dirs (xtask, then alga-serve)").ours(ms(total)))
            .ratio(total / mdbook),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_even_and_unsorted() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn options() {
        let o = parse_opts(&["--quick".into()]).unwrap();
        assert!(o.quick && !o.cold && o.runs == 2 && o.wants("serve"));
        let o = parse_opts(&[
            "--runs".into(),
            "5".into(),
            "--only".into(),
            "scale,schema".into(),
        ])
        .unwrap();
        assert_eq!(o.runs, 5);
        assert!(o.wants("scale") && !o.wants("overhead"));
        assert!(parse_opts(&["--only".into(), "nope".into()]).is_err());
        assert!(parse_opts(&["--runs".into(), "0".into()]).is_err());
        assert!(parse_opts(&["--fast".into()]).is_err());
    }

    #[test]
    fn measure_reports_exit_status_and_memory() {
        let ok = measure(Command::new("true").arg("x"), None, None, None).unwrap();
        assert!(ok.success && !ok.timed_out && ok.max_rss_kib > 0);
        let bad = measure(
            Command::new("sh").args(["-c", "echo oops >&2; exit 3"]),
            None,
            None,
            None,
        )
        .unwrap();
        assert!(!bad.success);
        assert_eq!(bad.stderr.trim(), "oops");
        let slow = measure(
            Command::new("sleep").arg("30"),
            None,
            None,
            Some(Duration::from_millis(50)),
        )
        .unwrap();
        assert!(slow.timed_out && !slow.success);
    }

    #[test]
    fn table_escapes_pipes() {
        let t = table(&[Row::new("a | b").ours("1").baseline("2").ratio(0.5)]);
        assert!(t.contains("| a \\| b | 1 | 2 | 0.50× | — | — |"), "{t}");
    }
}
