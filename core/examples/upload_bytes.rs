//! Compares first-upload encodings of a tablet's 25 appraisals (5 targets,
//! 7 ratings, ~200-character notes, 3 edits each):
//! `cargo run --release -p prestasi-core --example upload_bytes`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use chrono::Utc;
use prestasi_core::doc::Document;
use prestasi_core::model::{Appraisal, Author, BehaviourValue, DeviceId, DocId, Role, SkpTarget};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::sync::protocol::{self, PushDoc, SyncRequest};

const WORDS: &[&str] = &[
    "pelayanan",
    "masyarakat",
    "dokumen",
    "verifikasi",
    "rapat",
    "koordinasi",
    "laporan",
    "tepat",
    "waktu",
    "disiplin",
    "digital",
    "aplikasi",
    "kinerja",
    "meningkatkan",
    "kualitas",
    "data",
    "sesuai",
    "target",
    "unit",
    "kerja",
];

fn text(seed: &mut u64, chars: usize) -> String {
    let mut s = String::new();
    while s.len() < chars {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        s.push_str(WORDS[(*seed >> 33) as usize % WORDS.len()]);
        s.push(' ');
    }
    s
}

fn main() {
    let mut seed = 7u64;
    let device = DeviceId::random();
    let mut docs = Vec::new();
    for i in 0..25u32 {
        let staff = Nip::parse(&format!(
            "19{:02}0{}0{}20{:02}03{}{:03}",
            70 + i % 25,
            1 + i % 9,
            1 + i % 9,
            10 + i % 9,
            1 + i % 2,
            i
        ))
        .unwrap();
        let boss = Nip::parse("198802182010062056").unwrap();
        let me = Author::new(boss.as_str(), device, Role::Supervisor);
        let mut a = Appraisal::new(staff.clone(), "2026-Q3", "unit-0001", boss).unwrap();
        for t in 0..5 {
            let mut x = SkpTarget::new(&text(&mut seed, 40), 20.0 + t as f64, "unit", t < 3).unwrap();
            x.realisation = Some(19.5 + t as f64);
            a.targets.push(x);
        }
        for v in BehaviourValue::ALL {
            a.behaviour.insert(v, Rating::SesuaiEkspektasi);
        }
        a.notes = text(&mut seed, 200);
        let id = DocId::for_appraisal(&staff, "2026-Q3");
        let mut doc = Document::create(id, &a, &me, Utc::now()).unwrap();
        for e in 0..3 {
            doc.edit(&me, Utc::now(), |x| {
                x.targets[e].realisation = Some(50.0 + e as f64);
                Ok(())
            })
            .unwrap();
        }
        docs.push((id, doc));
    }
    for (name, enc) in [("save()", 0), ("save_nocompress()", 1), ("raw changes", 2)] {
        let push: Vec<PushDoc> = docs
            .iter_mut()
            .map(|(id, d)| {
                let bytes = match enc {
                    0 => d.save(),
                    1 => d.automerge().save_nocompress(),
                    _ => d.changes_since(&[]),
                };
                PushDoc {
                    id: protocol::id_bytes(*id),
                    kind: "appraisal".into(),
                    changes: protocol::Bytes::from(bytes),
                    // Measures document bytes; each signature adds 128 bytes.
                    sigs: vec![],
                }
            })
            .collect();
        let body = protocol::encode(&SyncRequest { v: 1, push, ..Default::default() });
        for level in [3, 9, 19] {
            let z = zstd::encode_all(body.as_slice(), level).unwrap();
            println!("{name:<18} zstd {level:>2}: {:>5} B per appraisal (CBOR {} B)", z.len() / 25, body.len() / 25);
        }
    }
}
