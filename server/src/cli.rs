//! The `prestasi-server` command line: `serve` and the admin commands.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};
use prestasi_core::model::Role;

use crate::admin;
use crate::config::Limits;
use crate::state::AppState;
use crate::storage::Storage;

#[derive(Debug, Parser)]
#[command(name = "prestasi-server", version, about = "Prestasi sync server and HR service")]
pub struct Cli {
    /// Where the embedded SQLite database lives (when no --database is given).
    #[arg(long, global = true, env = "PRESTASI_DATA_DIR", default_value = "./prestasi-data")]
    pub data_dir: PathBuf,
    /// A PostgreSQL database instead (`postgres://user@host:port/db`): any
    /// number of server processes may share it.
    #[arg(long, global = true, env = "PRESTASI_DATABASE_URL")]
    pub database: Option<String>,
    /// Settings from a TOML file, keys named as the long flags
    /// (`listen = "0.0.0.0:8080"`); flags and environment variables win.
    #[arg(long, global = true, env = "PRESTASI_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server until SIGINT/SIGTERM.
    Serve {
        #[arg(long, env = "PRESTASI_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Serve `GET /metrics` (Prometheus text) on this address, a listener
        /// of its own; without it there is no /metrics (docs/OPERATIONS.md).
        #[arg(long, env = "PRESTASI_METRICS_LISTEN")]
        metrics_listen: Option<SocketAddr>,
        /// Log lines as text, or as one JSON object a line.
        #[arg(long, env = "PRESTASI_LOG_FORMAT", value_enum, default_value_t = crate::logging::LogFormat::Text)]
        log_format: crate::logging::LogFormat,
        /// HTTPS, the public URL, trusted reverse proxies (`crate::public_url`).
        #[command(flatten)]
        transport: crate::public_url::TransportArgs,
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
    /// People's signing keys on tablets: person codes, revocation.
    #[command(subcommand)]
    Person(PersonCmd),
    /// Export and re-verify who signed each change of an appraisal.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// Sync by file: import a tablet's bundle, write a tablet's scope bundle.
    #[command(subcommand)]
    Bundle(BundleCmd),
    /// Copy the embedded database to FILE while the server serves
    /// (PostgreSQL: use pg_dump, see docs/DEPLOY.md).
    Backup {
        #[arg(long)]
        to: PathBuf,
    },
    /// Replace the embedded database with a backup (the server must be
    /// stopped). Devices then send again everything they hold.
    Restore {
        #[arg(long)]
        from: PathBuf,
    },
    /// Give the database a new storage epoch: every device sends again what
    /// it holds and pulls its scope anew. Run after restoring PostgreSQL.
    RenewEpoch,
}

#[derive(Debug, Subcommand)]
pub enum BundleCmd {
    /// Import a tablet's push bundle through the checks of a sync and write
    /// the receipt bundle to carry back to the tablet.
    Import {
        file: PathBuf,
        /// Where the receipt goes (default: beside FILE, `.receipt.prst`).
        #[arg(long)]
        receipt: Option<PathBuf>,
        /// The bundle a revoked tablet left when it wiped itself: imported
        /// through the same checks, and written into the device's audit
        /// trail (`device events`). Refused for a device not revoked.
        #[arg(long)]
        from_revoked: bool,
    },
    /// Spend an enrollment code for a tablet that has never been online:
    /// write its enrollment bundle (credentials and scope, sealed under the
    /// code, which the supervisor types on the tablet to open it).
    Enroll {
        /// The enrollment code (from `device enroll`).
        #[arg(long)]
        code: String,
        /// Where the tablet syncs once it has a network.
        #[arg(long)]
        server_url: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the scope bundle of an enrolled tablet (roster, HR's
    /// decisions, resolved conflicts) for a tablet that has not synced.
    Export {
        #[arg(long)]
        device: String,
        #[arg(long)]
        out: PathBuf,
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
    /// The password is read from PRESTASI_PASSWORD: at least 12 characters
    /// and not guessable (docs/SECURITY.md). The user name: 1–64 of a-z,
    /// 0-9, `.`, `_`, `-`.
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
    /// Give a user a temporary password (read from PRESTASI_PASSWORD) that
    /// they must change at their next login; every login of the user ends.
    ResetPassword {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        username: String,
        #[arg(long, env = "PRESTASI_PASSWORD", hide_env_values = true)]
        password: String,
    },
    /// End every login of a user (API tokens and web pages).
    RevokeSessions {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        username: String,
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
    /// A device's audit trail after its revocation: its wipe, imports of
    /// the bundles it left.
    Events {
        #[arg(long)]
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PersonCmd {
    /// Print a one-time person code that binds the key made at the
    /// person's next first sign-in on a tablet (valid 7 days, single use).
    Code {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        nip: String,
    },
    /// List a person's keys.
    Keys {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        nip: String,
    },
    /// Revoke every key of a person (staff left, PIN disclosed): their
    /// changes are refused from each tablet's next sync.
    Revoke {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        nip: String,
        #[arg(long)]
        reason: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCmd {
    /// Write the audit bundle of a document (as `GET /v1/hr/appraisals/{id}/audit`).
    Export {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        id: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Re-verify every change of a bundle offline (no database, no
    /// network); exits with status 1 if any signature does not hold.
    Verify {
        file: PathBuf,
        /// Also fail on unsigned changes (stored before signatures were
        /// required), e.g. for appraisals of periods that began after.
        #[arg(long)]
        strict: bool,
    },
    /// The tenant's login audit log, newest first: time, user name as
    /// typed, client address, way in, outcome.
    Logins {
        #[arg(long)]
        tenant: String,
        /// Rows at most.
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
}

/// Re-verify an audit bundle and print one line per change.
pub(crate) fn audit_verify(file: &std::path::Path, strict: bool) -> Result<(), Box<dyn std::error::Error>> {
    use prestasi_core::signing::audit::{AuditBundle, Verdict, verify_bundle};
    let bundle: AuditBundle = serde_json::from_slice(&std::fs::read(file)?)?;
    let lines = verify_bundle(&bundle)?;
    let mut bad = 0;
    for l in &lines {
        let at = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(l.time).map(|t| t.to_rfc3339());
        println!(
            "{} {} {} {}",
            &l.hash[..12.min(l.hash.len())],
            at.unwrap_or_default(),
            l.person.as_deref().unwrap_or("-"),
            l.verdict.label_id()
        );
        if matches!(l.verdict, Verdict::Invalid { .. }) {
            bad += 1;
        }
    }
    let unsigned = lines.iter().filter(|l| l.verdict == Verdict::Unsigned).count();
    println!(
        "{} changes: {} verified, {unsigned} unsigned (before signatures), {bad} invalid",
        lines.len(),
        lines.len() - unsigned - bad
    );
    if bad > 0 {
        return Err(format!("{bad} signatures do not hold").into());
    }
    if strict && unsigned > 0 {
        return Err(format!("{unsigned} changes are unsigned").into());
    }
    Ok(())
}

/// Run a parsed command line. Storage is blocking (and the PostgreSQL
/// client must not run on an async worker), so everything but the HTTP
/// server runs on a blocking thread.
pub async fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    if let Command::Audit(AuditCmd::Verify { file, strict }) = &cli.command {
        // Offline: no database is opened.
        return audit_verify(file, *strict);
    }
    if matches!(cli.command, Command::Backup { .. } | Command::Restore { .. }) {
        return tokio::task::spawn_blocking(move || file_command(cli).map_err(|e| e.to_string()))
            .await?
            .map_err(Into::into);
    }
    if let Command::Serve { listen, metrics_listen, transport, .. } = cli.command {
        // A certificate that does not load fails the start, before anything else.
        let tls = transport.tls().await?;
        let (dir, url) = (cli.data_dir, cli.database);
        // One server per embedded database; `restore` waits for it to stop.
        let _lock = match url {
            None => Some(crate::storage::sqlite::backup::lock_dir(&dir)?),
            Some(_) => None,
        };
        let state = tokio::task::spawn_blocking(move || -> Result<AppState, crate::storage::StorageError> {
            AppState::new(crate::storage::open(&dir, url.as_deref())?, Limits::default())
        })
        .await??;
        return serve(state, listen, metrics_listen, (transport, tls)).await;
    }
    tokio::task::spawn_blocking(move || admin_command(cli).map_err(|e| e.to_string())).await?.map_err(Into::into)
}

/// `backup` and `restore`: files of the embedded database, opened by
/// path rather than through the storage.
fn file_command(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    if cli.database.is_some() {
        return Err("PostgreSQL is backed up and restored with pg_dump / pg_restore (docs/DEPLOY.md); \
                    after a restore run `prestasi-server renew-epoch`"
            .into());
    }
    match cli.command {
        Command::Backup { to } => {
            let info = crate::backup::backup(&cli.data_dir, &to)?;
            println!("backup written to {} ({} bytes, schema {})", to.display(), info.bytes, info.schema);
        }
        Command::Restore { from } => {
            let r = crate::backup::restore(&cli.data_dir, &from)?;
            println!(
                "restored {} (schema {}); new storage epoch {}; the replaced database is in {}",
                from.display(),
                r.info.schema,
                r.epoch,
                r.aside.display()
            );
        }
        _ => {}
    }
    Ok(())
}

/// One admin command, on a blocking thread.
fn admin_command(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    let storage: Arc<dyn Storage> = crate::storage::open(&cli.data_dir, cli.database.as_deref())?;
    match cli.command {
        Command::Serve { .. } | Command::Backup { .. } | Command::Restore { .. } => {}
        Command::RenewEpoch => {
            let epoch = crate::backup::renew_epoch(storage.as_ref())?;
            println!("new storage epoch {epoch}: every device sends again what it holds at its next sync");
        }
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
        Command::User(UserCmd::ResetPassword { tenant, username, password }) => {
            let n = crate::login::reset_password(storage.as_ref(), &tenant, &username, &password)?;
            println!(
                "temporary password set for {username} in {tenant}: it must be changed at the next login; {n} logins ended"
            );
        }
        Command::User(UserCmd::RevokeSessions { tenant, username }) => {
            let n = crate::login::revoke_sessions(storage.as_ref(), &tenant, &username)?;
            println!("{n} logins of {username} in {tenant} ended");
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
                let state = match (&d.revoked_reason, d.wiped_at) {
                    (Some(r), Some(at)) => format!("revoked: {r}; wiped {}", millis_rfc3339(at)),
                    (Some(r), None) => format!("revoked: {r}"),
                    (None, _) => "active".into(),
                };
                println!("{} {:?} {} units={} {}", d.id, d.role, d.user_id, d.units.join(","), state);
            }
        }
        Command::Device(DeviceCmd::Revoke { id, reason }) => {
            admin::revoke_device(storage.as_ref(), &id, &reason)?;
            println!("device {id} revoked");
        }
        Command::Device(DeviceCmd::Events { id }) => {
            for e in storage.device_events(&id)? {
                println!("{} {} by {}: {}", millis_rfc3339(e.at), e.event, e.actor, e.detail);
            }
        }
        Command::Person(PersonCmd::Code { tenant, nip }) => {
            crate::people::check_employee(storage.as_ref(), &tenant, &nip)?;
            println!("{}", crate::people::issue_code(storage.as_ref(), &tenant, &nip, None, "cli")?);
        }
        Command::Person(PersonCmd::Keys { tenant, nip }) => {
            for k in crate::people::keys(storage.as_ref(), &tenant, Some(&nip))? {
                let state = k.revoked_reason.as_deref().map_or("active".to_string(), |r| format!("revoked: {r}"));
                println!("{} device={} {state}", prestasi_core::signing::hex(&k.public_key), k.device_id);
            }
        }
        Command::Person(PersonCmd::Revoke { tenant, nip, reason }) => {
            let n = crate::people::revoke_all(storage.as_ref(), &tenant, &nip, &reason)?;
            println!("{n} keys of {nip} revoked");
        }
        Command::Audit(AuditCmd::Export { tenant, id, out }) => {
            let id: prestasi_core::model::DocId = id.parse()?;
            let bundle = crate::signatures::audit_bundle(storage.as_ref(), &tenant, id)?
                .ok_or_else(|| format!("no document {id} in {tenant}"))?;
            std::fs::write(&out, serde_json::to_vec_pretty(&bundle)?)?;
            println!("{} signatures written to {}", bundle.signatures.len(), out.display());
        }
        Command::Audit(AuditCmd::Verify { .. }) => {}
        Command::Audit(AuditCmd::Logins { tenant, limit }) => {
            for e in storage.login_events(&tenant, None, limit)? {
                // User names as typed: shown escaped, one line each.
                println!(
                    "{} {} {:?} client={} via={}",
                    millis_rfc3339(e.at),
                    e.outcome.as_str(),
                    e.username,
                    e.client,
                    e.via.as_str()
                );
            }
        }
        Command::Bundle(BundleCmd::Import { file, receipt, from_revoked }) => {
            let bytes = std::fs::read(&file)?;
            let done = if from_revoked {
                crate::sync::bundle::import_from_revoked(storage.as_ref(), &Limits::default(), &bytes, None, "cli")
            } else {
                crate::sync::bundle::import(storage.as_ref(), &Limits::default(), &bytes, None)
            }
            .map_err(|e| format!("{} ({})", e, e.code()))?;
            let out = receipt.unwrap_or_else(|| file.with_extension("receipt.prst"));
            std::fs::write(&out, &done.receipt)?;
            println!(
                "bundle {} of device {}: {} documents accepted, {} refused; receipt written to {}",
                done.bundle_id,
                done.device.id,
                done.accepted,
                done.rejected,
                out.display()
            );
        }
        Command::Bundle(BundleCmd::Enroll { code, server_url, out }) => {
            let (file, device) =
                crate::sync::bundle::enrollment_bundle(storage.as_ref(), &Limits::default(), &code, &server_url)
                    .map_err(|e| format!("{} ({})", e, e.code()))?;
            std::fs::write(&out, &file)?;
            println!(
                "enrollment bundle of device {} ({}) written to {}; it opens with the code",
                device.id,
                device.user_id,
                out.display()
            );
        }
        Command::Bundle(BundleCmd::Export { device, out }) => {
            let file = crate::sync::bundle::export_scope(storage.as_ref(), &Limits::default(), &device, None)
                .map_err(|e| format!("{} ({})", e, e.code()))?;
            std::fs::write(&out, &file)?;
            println!("scope bundle of device {device} written to {} ({} bytes)", out.display(), file.len());
        }
    }
    Ok(())
}

fn millis_rfc3339(ms: i64) -> String {
    chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ms).map_or_else(|| ms.to_string(), |t| t.to_rfc3339())
}

async fn serve(
    state: AppState,
    listen: SocketAddr,
    metrics_listen: Option<SocketAddr>,
    (transport, tls): (crate::public_url::TransportArgs, Option<crate::tls::Tls>),
) -> Result<(), Box<dyn std::error::Error>> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let addr = listener.local_addr()?;
    tracing::info!(addr = %addr, tls = tls.is_some(), "prestasi-server listening");
    let state = state.with_public(transport.public(addr, tls.is_some()));
    crate::tls::reload_on_sighup(tls.clone())?;
    let metrics = match metrics_listen {
        Some(addr) => {
            let l = tokio::net::TcpListener::bind(addr).await?;
            tracing::info!(addr = %l.local_addr()?, "metrics listening (GET /metrics)");
            Some(l)
        }
        None => None,
    };
    crate::http::serve_all_tls(listener, state, metrics, tls, shutdown_signal()).await?;
    tracing::info!("prestasi-server stopped");
    Ok(())
}

/// Completes at SIGINT or SIGTERM (the developer tools wait on it too).
pub async fn shutdown_signal() {
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
