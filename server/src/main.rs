//! `prestasi-server`: see `prestasi-server --help` and the README.

use prestasi_server::cli::{Cli, Command};
use prestasi_server::logging::LogFormat;

fn main() -> std::process::ExitCode {
    // The command line first (over a config file's settings, if it names
    // one): it chooses how to log.
    let cli = match prestasi_server::config_file::parse(std::env::args_os().collect()) {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let format = match &cli.command {
        Command::Serve { log_format, .. } => *log_format,
        _ => LogFormat::Text,
    };
    // Few threads on purpose: every thread that allocates gets its own
    // malloc arena, and arenas keep freed memory. Blocking work is bounded
    // by `Limits::blocking_jobs` and `Limits::public_jobs` anyway; two
    // spare threads serve session lookups whatever the pools are doing, and
    // two the database checks of `/ready` and `/metrics` (one each at most).
    let limits = prestasi_server::config::Limits::default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(limits.blocking_jobs + limits.public_jobs + 4)
        .build();
    match runtime {
        Ok(rt) => rt.block_on(run(cli, format)),
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, format: LogFormat) -> std::process::ExitCode {
    // Inside the runtime, as before (nothing logs earlier).
    prestasi_server::logging::init(format);
    match prestasi_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
