//! The `prestasi-devtools` command line: `demo` and `generate`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};
use prestasi_server::admin;

use crate::{demo, generate};

#[derive(Debug, Parser)]
#[command(name = "prestasi-devtools", version, about = "Prestasi developer tools: the demo and the data generator")]
pub struct Cli {
    /// Where the embedded SQLite database lives (when no --database is given).
    #[arg(long, global = true, env = "PRESTASI_DATA_DIR", default_value = "./prestasi-data")]
    pub data_dir: PathBuf,
    /// A PostgreSQL database instead (`postgres://user@host:port/db`).
    #[arg(long, global = true, env = "PRESTASI_DATABASE_URL")]
    pub database: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the demo: on first start (or with --fresh) seed the tenant
    /// `demo`, a regency of ~300 employees whose appraisals and citizen
    /// feedback simulated tablets and kiosks sync over HTTP, then serve
    /// until SIGINT/SIGTERM. Prints the HR login.
    Demo {
        #[arg(long, env = "PRESTASI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed again from scratch: deletes the database and the demo's
        /// device stores in --data-dir first (refused if the database
        /// holds other tenants).
        #[arg(long)]
        fresh: bool,
    },
    /// Load generated HR data (units, employees, appraisals, feedback,
    /// training, HR inputs) into a tenant through the server's bulk write
    /// path: real documents, checked like every write, dated over the
    /// periods. Creates the tenant if needed. Default sizes: 200,000+
    /// appraisals and 1,000,000 feedback.
    Generate {
        #[arg(long)]
        tenant: String,
        /// Name of the tenant, if it is created (default: its id).
        #[arg(long)]
        name: Option<String>,
        /// The same seed gives the same data.
        #[arg(long)]
        seed: Option<u64>,
        #[arg(long)]
        employees: Option<u32>,
        #[arg(long)]
        feedback: Option<u32>,
        /// The small test data set (300 employees, 3,000 feedback).
        #[arg(long)]
        small: bool,
    },
}

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Run a parsed command line.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Demo { listen, fresh } => {
            // Like `prestasi-server serve`: few blocking threads on purpose
            // (see the server's `main`).
            let limits = prestasi_server::config::Limits::default();
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .max_blocking_threads(limits.blocking_jobs + limits.public_jobs + 2)
                .build()?;
            rt.block_on(demo::run(
                &cli.data_dir,
                cli.database.as_deref(),
                listen,
                fresh,
                prestasi_server::cli::shutdown_signal(),
            ))
        }
        Command::Generate { tenant, name, seed, employees, feedback, small } => {
            let storage = prestasi_server::storage::open(&cli.data_dir, cli.database.as_deref())?;
            if storage.tenant(&tenant)?.is_none() {
                admin::create_tenant(storage.as_ref(), &tenant, name.as_deref().unwrap_or(&tenant))?;
                eprintln!("tenant {tenant} created");
            }
            let mut o = if small { generate::Options::small() } else { generate::Options::load_test() };
            o.seed = seed.unwrap_or(o.seed);
            o.employees = employees.unwrap_or(o.employees);
            o.feedback = feedback.unwrap_or(o.feedback);
            let started = Instant::now();
            let mut kind_started = started;
            let summary = generate::generate(storage.as_ref(), &tenant, &o, &mut |what, done, total| {
                if done == 0 {
                    kind_started = Instant::now();
                }
                if done == total || (done > 0 && done % 10_000 == 0) {
                    let secs = kind_started.elapsed().as_secs_f64();
                    let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
                    eprintln!(
                        "{what} {done}/{total} ({:.1} s, {rate:.0}/s; {:.1} s in all)",
                        secs,
                        started.elapsed().as_secs_f64()
                    );
                }
            })?;
            println!("generated into {tenant} in {:.1} s: {summary}", started.elapsed().as_secs_f64());
            Ok(())
        }
    }
}
