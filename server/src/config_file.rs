//! `--config FILE` (or `PRESTASI_CONFIG`): the server's settings in a TOML
//! file beside flags and environment variables, for a service manager.
//!
//! Keys are the long flag names (`listen = "0.0.0.0:8080"`,
//! `data-dir = "/var/lib/prestasi"`). Precedence: a flag, then the
//! environment, then the file, then the built-in default — the file's
//! values become the flags' defaults before the command line is parsed.
//! Every setting that has an environment variable (`PRESTASI_LISTEN`, …)
//! can be put in the file and nothing else can: an unknown key is an
//! error, not a silent typo.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{CommandFactory, FromArgMatches};

/// The variable naming the file when `--config` is not given.
pub const CONFIG_ENV: &str = "PRESTASI_CONFIG";

/// The config file named on `args` (`--config F`, `--config=F`) or in the
/// environment.
pub fn path_from(args: &[OsString]) -> Option<PathBuf> {
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let a = a.to_string_lossy();
        if a == "--config" {
            return it.next().map(PathBuf::from);
        }
        if let Some(p) = a.strip_prefix("--config=") {
            return Some(PathBuf::from(p));
        }
    }
    std::env::var_os(CONFIG_ENV).map(PathBuf::from)
}

/// Every setting a file may hold: long flag name → environment variable.
pub fn settings() -> BTreeMap<String, String> {
    fn walk(cmd: &clap::Command, out: &mut BTreeMap<String, String>) {
        for arg in cmd.get_arguments() {
            if let (Some(long), Some(env)) = (arg.get_long(), arg.get_env()) {
                out.insert(long.to_string(), env.to_string_lossy().into_owned());
            }
        }
        for sub in cmd.get_subcommands() {
            walk(sub, out);
        }
    }
    let mut out = BTreeMap::new();
    walk(&crate::cli::Cli::command(), &mut out);
    out.remove("config");
    // Secrets stay out of files others may read.
    out.remove("password");
    out
}

/// The settings the file holds: `(long flag name, value)`.
pub fn read(path: &Path) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let table: toml::Table = text.parse().map_err(|e| format!("{}: {e}", path.display()))?;
    let known = settings();
    let mut out = Vec::new();
    for (key, value) in table {
        if !known.contains_key(&key) {
            let names: Vec<&str> = known.keys().map(String::as_str).collect();
            return Err(format!("{}: unknown setting `{key}`; known: {}", path.display(), names.join(", ")));
        }
        let value = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(format!("{}: `{key}` must be a string, number or boolean, not {other}", path.display()));
            }
        };
        out.push((key, value));
    }
    Ok(out)
}

/// The command line with the file's values as defaults, wherever a flag
/// of that name is (globally or on a subcommand).
fn with_defaults(mut cmd: clap::Command, file: &BTreeMap<String, &'static str>) -> clap::Command {
    let args: Vec<(String, String)> =
        cmd.get_arguments().filter_map(|a| Some((a.get_id().to_string(), a.get_long()?.to_string()))).collect();
    for (id, long) in args {
        if let Some(value) = file.get(&long).copied() {
            cmd = cmd.mut_arg(id, |a| a.default_value(value));
        }
    }
    let subs: Vec<String> = cmd.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for name in subs {
        cmd = cmd.mut_subcommand(name, |s| with_defaults(s, file));
    }
    cmd
}

/// Parse the command line `args`, falling back to the config file it (or
/// the environment) names. `--help` and usage errors exit as clap does.
pub fn parse(args: Vec<OsString>) -> Result<crate::cli::Cli, String> {
    let mut defaults = BTreeMap::new();
    if let Some(path) = path_from(&args) {
        for (key, value) in read(&path)? {
            // Parsed once per process: the few strings live as long as it.
            defaults.insert(key, &*Box::leak(value.into_boxed_str()));
        }
    }
    let matches = with_defaults(crate::cli::Cli::command(), &defaults).get_matches_from(args);
    crate::cli::Cli::from_arg_matches(&matches).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic)]
    use super::*;

    #[test]
    fn keys_are_the_flags_with_a_variable() {
        let s = settings();
        assert_eq!(s.get("listen").map(String::as_str), Some("PRESTASI_LISTEN"));
        assert_eq!(s.get("data-dir").map(String::as_str), Some("PRESTASI_DATA_DIR"));
        assert!(!s.contains_key("password"));
    }

    #[test]
    fn a_file_becomes_variables_and_a_typo_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("prestasi.toml");
        std::fs::write(&f, "listen = \"0.0.0.0:9000\"\ndata-dir = \"/var/lib/prestasi\"\n").unwrap();
        let mut got = read(&f).unwrap();
        got.sort();
        assert_eq!(
            got,
            vec![
                ("data-dir".to_string(), "/var/lib/prestasi".to_string()),
                ("listen".to_string(), "0.0.0.0:9000".to_string())
            ]
        );
        // The file's values are the defaults; a flag overrides them.
        let args = |extra: &[&str]| -> Vec<OsString> {
            let mut a: Vec<OsString> = vec!["prestasi-server".into(), "--config".into(), f.clone().into()];
            a.extend(extra.iter().map(OsString::from));
            a
        };
        let cli = parse(args(&["serve"])).unwrap();
        assert_eq!(cli.data_dir, PathBuf::from("/var/lib/prestasi"));
        let crate::cli::Command::Serve { listen, .. } = cli.command else { panic!("not serve") };
        assert_eq!(listen.to_string(), "0.0.0.0:9000");
        let cli = parse(args(&["--data-dir", "/srv/p", "serve", "--listen", "127.0.0.1:1"])).unwrap();
        assert_eq!(cli.data_dir, PathBuf::from("/srv/p"));
        let crate::cli::Command::Serve { listen, .. } = cli.command else { panic!("not serve") };
        assert_eq!(listen.to_string(), "127.0.0.1:1");
        std::fs::write(&f, "lisen = \"0.0.0.0:9000\"\n").unwrap();
        assert!(read(&f).unwrap_err().contains("unknown setting `lisen`"));
        std::fs::write(&f, "listen = [1, 2]\n").unwrap();
        assert!(read(&f).is_err());
        std::fs::write(&f, "listen = \"unterminated\n").unwrap();
        assert!(read(&f).is_err());
    }

    #[test]
    fn the_sample_config_of_deploy_parses() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/prestasi.toml");
        assert!(read(&sample).unwrap().len() >= 3);
        let args: Vec<OsString> = vec!["prestasi-server".into(), "--config".into(), sample.into(), "serve".into()];
        let cli = parse(args).unwrap();
        assert_eq!(cli.data_dir, PathBuf::from("/var/lib/prestasi"));
    }

    #[test]
    fn the_file_is_found_on_the_command_line() {
        let args: Vec<OsString> = ["prestasi-server", "--config", "/etc/prestasi.toml", "serve"].map(Into::into).into();
        assert_eq!(path_from(&args), Some(PathBuf::from("/etc/prestasi.toml")));
        let args: Vec<OsString> = ["prestasi-server", "--config=/x.toml"].map(Into::into).into();
        assert_eq!(path_from(&args), Some(PathBuf::from("/x.toml")));
    }
}
