//! The binary's commands: the mdBook protocol, and standalone tools.

use alga_book_data::source_file::SourceFile;
use alga_diagnostics::Diagnostic;
use alga_diagnostics::Diagnostics;
use mdbook_preprocessor::Preprocessor;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

const USAGE: &str = "usage:
  mdbook-alga                          run as an mdBook preprocessor (JSON on stdin)
  mdbook-alga supports <renderer>      mdBook's capability check (always yes)
  mdbook-alga schema-table FILE [PTR]  render a JSON Schema file as Markdown tables
  mdbook-alga check-manifest FILE...   validate manifest.json files against the book's schema
  mdbook-alga render-llms              run as an mdBook renderer: llms.txt and llms-full.md
";

/// Print the usage; success.
pub fn help() -> ExitCode {
    print!("{USAGE}");
    ExitCode::SUCCESS
}

/// Report an unknown command; failure.
pub fn unknown(arg: &str) -> ExitCode {
    eprintln!("mdbook-alga: error: unknown command `{arg}`\n{USAGE}");
    ExitCode::from(2)
}

/// Run as a renderer: the render context on stdin, `llms.txt` and
/// `llms-full.md` written beside the HTML site.
pub fn render_llms() -> ExitCode {
    let result = (|| -> anyhow::Result<()> {
        let ctx: serde_json::Value = serde_json::from_reader(std::io::stdin().lock())?;
        crate::llms::render(&ctx)
    })();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("mdbook-alga render-llms: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Read `[context, book]` from stdin, write the processed book to stdout.
/// Nothing is written to stdout unless the whole book succeeded.
pub fn preprocess_stdin() -> ExitCode {
    let result = (|| -> anyhow::Result<Vec<u8>> {
        let (ctx, book) = mdbook_preprocessor::parse_input(std::io::stdin().lock())?;
        let book = crate::AlgaPreprocessor.run(&ctx, book)?;
        Ok(serde_json::to_vec(&book)?)
    })();
    match result {
        Ok(bytes) => {
            let mut out = std::io::stdout().lock();
            if out.write_all(&bytes).and_then(|_| out.flush()).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("mdbook-alga: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn read_json(path: &str, diags: &mut Diagnostics) -> Option<(SourceFile, serde_json::Value)> {
    let file = match SourceFile::read(Path::new("."), Path::new(path)) {
        Ok(f) => f,
        Err(e) => {
            diags.push(Diagnostic::error(format!("cannot read: {e}")).in_file(path));
            return None;
        }
    };
    match serde_json::from_str(&file.text) {
        Ok(v) => Some((file, v)),
        Err(e) => {
            let at = alga_diagnostics::offset_of_line_col(&file.text, e.line(), e.column());
            diags.push(Diagnostic::error(format!("invalid JSON: {e}")).at(
                &file.display,
                &file.text,
                at..at + 1,
            ));
            None
        }
    }
}

fn finish(diags: &Diagnostics) -> ExitCode {
    eprint!("{}", diags.render(false));
    if diags.fails(false) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// `schema-table FILE [POINTER]`: Markdown on stdout, diagnostics on stderr.
pub fn schema_table(args: &[String]) -> ExitCode {
    let (path, pointer) = match args {
        [p] => (p.as_str(), ""),
        [p, ptr] => (p.as_str(), ptr.as_str()),
        _ => {
            eprintln!(
                "mdbook-alga: error: schema-table takes FILE and an optional JSON pointer\n{USAGE}"
            );
            return ExitCode::from(2);
        }
    };
    let mut diags = Diagnostics::default();
    let Some((file, value)) = read_json(path, &mut diags) else {
        return finish(&diags);
    };
    let prefix = Path::new(path)
        .file_stem()
        .map(|s| {
            s.to_string_lossy()
                .split('.')
                .next()
                .unwrap_or("schema")
                .to_owned()
        })
        .unwrap_or_default();
    let source = alga_schema_table::Source {
        file: &file.display,
        text: &file.text,
    };
    let (rendered, issues) =
        alga_schema_table::render_schema(&value, pointer, &prefix, Some(source));
    for i in issues {
        diags.push(i);
    }
    if diags.fails(false) {
        return finish(&diags);
    }
    let written = alga_schema_table::to_markdown(&rendered, None);
    // The process ends here: freeing a large schema's tree piece by piece
    // would take as long as parsing it did.
    std::mem::forget((value, rendered, file));
    match written {
        Ok(md) => {
            use std::io::Write;
            if let Err(e) = std::io::stdout().lock().write_all(md.as_bytes()) {
                eprintln!("mdbook-alga: error: cannot write the tables: {e}");
                return ExitCode::FAILURE;
            }
            finish(&diags)
        }
        Err(d) => {
            eprint!("{}", d.render());
            ExitCode::FAILURE
        }
    }
}

/// `check-manifest FILE...`: validate manifests against the book's schema.
pub fn check_manifest(args: &[String]) -> ExitCode {
    if args.is_empty() {
        eprintln!("mdbook-alga: error: check-manifest needs at least one FILE\n{USAGE}");
        return ExitCode::from(2);
    }
    let validator = crate::manifest_examples::ManifestValidator::new(&alga_manifest::schema())
        .expect("the built-in schema compiles");
    let mut diags = Diagnostics::default();
    for path in args {
        let Some((file, value)) = read_json(path, &mut diags) else {
            continue;
        };
        for (pointer, message) in validator.errors(&value) {
            let at = alga_schema_table::locate(&file.text, &pointer);
            diags.push(
                Diagnostic::error(format!(
                    "at `{}`: {message}",
                    if pointer.is_empty() { "/" } else { &pointer }
                ))
                .at(&file.display, &file.text, at..at + 1),
            );
        }
    }
    finish(&diags)
}
