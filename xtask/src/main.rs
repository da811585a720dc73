//! `cargo xtask <task>`: everything a maintainer runs, with set-up included.
//! One module per task; what they share is in [`tools`].

mod bench;
mod citation_move;
mod coverage;
mod probes;
mod schema;
mod serve;
mod site_checks;
mod test;
mod tools;
mod tutorial;
mod upstream;

use anyhow::{Result, bail};

const HELP: &str = "cargo xtask <task>
  serve [-n HOST] [-p PORT] [-d DEST]
                     build `alga-serve` and serve the book on http://localhost:3000, rebuilding on save
  test               every check CI runs: fmt, clippy, docs, schema drift, tests, the quickstart, the strict build
                     twice (byte-identical), site checks
  build              the strict build: `alga-serve build` (warnings denied, any error mdBook logs fails it)
  setup              install mdBook and mdbook-mermaid into target/tools (for plain `mdbook`); copy Mermaid's assets
  schema [--check]   regenerate (or check) src/schemas/extension-manifest.v2.schema.json
  bench [--quick]    performance figures against their baselines (table in target/bench/report.md)
  upstream --checkout PATH --commit SHA [--dry-run]
                     move the pin: re-resolve every registry path, symbol and line citation at SHA,
                     rewrite them, the lock and the pin; queue for review the citations whose code changed
  upstream --lock [--checkout PATH]
                     record what every line citation cites (data/citations.lock)
  coverage [--checkout PATH] [--check]
                     extract the upstream surface the book must document (data/coverage/surface.toml)
  tutorial [--checkout PATH]
                     run the quickstart from its page (both tracks, as far as they go without an instance)
  tutorial --runner [--checkout PATH]
                     then build the Runner at the pin (once, cached) and send it the runtime probes of
                     data/probes/probes.toml in a loopback-only namespace; writes data/probes/results.toml
  site-checks        after a build: links, redirects, the book for assistants, serving, the browser test (screenshots in target/e2e/)
";

fn run(args: &[String]) -> Result<()> {
    let root = tools::repo_root();
    std::env::set_current_dir(&root)?;
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("serve") => serve::run(rest),
        Some("setup") => tools::setup(tools::Need::Mdbook),
        Some("build") => {
            tools::setup(tools::Need::Assets)?;
            tools::strict_build(None)
        }
        Some("site-checks") => site_checks::run(),
        Some("upstream") => upstream::run(rest, &root),
        Some("coverage") => coverage::run(rest, &root),
        Some("schema") => schema::run(rest.first().map(String::as_str) == Some("--check")),
        Some("test") => test::run(),
        Some("bench") => bench::run(rest),
        Some("tutorial") => tutorial::run(rest),
        Some(probes::INSIDE) => probes::inside(rest),
        Some("help" | "--help" | "-h") | None => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => bail!("unknown task `{other}`\n{HELP}"),
    }
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
