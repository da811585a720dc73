//! `alga-serve`: see the library. This binary parses the arguments and, when
//! the preprocessor's sources change, rebuilds itself and starts again.
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{}", alga_serve::USAGE);
        return ExitCode::SUCCESS;
    }
    let opts = match alga_serve::Options::parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("alga-serve: error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let restart = || -> anyhow::Result<()> { restart(&args) };
    let outcome = match opts.mode {
        alga_serve::Mode::Build => alga_serve::build_site(&opts),
        alga_serve::Mode::Serve => alga_serve::run(&opts, &restart),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("alga-serve: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Rebuild this program with cargo, then replace this process with the new
/// one; returns only when either fails.
fn restart(args: &[String]) -> anyhow::Result<()> {
    let status = std::process::Command::new("cargo")
        .args([
            "build",
            "--quiet",
            "--release",
            "--locked",
            "-p",
            "alga-serve",
        ])
        .status()?;
    if !status.success() {
        anyhow::bail!("cargo build failed ({status})");
    }
    let exe = std::env::current_exe()?;
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        Err(std::process::Command::new(exe).args(args).exec().into())
    }
    #[cfg(not(unix))]
    {
        std::process::Command::new(exe).args(args).spawn()?;
        std::process::exit(0)
    }
}
