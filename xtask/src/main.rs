//! `cargo xtask <task>`: everything a maintainer runs, with set-up included.
mod bench;
mod citation_move;
mod coverage;
mod e2e;
mod http;
mod llms_check;
mod redirects;
mod serve;
mod tasks;
mod upstream;
mod webdriver;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match tasks::run(&args) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
