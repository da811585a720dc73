//! `mdbook-passthrough`: an mdBook preprocessor that does nothing. It parses
//! `[context, book]` from stdin with the same crate as `mdbook-alga` and
//! writes the book back, so it costs exactly the protocol: process start,
//! JSON in, JSON out. `cargo xtask bench` measures `mdbook-alga` against it.
//!
//! `ALGA_BENCH_DUMP=FILE` also writes the raw input to FILE (the book JSON as
//! mdBook sends it); with `ALGA_BENCH_DUMP_ONLY=1` it then fails on purpose,
//! which stops mdBook before any renderer runs. `ALGA_BENCH_REPLAY=FILE`
//! answers with FILE (a book `mdbook-alga` produced) instead of the input:
//! the same rendering work as with `mdbook-alga`, without its processing.
use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("supports") => ExitCode::SUCCESS,
        Some(other) => {
            eprintln!("mdbook-passthrough: error: unknown command `{other}`");
            ExitCode::from(2)
        }
        None => match pass_through() {
            Ok(code) => code,
            Err(e) => {
                eprintln!("mdbook-passthrough: error: {e:#}");
                ExitCode::FAILURE
            }
        },
    }
}

fn pass_through() -> anyhow::Result<ExitCode> {
    let mut input = Vec::new();
    std::io::stdin().lock().read_to_end(&mut input)?;
    if let Some(path) = std::env::var_os("ALGA_BENCH_DUMP") {
        std::fs::write(&path, &input)?;
        if std::env::var_os("ALGA_BENCH_DUMP_ONLY").is_some() {
            eprintln!("mdbook-passthrough: dumped the book JSON; stopping the build on purpose");
            return Ok(ExitCode::from(3));
        }
    }
    let (_ctx, book) = mdbook_preprocessor::parse_input(&input[..])?;
    let bytes = match std::env::var_os("ALGA_BENCH_REPLAY") {
        Some(path) => std::fs::read(&path)?,
        None => serde_json::to_vec(&book)?,
    };
    let mut out = std::io::stdout().lock();
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
