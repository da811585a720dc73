//! `alga-schema-probe FILE [RUNS]`: render a JSON Schema with mdbook-alga's
//! library RUNS times inside this process and print, as one JSON object, the
//! median milliseconds of parsing, of rendering (`render_schema` and
//! `to_markdown`) and the output size. Used by `cargo xtask bench`.
use std::process::ExitCode;
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: alga-schema-probe FILE [RUNS]");
        return ExitCode::from(2);
    };
    let runs: usize = args
        .get(1)
        .and_then(|r| r.parse().ok())
        .unwrap_or(20)
        .max(1);
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("alga-schema-probe: error: {path}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut parse, mut render) = (Vec::new(), Vec::new());
    let mut bytes = 0;
    let mut errors = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let value: serde_json::Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                eprintln!("alga-schema-probe: error: {path}: {e}");
                return ExitCode::FAILURE;
            }
        };
        parse.push(t.elapsed().as_secs_f64() * 1e3);
        let t = Instant::now();
        let (rendered, issues) = alga_schema_table::render_schema(&value, "", "schema", None);
        let md = match alga_schema_table::to_markdown(&rendered, None) {
            Ok(md) => md,
            Err(e) => {
                eprint!("{}", e.render());
                return ExitCode::FAILURE;
            }
        };
        render.push(t.elapsed().as_secs_f64() * 1e3);
        bytes = md.len();
        errors = issues
            .iter()
            .filter(|i| i.severity == alga_diagnostics::Severity::Error)
            .count();
    }
    println!(
        "{}",
        serde_json::json!({
            "parse_ms": median(parse),
            "render_ms": median(render),
            "bytes": bytes,
            "errors": errors,
        })
    );
    ExitCode::SUCCESS
}
