//! `mdbook-alga`: the book's preprocessor binary. All logic lives in the library.
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        // mdBook asks `supports <renderer>`; every renderer is supported.
        Some("supports") => ExitCode::SUCCESS,
        Some("schema-table") => mdbook_alga::cli::schema_table(&args[1..]),
        Some("check-manifest") => mdbook_alga::cli::check_manifest(&args[1..]),
        Some("render-llms") => mdbook_alga::cli::render_llms(),
        Some("--help" | "-h" | "help") => mdbook_alga::cli::help(),
        Some(other) => mdbook_alga::cli::unknown(other),
        None => mdbook_alga::cli::preprocess_stdin(),
    }
}
