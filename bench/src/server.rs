//! The server under test: its database seeded before it starts (tenant,
//! roster, HR user, enrollment and person codes), then the real
//! `prestasi-server` binary as a child process on a free loopback port.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use prestasi_core::model::Role;
use prestasi_server::admin;

use crate::Error;
use crate::workload::Workload;

pub const TENANT: &str = "bench";
pub const HR_USER: &str = "hr";
pub const HR_PASSWORD: &str = "bench-kata-sandi";
/// The user of the HR device that verifies the run.
pub const HR_DEVICE_USER: &str = "hr-verifier";

/// Enrollment codes of one device entry's devices, and the person codes of
/// the people who sign in on its tablet.
#[derive(Debug, Clone)]
pub struct EntryCodes {
    /// The unit tablet, enrolled for its first appraiser; `None` if the
    /// entry has no appraisals. The enrollment brings that person's code.
    pub tablet: Option<String>,
    /// The unit's kiosk; `None` if the entry has no feedback.
    pub kiosk: Option<String>,
    /// Appraiser NIP → the one-time person code HR issued them, that binds
    /// the key they make at their first sign-in on this entry's tablet: one
    /// for every appraiser of the entry but the tablet's enrolled user.
    pub people: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct Codes {
    /// One per device entry, in file order.
    pub entries: Vec<EntryCodes>,
    pub hr: String,
}

/// The kiosk's user name for `unit`.
pub fn kiosk_user(unit: &str) -> String {
    format!("kiosk-{unit}")
}

/// The units a device entry's tablet serves: the entry's own and those of
/// its appraisals (normally the same one).
pub fn tablet_units(entry: &crate::workload::DeviceEntry) -> Vec<String> {
    let mut units = vec![entry.unit_id.clone()];
    for a in &entry.appraisals {
        if !units.contains(&a.unit_id) {
            units.push(a.unit_id.clone());
        }
    }
    units
}

/// Create the tenant, import every employee of `workload` (and each unit
/// tablet's supervisor), add an HR user and issue every enrollment code and
/// every person code the tablets need, directly in the database under
/// `data_dir` — before the server runs.
pub fn seed(data_dir: &Path, database: Option<&str>, workload: &Workload) -> Result<Codes, Error> {
    let storage = prestasi_server::storage::open(data_dir, database)?;
    let storage = storage.as_ref();
    // Mark the new database as holding this build's merged view (what the
    // seeding writes is projected by it), as the server does at start:
    // otherwise the server's start re-projects every seeded document.
    prestasi_server::sync::reproject::reproject_if_stale(storage)?;
    let server = prestasi_server::state::server_identity(storage)?;
    admin::create_tenant(storage, TENANT, "Pemerintah Benchmark")?;
    let report = admin::import_employees(storage, &server, TENANT, roster_csv(workload).as_bytes())?;
    if let Some(e) = report.errors.first() {
        return Err(format!(
            "{} roster rows refused by the import, first: row {} NIP {} {}: {}",
            report.errors.len(),
            e.row,
            e.nip.as_deref().unwrap_or("-"),
            e.field,
            e.reason
        )
        .into());
    }
    admin::create_user(storage, TENANT, HR_USER, HR_PASSWORD, Role::Hr)?;
    let mut entries = Vec::with_capacity(workload.devices.len());
    for d in &workload.devices {
        let enrolled = d.appraisals.first().map(|a| a.appraiser_nip.as_str());
        let tablet = match enrolled {
            Some(user) => Some(admin::issue_enrollment(storage, TENANT, Role::Supervisor, user, &tablet_units(d))?),
            None => None,
        };
        let mut people = BTreeMap::new();
        for a in &d.appraisals {
            if Some(a.appraiser_nip.as_str()) != enrolled && !people.contains_key(&a.appraiser_nip) {
                let code = prestasi_server::people::issue_code(storage, TENANT, &a.appraiser_nip, None, HR_USER)?;
                people.insert(a.appraiser_nip.clone(), code);
            }
        }
        let kiosk = if d.feedback.is_empty() {
            None
        } else {
            let unit = std::slice::from_ref(&d.unit_id);
            Some(admin::issue_enrollment(storage, TENANT, Role::Kiosk, &kiosk_user(&d.unit_id), unit)?)
        };
        entries.push(EntryCodes { tablet, kiosk, people });
    }
    let hr = admin::issue_enrollment(storage, TENANT, Role::Hr, HR_DEVICE_USER, &[])?;
    Ok(Codes { entries, hr })
}

/// The SIASN-style roster: every appraised employee as pelaksana of the
/// appraisal's unit, and each tablet's enrolled supervisor as pengawas of
/// the entry's unit (unless already listed). NIP_ATASAN is the employee's
/// appraiser (the server takes the appraiser of a new appraisal from it, and
/// the reviewer from the appraiser's own NIP_ATASAN): empty for anyone the
/// file does not appraise, so their appraisals have no reviewer.
pub fn roster_csv(workload: &Workload) -> String {
    let superiors = workload.superiors();
    let mut out =
        String::from("NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;NIP_ATASAN\n");
    let mut listed = BTreeSet::new();
    let mut row = |nip: &str, unit: &str, kind: &str, title: &str| {
        if !listed.insert(nip.to_string()) {
            return;
        }
        let name = format!("Pegawai {}", listed.len());
        let superior = superiors.of(nip).unwrap_or_default();
        let cells = [nip, &name, unit, &format!("Unit {unit}"), TENANT, "Pemerintah Benchmark", kind, title, superior];
        out.push_str(&cells.iter().map(|c| cell(c)).collect::<Vec<_>>().join(";"));
        out.push('\n');
    };
    for d in &workload.devices {
        for a in &d.appraisals {
            row(&a.employee_nip, &a.unit_id, "pelaksana", "Pelaksana");
        }
    }
    for d in &workload.devices {
        if let Some(a) = d.appraisals.first() {
            row(&a.appraiser_nip, &d.unit_id, "pengawas", "Kepala Subbagian");
        }
    }
    out
}

fn cell(value: &str) -> String {
    if value.contains([';', ',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into()
    }
}

/// `prestasi-server` running as a child process.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    pub pid: u32,
    pub url: String,
    pub log: PathBuf,
    stopped: bool,
}

impl ServerProcess {
    /// Start `bin --data-dir data_dir [--database url] serve` on a free port
    /// and wait until it accepts connections. Its output goes to `log`.
    pub fn start(bin: &Path, data_dir: &Path, database: Option<&str>, log: &Path) -> Result<Self, Error> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let out = File::create(log)?;
        let err = out.try_clone()?;
        let mut cmd = Command::new(bin);
        cmd.arg("--data-dir").arg(data_dir);
        if let Some(url) = database {
            cmd.arg("--database").arg(url);
        }
        let child = cmd
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let mut server =
            Self { pid: child.id(), child, url: format!("http://127.0.0.1:{port}"), log: log.into(), stopped: false };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Some(status) = server.child.try_wait()? {
                server.stopped = true;
                return Err(format!("prestasi-server exited at start ({status}); see {}", log.display()).into());
            }
            if Instant::now() > deadline {
                return Err(format!("prestasi-server did not listen on port {port} within 30 s").into());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(server)
    }

    /// SIGTERM, then wait for the graceful shutdown (SIGKILL after 30 s).
    pub fn stop(&mut self) -> Result<(), Error> {
        if self.stopped {
            return Ok(());
        }
        self.stopped = true;
        let sent = Command::new("kill").args(["-TERM", &self.pid.to_string()]).status();
        if sent.map(|s| s.success()).unwrap_or(false) {
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Some(status) = self.child.try_wait()? {
                    return if status.success() {
                        Ok(())
                    } else {
                        Err(format!("prestasi-server stopped with {status}; see {}", self.log.display()).into())
                    };
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.child.kill()?;
        self.child.wait()?;
        Err("prestasi-server did not stop within 30 s of SIGTERM; killed".into())
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.stop();
    }
}

#[cfg(test)]
mod tests {
    use prestasi_server::storage::Storage;

    use super::*;
    use crate::workload::{Shape, generate};

    fn workload() -> Workload {
        generate(Shape { devices: 2, appraisals: 3, feedback: 1, seed: 5 })
    }

    #[test]
    fn the_roster_makes_each_appraiser_the_employees_superior() {
        let w = workload();
        let csv = roster_csv(&w);
        let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(';').collect()).collect();
        assert_eq!(rows.len(), 2 * 3 + 2, "six employees and two tablet supervisors");
        for a in w.devices.iter().flat_map(|d| &d.appraisals) {
            let row = rows.iter().find(|r| r[0] == a.employee_nip).unwrap();
            assert_eq!(row[8], a.appraiser_nip);
        }
        for d in &w.devices {
            let boss = rows.iter().find(|r| r[0] == d.appraisals[0].appraiser_nip).unwrap();
            assert_eq!((boss[6], boss[8]), ("pengawas", ""), "no superior: their appraisals have no reviewer");
        }
    }

    #[test]
    fn seeding_imports_the_superiors_and_issues_a_person_code_per_other_appraiser() {
        let w = workload();
        let dir = tempfile::tempdir().unwrap();
        let codes = seed(dir.path(), None, &w).unwrap();
        for (d, c) in w.devices.iter().zip(&codes.entries) {
            assert!(c.tablet.is_some() && c.kiosk.is_some());
            let others: BTreeSet<&String> = d.appraisals.iter().skip(1).map(|a| &a.appraiser_nip).collect();
            assert_eq!(c.people.keys().collect::<BTreeSet<_>>(), others);
            assert!(!c.people.contains_key(&d.appraisals[0].appraiser_nip), "the enrollment brings theirs");
        }
        let storage = prestasi_server::storage::sqlite::SqliteStorage::open(dir.path()).unwrap();
        for a in w.devices.iter().flat_map(|d| &d.appraisals) {
            let mut superior = None;
            storage
                .read(&mut |l| {
                    superior = l.employee(TENANT, &a.employee_nip)?.and_then(|e| e.superior_nip);
                    Ok(())
                })
                .unwrap();
            assert_eq!(superior.as_deref(), Some(a.appraiser_nip.as_str()));
        }
    }
}
