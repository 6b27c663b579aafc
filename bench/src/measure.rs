//! Readings of the server process and its files (Linux `/proc`).

use std::path::Path;
use std::process::Command;

use crate::Error;

/// Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`,
/// 100 if that cannot be run).
pub fn clock_ticks_per_second() -> u64 {
    Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|&t| t > 0)
        .unwrap_or(100)
}

/// CPU time used so far by process `pid`, user + system, in clock ticks.
pub fn cpu_ticks(pid: u32) -> Result<u64, Error> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))?;
    parse_cpu_ticks(&stat).ok_or_else(|| format!("cannot read utime/stime in /proc/{pid}/stat").into())
}

/// `utime + stime` (fields 14 and 15) of a `/proc/<pid>/stat` line. The
/// command name (field 2) may hold spaces and parentheses, so fields are
/// counted after its last `)`.
fn parse_cpu_ticks(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    // rest: " S ppid …": field 3 is the first.
    let mut fields = rest.split_whitespace().skip(14 - 3);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// CPU ticks of several processes together (the server instances).
pub fn cpu_ticks_of(pids: &[u32]) -> Result<u64, Error> {
    pids.iter().map(|p| cpu_ticks(*p)).sum()
}

/// Peak resident set size of `pid` (`VmHWM`), in bytes.
pub fn peak_rss_bytes(pid: u32) -> Result<u64, Error> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_vm_hwm(&status).ok_or_else(|| format!("no VmHWM in /proc/{pid}/status").into())
}

fn parse_vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find_map(|l| l.strip_prefix("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().next()?.parse().ok()?;
    Some(kb * 1024)
}

/// Size of the server database: the PostgreSQL database at `url`, or
/// `prestasi.db` plus its WAL under `data_dir`, in bytes.
pub fn database_bytes(data_dir: &Path, url: Option<&str>) -> Result<u64, Error> {
    if let Some(url) = url {
        let mut c = postgres::Client::connect(url, postgres::NoTls)?;
        let size: i64 = c.query_one("SELECT pg_database_size(current_database())", &[])?.get(0);
        return Ok(u64::try_from(size).unwrap_or(0));
    }
    let mut total = std::fs::metadata(data_dir.join("prestasi.db"))?.len();
    match std::fs::metadata(data_dir.join("prestasi.db-wal")) {
        Ok(m) => total += m.len(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_and_status_lines_are_read() {
        let stat = "4242 (prestasi (srv)) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 37 0 0 20 0 9 0 100 0 0";
        assert_eq!(parse_cpu_ticks(stat), Some(287));
        assert_eq!(parse_vm_hwm("Name:\tx\nVmPeak:\t 9 kB\nVmHWM:\t   2048 kB\n"), Some(2048 * 1024));
        let own = cpu_ticks(std::process::id()).unwrap();
        assert!(own < u64::MAX);
        assert!(peak_rss_bytes(std::process::id()).unwrap() > 0);
    }
}
