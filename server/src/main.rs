//! `prestasi-server`: see `prestasi-server --help` and the README.

use clap::Parser;

fn main() -> std::process::ExitCode {
    // Few threads on purpose: every thread that allocates gets its own
    // malloc arena, and arenas keep freed memory. Blocking work is bounded
    // by `Limits::blocking_jobs` and `Limits::public_jobs` anyway; the two
    // spare threads serve session lookups whatever the pools are doing.
    let limits = prestasi_server::config::Limits::default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(limits.blocking_jobs + limits.public_jobs + 2)
        .build();
    match runtime {
        Ok(rt) => rt.block_on(run()),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            // automerge logs an ERROR for every incremental change whose
            // dependencies are checked separately (Document::apply): noise.
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn,automerge=off".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match prestasi_server::cli::run(prestasi_server::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
