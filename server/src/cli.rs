//! The `prestasi-server` command line: `serve` and the admin commands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use prestasi_core::model::Role;

use crate::admin;
use crate::config::Limits;
use crate::generate;
use crate::state::AppState;
use crate::storage::Storage;
use crate::storage::sqlite::SqliteStorage;

#[derive(Debug, Parser)]
#[command(name = "prestasi-server", version, about = "Prestasi sync server and HR service")]
pub struct Cli {
    /// Where the embedded SQLite database lives.
    #[arg(long, global = true, env = "PRESTASI_DATA_DIR", default_value = "./prestasi-data")]
    pub data_dir: PathBuf,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server until SIGINT/SIGTERM.
    Serve {
        #[arg(long, env = "PRESTASI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
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
    /// Manage tenants (regional governments).
    #[command(subcommand)]
    Tenant(TenantCmd),
    /// Manage HR and admin users.
    #[command(subcommand)]
    User(UserCmd),
    /// Import employees.
    #[command(subcommand)]
    Employees(EmployeesCmd),
    /// Enroll, list and revoke devices.
    #[command(subcommand)]
    Device(DeviceCmd),
    /// Load generated HR data (units, employees, appraisals, feedback,
    /// training, HR inputs) into a tenant's merged view, for load tests and
    /// demos. Creates the tenant if needed; nothing is left for devices to
    /// sync. Default sizes: 200,000+ appraisals and 1,000,000 feedback.
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

#[derive(Debug, Subcommand)]
pub enum TenantCmd {
    Create {
        #[arg(long)]
        id: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UserRole {
    Hr,
    Admin,
}

#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// The password is read from PRESTASI_PASSWORD.
    Create {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        username: String,
        #[arg(long, value_enum, default_value = "hr")]
        role: UserRole,
        #[arg(long, env = "PRESTASI_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum EmployeesCmd {
    /// Import a SIASN-style CSV; rows with errors are listed and skipped.
    Import {
        #[arg(long)]
        tenant: String,
        file: PathBuf,
        /// Also write the row errors as CSV here.
        #[arg(long)]
        errors_csv: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum DeviceRole {
    Supervisor,
    Kiosk,
    Hr,
}

#[derive(Debug, Subcommand)]
pub enum DeviceCmd {
    /// Print a one-time enrollment code for a new device.
    Enroll {
        #[arg(long)]
        tenant: String,
        #[arg(long, value_enum)]
        role: DeviceRole,
        /// The person using it: a supervisor's NIP, an HR user name, a kiosk's name.
        #[arg(long)]
        user: String,
        /// Unit(s) served (repeat for several).
        #[arg(long = "unit")]
        units: Vec<String>,
    },
    List {
        #[arg(long)]
        tenant: String,
    },
    Revoke {
        #[arg(long)]
        id: String,
        #[arg(long)]
        reason: String,
    },
}

/// Run a parsed command line.
pub async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    if let Command::Demo { listen, fresh } = cli.command {
        // Before the database is opened: --fresh may delete it.
        let done = crate::demo::run(&cli.data_dir, listen, fresh, shutdown_signal()).await;
        return done.map_err(|e| e as Box<dyn std::error::Error>);
    }
    let storage: Arc<dyn Storage> = Arc::new(SqliteStorage::open(&cli.data_dir)?);
    match cli.command {
        Command::Serve { listen } => serve(storage, listen).await?,
        Command::Demo { .. } => {}
        Command::Tenant(TenantCmd::Create { id, name }) => {
            admin::create_tenant(storage.as_ref(), &id, &name)?;
            println!("tenant {id} created");
        }
        Command::User(UserCmd::Create { tenant, username, role, password }) => {
            let role = match role {
                UserRole::Hr => Role::Hr,
                UserRole::Admin => Role::Admin,
            };
            admin::create_user(storage.as_ref(), &tenant, &username, &password, role)?;
            println!("user {username} created in {tenant}");
        }
        Command::Employees(EmployeesCmd::Import { tenant, file, errors_csv }) => {
            let server = crate::state::server_identity(storage.as_ref())?;
            let f = std::fs::File::open(&file)?;
            let report = admin::import_employees(storage.as_ref(), &server, &tenant, f)?;
            println!(
                "{} employees and {} units imported, {} rows refused",
                report.employees,
                report.units,
                report.errors.len()
            );
            for e in &report.errors {
                println!("  row {}: {} {}: {}", e.row, e.nip.as_deref().unwrap_or("-"), e.field, e.reason);
            }
            if let Some(out) = errors_csv {
                std::fs::write(out, crate::import::errors_csv(&report.errors))?;
            }
        }
        Command::Device(DeviceCmd::Enroll { tenant, role, user, units }) => {
            let role = match role {
                DeviceRole::Supervisor => Role::Supervisor,
                DeviceRole::Kiosk => Role::Kiosk,
                DeviceRole::Hr => Role::Hr,
            };
            let code = admin::issue_enrollment(storage.as_ref(), &tenant, role, &user, &units)?;
            println!("{code}");
        }
        Command::Device(DeviceCmd::List { tenant }) => {
            for d in storage.devices(&tenant)? {
                let state = match &d.revoked_reason {
                    Some(r) => format!("revoked: {r}"),
                    None => "active".into(),
                };
                println!("{} {:?} {} units={} {}", d.id, d.role, d.user_id, d.units.join(","), state);
            }
        }
        Command::Device(DeviceCmd::Revoke { id, reason }) => {
            admin::revoke_device(storage.as_ref(), &id, &reason)?;
            println!("device {id} revoked");
        }
        Command::Generate { tenant, name, seed, employees, feedback, small } => {
            if storage.tenant(&tenant)?.is_none() {
                admin::create_tenant(storage.as_ref(), &tenant, name.as_deref().unwrap_or(&tenant))?;
                eprintln!("tenant {tenant} created");
            }
            let mut o = if small { generate::Options::small() } else { generate::Options::load_test() };
            o.seed = seed.unwrap_or(o.seed);
            o.employees = employees.unwrap_or(o.employees);
            o.feedback = feedback.unwrap_or(o.feedback);
            let started = std::time::Instant::now();
            let summary = generate::generate(storage.as_ref(), &tenant, &o, &mut |what, done, total| {
                if done == total || done % 50_000 == 0 {
                    eprintln!("{what} {done}/{total} ({:.1} s)", started.elapsed().as_secs_f64());
                }
            })?;
            println!("generated into {tenant} in {:.1} s: {summary}", started.elapsed().as_secs_f64());
        }
    }
    Ok(())
}

async fn serve(storage: Arc<dyn Storage>, listen: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let state = AppState::new(storage, Limits::default())?;
    let listener = tokio::net::TcpListener::bind(listen).await?;
    tracing::info!(addr = %listener.local_addr()?, "prestasi-server listening");
    crate::http::serve(listener, crate::router(state), shutdown_signal()).await?;
    tracing::info!("prestasi-server stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
