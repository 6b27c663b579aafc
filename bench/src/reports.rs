//! `prestasi-bench reports`: how fast every HR report answers over a large
//! merged view (the 200,000 appraisals and 1,000,000 feedback).
//!
//! The data is made once by `prestasi-devtools generate` (the binary
//! beside the server's) into `--data-dir` (it is kept: generating takes
//! minutes, measuring seconds). The real server binary then serves it; an HR officer logs in and each report is
//! requested `--repeat` times as JSON and as CSV over loopback HTTP. The
//! table shows the slowest and the median answer per report and its size.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::Error;
use crate::server::ServerProcess;

pub const TENANT: &str = "load";
const HR_PASSWORD: &str = "bench-kata-sandi";

/// Every report of the HR API, as its path with parameters.
const REPORTS: &[&str] = &[
    "/v1/hr/reports/completion?period=2026-S2",
    "/v1/hr/reports/appraisals?period=2026-S1",
    "/v1/hr/reports/appraisals?period=2026-S1&unit=unit-0001",
    "/v1/hr/reports/distribution?period=2026-S1",
    "/v1/hr/reports/appraisers?period=2026-S1",
    "/v1/hr/reports/skm?period=2026-S1",
    "/v1/hr/reports/skm?period=2026",
    "/v1/hr/reports/skm/waiting?period=2026-S2",
    "/v1/hr/reports/skm/comments?period=2026-S2&unit=unit-0001",
    "/v1/hr/reports/development?year=2026",
    "/v1/hr/reports/development?year=2026&below=true",
    "/v1/hr/reports/mentoring",
    "/v1/hr/reports/talent?year=2026",
    "/v1/hr/reports/succession?year=2026",
    "/v1/hr/reports/promotion?as_of=2026-12-31",
    "/v1/hr/reports/credits?year=2026",
    "/v1/hr/reports/allowances?period=2026-S1",
    "/v1/hr/reports/recognition?period=2026-S1",
    "/v1/hr/exports/ekinerja?period=2026-S1",
];

#[derive(Debug)]
pub struct Timing {
    pub path: String,
    pub slowest: Duration,
    pub median: Duration,
    pub bytes: usize,
}

/// The generator: `prestasi-devtools`, beside the server binary.
fn devtools_bin(server_bin: &Path) -> Result<std::path::PathBuf, Error> {
    let bin = server_bin.with_file_name("prestasi-devtools");
    if !bin.is_file() {
        return Err(format!(
            "no generator at {}: build it beside the server (cargo build --release -p prestasi-devtools)",
            bin.display()
        )
        .into());
    }
    Ok(bin)
}

/// A command on the bench's database (`--data-dir`, and `--database` if given).
fn on_database(bin: &Path, data_dir: &Path, database: Option<&str>) -> std::process::Command {
    let mut cmd = std::process::Command::new(bin);
    cmd.arg("--data-dir").arg(data_dir);
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    cmd
}

/// Generate the data if the database has none, serve it, time every report.
pub fn run(server_bin: &Path, data_dir: &Path, database: Option<&str>, repeat: usize) -> Result<Vec<Timing>, Error> {
    let generated = prestasi_server::storage::open(data_dir, database)?.tenant(TENANT)?.is_some();
    if !generated {
        let generator = devtools_bin(server_bin)?;
        eprintln!("generating the load-test data (takes minutes)…");
        let status = on_database(&generator, data_dir, database)
            .args(["generate", "--tenant", TENANT, "--name", "Kabupaten Uji Beban"])
            .status()?;
        if !status.success() {
            return Err(format!("prestasi-devtools generate failed ({status})").into());
        }
        let status = on_database(server_bin, data_dir, database)
            .args(["user", "create", "--tenant", TENANT, "--username", "hr", "--role", "hr"])
            .env("PRESTASI_PASSWORD", HR_PASSWORD)
            .status()?;
        if !status.success() {
            return Err(format!("prestasi-server user create failed ({status})").into());
        }
    }
    let mut server = ServerProcess::start(server_bin, data_dir, database, &data_dir.join("bench-server.log"))?;
    let result = measure(&server.url, repeat.max(1));
    server.stop()?;
    result
}

fn measure(url: &str, repeat: usize) -> Result<Vec<Timing>, Error> {
    let http = reqwest::blocking::Client::builder().timeout(Duration::from_secs(120)).build()?;
    let login = serde_json::json!({ "tenant": TENANT, "username": "hr", "password": HR_PASSWORD });
    let body = http
        .post(format!("{url}/v1/login"))
        .body(login.to_string())
        .header("content-type", "application/json")
        .send()?
        .text()?;
    let token: serde_json::Value = serde_json::from_str(&body)?;
    let token = token.get("token").and_then(|t| t.as_str()).ok_or("login failed")?.to_string();
    let mut out = Vec::new();
    for path in REPORTS {
        for format in ["json", "csv"] {
            let full = format!("{path}{}format={format}", if path.contains('?') { '&' } else { '?' });
            let mut times = Vec::with_capacity(repeat);
            let mut bytes = 0;
            for _ in 0..repeat {
                let start = Instant::now();
                let res = http.get(format!("{url}{full}")).bearer_auth(&token).send()?;
                let status = res.status();
                let body = res.bytes()?;
                times.push(start.elapsed());
                if !status.is_success() {
                    return Err(format!("GET {full}: {status}: {}", String::from_utf8_lossy(&body)).into());
                }
                bytes = body.len();
            }
            times.sort();
            let median = times.get(times.len() / 2).copied().unwrap_or_default();
            let slowest = times.last().copied().unwrap_or_default();
            out.push(Timing { path: full, slowest, median, bytes });
        }
    }
    Ok(out)
}

pub fn table(rows: &[Timing]) -> String {
    let mut s = format!("{:<72} {:>10} {:>10} {:>12}\n", "report", "median ms", "max ms", "bytes");
    for r in rows {
        s.push_str(&format!(
            "{:<72} {:>10.0} {:>10.0} {:>12}\n",
            r.path,
            r.median.as_secs_f64() * 1000.0,
            r.slowest.as_secs_f64() * 1000.0,
            r.bytes
        ));
    }
    s
}
