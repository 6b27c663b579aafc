//! Loading and reloading the certificate: a pair that does not match, a
//! file that is not PEM, and a bad new pair, which keeps the old one.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::sync::Arc;

use rcgen::{CertificateParams, KeyPair};

use super::*;

/// A self-signed certificate for localhost: (certificate PEM, key PEM).
fn pair() -> (String, String) {
    let key = KeyPair::generate().unwrap();
    let cert = CertificateParams::new(vec!["localhost".to_string()]).unwrap().self_signed(&key).unwrap();
    (cert.pem(), key.serialize_pem())
}

fn write(dir: &Path, (cert, key): &(String, String)) -> (PathBuf, PathBuf) {
    let (c, k) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&c, cert).unwrap();
    std::fs::write(&k, key).unwrap();
    (c, k)
}

#[tokio::test]
async fn tls_loads_a_matching_pair_and_refuses_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (pair(), pair());
    let (cert, key) = write(dir.path(), &a);
    Tls::load(&cert, &key).await.unwrap();

    std::fs::write(&key, &b.1).unwrap();
    let e = Tls::load(&cert, &key).await.unwrap_err();
    assert!(e.contains("cert.pem") && e.contains("key.pem"), "another certificate's key: {e}");
    std::fs::write(&cert, "not a certificate").unwrap();
    assert!(Tls::load(&cert, &key).await.unwrap_err().contains("no PEM certificate"));
    std::fs::write(&cert, &a.0).unwrap();
    std::fs::write(&key, &a.0).unwrap();
    assert!(Tls::load(&cert, &key).await.unwrap_err().contains("no PEM private key"));
    let e = Tls::load(dir.path().join("nowhere.pem"), &key).await.unwrap_err();
    assert!(e.contains("cannot read") && e.contains("nowhere.pem"), "{e}");
}

#[tokio::test]
async fn tls_reload_takes_a_renewed_pair_and_keeps_the_old_one_when_the_new_is_bad() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = write(dir.path(), &pair());
    let tls = Tls::load(&cert, &key).await.unwrap();
    let first = tls.config().get_inner();

    write(dir.path(), &pair());
    tls.reload().await.unwrap();
    let renewed = tls.config().get_inner();
    assert!(!Arc::ptr_eq(&first, &renewed), "new connections get the renewed certificate");

    // Half-written renewal: a new certificate with the old key, then garbage.
    std::fs::write(&cert, pair().0).unwrap();
    assert!(tls.reload().await.is_err());
    std::fs::write(&cert, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").unwrap();
    assert!(tls.reload().await.is_err());
    std::fs::remove_file(&key).unwrap();
    assert!(tls.reload().await.is_err());
    assert!(Arc::ptr_eq(&renewed, &tls.config().get_inner()), "the certificate in use stays");
}
