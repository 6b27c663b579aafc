//! The services a unit offers on its citizens' form, as HR lists them.
//!
//! The form offers only these. A citizen may still name another service
//! ("Lainnya"): it is stored with their feedback for HR's reports, but never
//! shown to the next citizen — so nobody can put words on a unit's public
//! page by typing them once.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::error::AppError;
use crate::storage::Storage;

/// Services one unit may list.
pub const MAX_SERVICES: usize = 30;
/// Longest service name (the form takes the same for a typed one).
pub const MAX_SERVICE_CHARS: usize = 100;

/// The list as HR wrote it (one per line on the page): names trimmed, blank
/// lines dropped; refused, in Indonesian, when too long, repeated or holding
/// control characters.
pub fn check<S: AsRef<str>>(names: &[S]) -> Result<Vec<String>, AppError> {
    let invalid = |message: String| AppError::Unprocessable { code: "invalid", message };
    let mut out: Vec<String> = Vec::new();
    for name in names.iter().map(|n| n.as_ref().trim()).filter(|n| !n.is_empty()) {
        if name.chars().count() > MAX_SERVICE_CHARS {
            return Err(invalid(format!("Nama layanan paling banyak {MAX_SERVICE_CHARS} huruf: \"{name}\".")));
        }
        if name.chars().any(char::is_control) {
            return Err(invalid(format!(
                "Nama layanan memuat karakter yang tidak boleh: \"{}\".",
                name.escape_debug()
            )));
        }
        if out.iter().any(|o| o.to_lowercase() == name.to_lowercase()) {
            return Err(invalid(format!("Layanan \"{name}\" tertulis dua kali.")));
        }
        out.push(name.to_string());
    }
    if out.len() > MAX_SERVICES {
        return Err(invalid(format!("Paling banyak {MAX_SERVICES} layanan per unit; tertulis {}.", out.len())));
    }
    Ok(out)
}

fn known_unit(storage: &dyn Storage, tenant: &str, unit: &str) -> Result<(), AppError> {
    if storage.units(tenant)?.iter().any(|u| u.id == unit) {
        Ok(())
    } else {
        Err(AppError::NotFound { message: format!("Unit {unit} tidak ditemukan.") })
    }
}

/// A unit's services.
pub fn of(storage: &dyn Storage, tenant: &str, unit: &str) -> Result<Vec<String>, AppError> {
    known_unit(storage, tenant, unit)?;
    Ok(storage.unit_services(tenant, unit)?)
}

/// How long a unit's list is served from memory: a page view reads at most
/// one small list, and HR's change shows on every instance within this (at
/// once on the instance that made it).
pub const CACHE_TTL: Duration = Duration::from_secs(30);
/// Units remembered at most.
const CACHE_UNITS: usize = 10_000;

/// A unit's list and when it was read, per (tenant, unit).
type Lists = HashMap<(String, String), (Instant, Vec<String>)>;

/// The lists the citizens' form shows.
#[derive(Debug, Default)]
pub struct Cache(Mutex<Lists>);

impl Cache {
    /// A unit's services (the unit is not checked: the form found it).
    pub fn get(&self, storage: &dyn Storage, tenant: &str, unit: &str) -> Result<Vec<String>, AppError> {
        let key = (tenant.to_string(), unit.to_string());
        let now = Instant::now();
        if let Some((at, list)) = self.0.lock().unwrap_or_else(PoisonError::into_inner).get(&key)
            && now.duration_since(*at) < CACHE_TTL
        {
            return Ok(list.clone());
        }
        let list = storage.unit_services(tenant, unit)?;
        let mut cache = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= CACHE_UNITS {
            cache.retain(|_, (at, _)| now.duration_since(*at) < CACHE_TTL);
        }
        cache.insert(key, (now, list.clone()));
        Ok(list)
    }

    fn forget(&self, tenant: &str, unit: &str) {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).remove(&(tenant.to_string(), unit.to_string()));
    }
}

/// Replace a unit's services with `names` (checked); the list kept.
pub fn set<S: AsRef<str>>(
    storage: &dyn Storage,
    cache: &Cache,
    tenant: &str,
    unit: &str,
    names: &[S],
    by: &str,
) -> Result<Vec<String>, AppError> {
    known_unit(storage, tenant, unit)?;
    let list = check(names)?;
    storage.set_unit_services(tenant, unit, &list)?;
    cache.forget(tenant, unit);
    tracing::info!(%tenant, %unit, services = list.len(), %by, "unit services set");
    Ok(list)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_list_is_trimmed_and_refused_when_it_cannot_be_shown() {
        assert_eq!(check(&["  KTP elektronik ", "", "Akta kelahiran"]).unwrap(), ["KTP elektronik", "Akta kelahiran"]);
        assert!(check(&["KTP", "ktp"]).is_err(), "repeated");
        assert!(check(&["x".repeat(MAX_SERVICE_CHARS + 1)]).is_err(), "too long");
        assert!(check(&["a\u{7}b"]).is_err(), "control character");
        let many: Vec<String> = (0..=MAX_SERVICES).map(|i| format!("Layanan {i}")).collect();
        assert!(check(&many).is_err(), "too many");
        assert!(check::<&str>(&[]).unwrap().is_empty());
    }
}
