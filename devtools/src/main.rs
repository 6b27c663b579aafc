//! `prestasi-devtools`: see `prestasi-devtools --help` and the README.

use clap::Parser;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            // As the server's: automerge logs an ERROR for every incremental
            // change whose dependencies are checked separately: noise.
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn,automerge=off".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match prestasi_devtools::cli::run(prestasi_devtools::cli::Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
