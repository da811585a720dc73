//! `alga-serve`: the book served while it is written, as `cargo xtask serve`
//! runs it. It replaces `mdbook serve` for three reasons:
//!
//! - **A watcher that reacts to saves only** ([`watch`]): mdBook 0.5.4's
//!   native watcher takes the build's own reads for edits and rebuilds in a
//!   loop, and its polling watcher notices a save only at its next scan.
//! - **An in-process build** ([`build`]): mdBook's own pipeline and HTML
//!   renderer, with the preprocessor linked in instead of started through
//!   `cargo run`.
//! - **The same live reload** ([`livereload`]): mdBook's page script, answered
//!   without an async runtime.
//!
//! A save of a Rust source (or a `Cargo.toml` or `Cargo.lock`) under a
//! watched folder (the preprocessor's own code) rebuilds this program and
//! restarts it.
//!
//! `alga-serve build` builds the site once, as it is published, and fails
//! on any error mdBook logs ([`log`]): the strict build of `cargo xtask
//! test` and `cargo xtask build`.

pub mod build;
pub mod livereload;
pub mod log;
pub mod mermaid;
pub mod watch;

use anyhow::{Context, Result, bail};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Serve the book, or build it once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Serve, rebuilding on every save.
    Serve,
    /// Build the site once, as published (`alga-serve build`).
    Build,
}

/// What to serve, and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// Serve, or build once.
    pub mode: Mode,
    /// The book's root (the folder with `book.toml`).
    pub root: PathBuf,
    /// The address to listen on.
    pub host: String,
    /// The port.
    pub port: u16,
    /// The build folder (`-d`); by default `book/` in the root.
    pub dest: Option<PathBuf>,
}

/// The usage text.
pub const USAGE: &str = "\
usage: alga-serve [-n HOST] [-p PORT] [-d DEST] [BOOK_ROOT]
       alga-serve build [-d DEST] [BOOK_ROOT]

Serve the book at BOOK_ROOT (default: the current folder) on http://HOST:PORT
(default localhost:3000), rebuild it on every save, and reload open pages.

`build` builds the site once into DEST (default: the book's build-dir), as it
is published, and fails if mdBook logs an error.
";

impl Options {
    /// Parse the arguments after the program name.
    pub fn parse(args: &[String]) -> Result<Options> {
        let mut o = Options {
            mode: Mode::Serve,
            root: PathBuf::from("."),
            host: "localhost".into(),
            port: 3000,
            dest: None,
        };
        let mut it = args.iter().peekable();
        if it.peek().is_some_and(|a| *a == "build") {
            it.next();
            o.mode = Mode::Build;
        }
        while let Some(a) = it.next() {
            let mut value = |flag: &str| {
                it.next()
                    .cloned()
                    .with_context(|| format!("`{flag}` needs a value\n\n{USAGE}"))
            };
            match a.as_str() {
                "-n" | "--hostname" | "-p" | "--port" if o.mode == Mode::Build => {
                    bail!(
                        "`{a}` is for serving; `build` takes only -d and the book root\n\n{USAGE}"
                    )
                }
                "-n" | "--hostname" => o.host = value(a)?,
                "-p" | "--port" => {
                    let v = value(a)?;
                    o.port = v
                        .parse()
                        .with_context(|| format!("`{v}` is not a port number"))?;
                }
                "-d" | "--dest-dir" => o.dest = Some(PathBuf::from(value(a)?)),
                s if s.starts_with('-') => bail!("unknown option `{s}`\n\n{USAGE}"),
                s => o.root = PathBuf::from(s),
            }
        }
        Ok(o)
    }
}

/// Whether a change is to this program's own sources, so that a rebuild of
/// the book would still run the old code.
pub fn needs_restart(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "rs")
        || path
            .file_name()
            .is_some_and(|n| n == "Cargo.toml" || n == "Cargo.lock")
}

/// Where a rebuild renders its search index, inside the build folder.
const SCRATCH: &str = "search-index";

/// The book's root and the build folder the options name.
fn root_and_dest(opts: &Options) -> Result<(PathBuf, Option<PathBuf>)> {
    let root = opts
        .root
        .canonicalize()
        .with_context(|| format!("no book at {}", opts.root.display()))?;
    let dest = match &opts.dest {
        Some(d) if d.is_absolute() => Some(d.clone()),
        Some(d) => Some(std::env::current_dir()?.join(d)),
        None => None,
    };
    Ok((root, dest))
}

/// Build the site once, as it is published (`alga-serve build`): the HTML
/// and the `llms` output. Fails when the build fails or mdBook logged an
/// error.
pub fn build_site(opts: &Options) -> Result<()> {
    let log = log::Log::install();
    let before = log.errors();
    let (root, dest) = root_and_dest(opts)?;
    let builder = build::Builder::for_site(&root, dest.as_deref());
    let start = Instant::now();
    let md = builder.html()?;
    builder.extras(&md)?;
    let errors = log.errors() - before;
    if errors > 0 {
        bail!(
            "mdBook logged {errors} error(s) (above); the build is not sound although it finished"
        );
    }
    eprintln!(
        "alga-serve: built the site into {} in {} ms",
        md.build_dir_for("html").display(),
        start.elapsed().as_millis()
    );
    Ok(())
}

/// Build, serve, and rebuild on every save until the process is stopped.
/// Returns only on an error; `restart` is called when the program's own
/// sources changed.
pub fn run(opts: &Options, restart: &dyn Fn() -> Result<()>) -> Result<()> {
    log::Log::install();
    let (root, dest) = root_and_dest(opts)?;
    let dest = dest.unwrap_or_else(|| root.join("book"));
    let builder = build::Builder::new(&root, Some(&dest));

    let start = Instant::now();
    let md = builder.html().context("the first build failed")?;
    eprintln!("alga-serve: built in {} ms", start.elapsed().as_millis());
    let html = md.build_dir_for("html");
    let mut watched = vec![md.source_dir(), root.join("book.toml")];
    let theme = md.theme_dir();
    if theme.is_dir() {
        watched.push(theme);
    }
    for d in &md.config.build.extra_watch_dirs {
        watched.push(root.join(d));
    }
    if let Err(e) = builder.extras(&md) {
        eprintln!("alga-serve: error: {e:#}");
    }

    let clients = livereload::Clients::default();
    let hook_clients = clients.clone();
    let listener = TcpListener::bind((opts.host.as_str(), opts.port))
        .with_context(|| format!("cannot listen on {}:{}", opts.host, opts.port))?;
    alga_site_checks::http::serve_dir_on(
        listener,
        &html,
        "/",
        Some(Arc::new(move |req, stream| {
            hook_clients.accept(req, stream)
        })),
    )?;
    let watch = watch::Watch::new(&watched, vec![dest.clone(), root.join("target")])?;
    eprintln!(
        "alga-serve: serving on http://{}:{}, watching for saves",
        opts.host, opts.port
    );

    while let Some(paths) = watch.next_batch() {
        if paths.iter().any(|p| needs_restart(p)) {
            eprintln!("alga-serve: the preprocessor's sources changed; rebuilding alga-serve");
            if let Err(e) = restart() {
                eprintln!("alga-serve: error: {e:#}; still serving the old build");
            }
            continue;
        }
        let start = Instant::now();
        match builder.html_quick() {
            Ok((md, index)) => {
                let told = clients.reload();
                eprintln!(
                    "alga-serve: rebuilt in {} ms ({}), {told} page(s) reloaded",
                    start.elapsed().as_millis(),
                    shown(&paths, &root)
                );
                let start = Instant::now();
                match index.finish(&dest.join(SCRATCH)) {
                    Ok(()) => eprintln!(
                        "alga-serve: search index rebuilt in {} ms",
                        start.elapsed().as_millis()
                    ),
                    Err(e) => eprintln!("alga-serve: error: {e:#}"),
                }
                if let Err(e) = builder.extras(&md) {
                    eprintln!("alga-serve: error: {e:#}");
                }
            }
            Err(e) => {
                eprintln!("alga-serve: error: {e:#}; the served pages are from the last good build")
            }
        }
    }
    bail!("the file watcher stopped")
}

fn shown(paths: &[PathBuf], root: &Path) -> String {
    let names: Vec<String> = paths
        .iter()
        .map(|p| p.strip_prefix(root).unwrap_or(p).display().to_string())
        .collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_take_mdbook_serves_flags() {
        let o = Options::parse(
            &["-n", "127.0.0.1", "-p", "4000", "-d", "/tmp/x", "b"].map(String::from),
        )
        .unwrap();
        assert_eq!((o.host.as_str(), o.port), ("127.0.0.1", 4000));
        assert_eq!(o.dest, Some(PathBuf::from("/tmp/x")));
        assert_eq!(o.root, PathBuf::from("b"));
        let e = Options::parse(&["--watcher".into(), "poll".into()]).unwrap_err();
        assert!(
            format!("{e:#}").starts_with("unknown option `--watcher`"),
            "{e:#}"
        );
        let e = Options::parse(&["-p".into(), "x".into()]).unwrap_err();
        assert_eq!(format!("{e}"), "`x` is not a port number");
        let o = Options::parse(&["build", "-d", "out", "b"].map(String::from)).unwrap();
        assert_eq!(o.mode, Mode::Build);
        assert_eq!(
            (o.dest, o.root),
            (Some(PathBuf::from("out")), PathBuf::from("b"))
        );
        assert_eq!(Options::parse(&[]).unwrap().mode, Mode::Serve);
        let e = Options::parse(&["build", "-p", "4000"].map(String::from)).unwrap_err();
        assert!(
            format!("{e}")
                .starts_with("`-p` is for serving; `build` takes only -d and the book root"),
            "{e}"
        );
    }

    #[test]
    fn only_code_changes_restart() {
        assert!(needs_restart(Path::new(
            "preprocessors/mdbook-alga/src/lint.rs"
        )));
        assert!(needs_restart(Path::new(
            "preprocessors/book-data/Cargo.toml"
        )));
        assert!(!needs_restart(Path::new("data/paths/runner.toml")));
        assert!(!needs_restart(Path::new("src/index.md")));
    }
}
