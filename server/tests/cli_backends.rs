//! Every admin command of the real `prestasi-server` binary, on the
//! embedded SQLite database and on PostgreSQL (`--database`): what an IT
//! officer types, answered the same on both.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::path::Path;
use std::process::Command;

const NIP_BOSS: &str = "198802182010062056";
const NIP_STAFF: &str = "199307082019031090";

fn cli(dir: &Path, database: Option<&str>, args: &[&str]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prestasi-server"));
    cmd.arg("--data-dir").arg(dir).env_remove("PRESTASI_DATABASE_URL");
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    let out = cmd.args(args).env("PRESTASI_PASSWORD", "kata-sandi-panjang").output().unwrap();
    let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{args:?} failed: {stdout}{stderr}");
    stdout.into_owned()
}

/// A command that must fail, with `password` in PRESTASI_PASSWORD: its
/// error output.
fn cli_fails(dir: &Path, database: Option<&str>, args: &[&str], password: &str) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_prestasi-server"));
    cmd.arg("--data-dir").arg(dir).env_remove("PRESTASI_DATABASE_URL");
    if let Some(url) = database {
        cmd.arg("--database").arg(url);
    }
    let out = cmd.args(args).env("PRESTASI_PASSWORD", password).output().unwrap();
    assert!(!out.status.success(), "{args:?} succeeded");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn every_admin_command(dir: &Path, database: Option<&str>) {
    let csv = dir.join("pegawai.csv");
    std::fs::write(
        &csv,
        format!(
            "NIP;NAMA;UNIT_KERJA_ID;UNIT_KERJA;INSTANSI_ID;INSTANSI;JENIS_JABATAN;JABATAN;NIP_ATASAN\n\
             {NIP_BOSS};Kepala;dukcapil;Dukcapil;pemkab;Pemkab;pengawas;Kepala;\n\
             {NIP_STAFF};Staf;dukcapil;Dukcapil;pemkab;Pemkab;pelaksana;Staf;{NIP_BOSS}\n\
             123;Salah;dukcapil;Dukcapil;pemkab;Pemkab;pelaksana;Staf;\n"
        ),
    )
    .unwrap();
    let run = |args: &[&str]| cli(dir, database, args);
    assert!(run(&["tenant", "create", "--id", "uji", "--name", "Kabupaten Uji"]).contains("tenant uji created"));
    let import = run(&["employees", "import", "--tenant", "uji", csv.to_str().unwrap()]);
    assert!(import.contains("2 employees and 1 units imported, 1 rows refused"), "{import}");
    assert!(run(&["user", "create", "--tenant", "uji", "--username", "siti", "--role", "hr"]).contains("siti"));
    // Passwords and user names the policy refuses, in Indonesian.
    for (username, password, refusal) in [
        ("agus", "aaaaaaaaaa", "Kata sandi minimal 12 karakter."),
        ("agus", "1234567890", "Kata sandi minimal 12 karakter."),
        ("agus", "aaaaaaaaaaaa", "Kata sandi terlalu mudah ditebak"),
        ("", "kata-sandi-panjang", "Nama pengguna wajib diisi."),
        ("<img src=x>", "kata-sandi-panjang", "Nama pengguna hanya boleh berisi huruf kecil"),
    ] {
        let err = cli_fails(dir, database, &["user", "create", "--tenant", "uji", "--username", username], password);
        assert!(err.contains(refusal), "{username:?} / {password:?}: {err}");
    }
    let reset = run(&["user", "reset-password", "--tenant", "uji", "--username", "siti"]);
    assert!(reset.contains("must be changed at the next login; 0 logins ended"), "{reset}");
    let revoked = run(&["user", "revoke-sessions", "--tenant", "uji", "--username", "siti"]);
    assert!(revoked.contains("0 logins of siti in uji ended"), "{revoked}");
    let err = cli_fails(dir, database, &["user", "revoke-sessions", "--tenant", "uji", "--username", "nobody"], "");
    assert!(err.contains("Pengguna nobody tidak ditemukan."), "{err}");
    assert!(run(&["audit", "logins", "--tenant", "uji"]).is_empty(), "no login yet");
    let code =
        run(&["device", "enroll", "--tenant", "uji", "--role", "supervisor", "--user", NIP_BOSS, "--unit", "dukcapil"]);
    assert_eq!(code.trim().len(), 14, "a one-time code: {code}");
    assert!(run(&["device", "list", "--tenant", "uji"]).is_empty(), "no device until the code is used");
    let person = run(&["person", "code", "--tenant", "uji", "--nip", NIP_STAFF]);
    assert!(!person.trim().is_empty());
    assert!(run(&["person", "keys", "--tenant", "uji", "--nip", NIP_STAFF]).is_empty(), "no key bound yet");
    assert!(run(&["person", "revoke", "--tenant", "uji", "--nip", NIP_STAFF, "--reason", "uji"]).contains("0 keys"));
    // The imported employee's document, exported with its signature and verified offline.
    // The id the import gives an employee's document.
    let id = prestasi_core::model::DocId::derived(&format!("employee/{NIP_STAFF}"));
    let bundle = dir.join("audit.json");
    let id = id.to_string();
    let export = run(&["audit", "export", "--tenant", "uji", "--id", &id, "--out", bundle.to_str().unwrap()]);
    assert!(export.contains("signatures written"), "{export}");
    let verify = run(&["audit", "verify", "--strict", bundle.to_str().unwrap()]);
    assert!(verify.contains("0 invalid"), "{verify}");
}

#[test]
fn admin_commands_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    every_admin_command(dir.path(), None);
    assert!(dir.path().join("prestasi.db").exists());
}

#[test]
fn admin_commands_on_postgres() {
    let url = match std::env::var("PRESTASI_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(std::env::var("PRESTASI_REQUIRE_POSTGRES").as_deref() != Ok("1"), "no PostgreSQL to test on");
            eprintln!("SKIPPED: PRESTASI_TEST_DATABASE_URL is not set");
            return;
        }
    };
    // A database of its own: the CLI uses the database's default schema.
    let name = format!("cli_{}", std::process::id());
    let mut admin = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).unwrap();
    admin.batch_execute(&format!("CREATE DATABASE {name}")).unwrap();
    let base = url.rsplit_once('/').unwrap().0;
    let dir = tempfile::tempdir().unwrap();
    every_admin_command(dir.path(), Some(&format!("{base}/{name}")));
    assert!(!dir.path().join("prestasi.db").exists(), "nothing written to the embedded database");
    admin.batch_execute(&format!("DROP DATABASE {name}")).unwrap();
}
