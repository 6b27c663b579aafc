//! Two supervisors' tablets work offline on the same appraisal, then meet:
//! `cargo run -p prestasi-core --example offline_demo [DIR]`.
//!
//! Creates two stores under DIR (default `./prestasi-data/demo`), puts a
//! roster on both, appraises offline on each, exchanges the documents, and
//! prints the merged appraisal, its conflict and its history.

use std::error::Error;
use std::path::PathBuf;

use prestasi_core::model::{
    Appraisal, AppraisalStatus, Author, BehaviourValue, DocId, Employee, PositionKind, Role, SkpTarget,
};
use prestasi_core::rules::nip::Nip;
use prestasi_core::rules::predikat::Rating;
use prestasi_core::store::{Store, StoreKey};

fn main() -> Result<(), Box<dyn Error>> {
    let dir = std::env::args().nth(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from("prestasi-data/demo"));
    std::fs::create_dir_all(&dir)?;
    for f in ["tablet-a.db", "tablet-b.db"] {
        let _ = std::fs::remove_file(dir.join(f));
    }
    // Each tablet's store is encrypted under its own key (kept by the app).
    let a = Store::open(dir.join("tablet-a.db"), &StoreKey::generate()?)?;
    let b = Store::open(dir.join("tablet-b.db"), &StoreKey::generate()?)?;

    let kabid = Nip::parse("198802182010062056")?;
    let staff = Nip::parse("199307082019031090")?;
    let employee = Employee {
        nip: staff.clone(),
        name: "Ani Rumbewas".into(),
        rank: Some("III/a".parse()?),
        rank_since: Some("2022-04-01".into()),
        education: None,
        position: PositionKind::Pelaksana,
        position_title: "Pengolah Data Kependudukan".into(),
        unit_id: "dukcapil-manokwari".into(),
        superior_nip: Some(kabid.clone()),
        active: true,
    };
    // The roster normally arrives from BKPSDM through sync.
    // Every change is signed by its author: each signs in with a PIN.
    a.sign_in("hr:bkpsdm", "112233", None)?;
    let hr = Author::new("hr:bkpsdm", a.device_id(), Role::Hr);
    let roster_id = DocId::new();
    a.create(roster_id, &employee, &hr)?;
    b.import(roster_id, &a.export(roster_id)?)?;

    a.sign_in(kabid.as_str(), "445566", None)?;
    b.sign_in(kabid.as_str(), "445566", None)?;
    let on_a = Author::new(kabid.as_str(), a.device_id(), Role::Supervisor);
    let on_b = Author::new(kabid.as_str(), b.device_id(), Role::Supervisor);
    let id = DocId::for_appraisal(&staff, "2026-Q3");
    let mut draft = Appraisal::new(staff.clone(), "2026-Q3", "dukcapil-manokwari", kabid.clone())?;
    let target = SkpTarget::new("KTP-el terbit dalam 1 hari kerja", 300.0, "dokumen", true)?;
    let target_id = target.id.clone();
    draft.targets.push(target);
    a.create(id, &draft, &on_a)?;
    b.import(id, &a.export(id)?)?;
    println!("Tablet A and B hold appraisal {id}; both go offline.");

    a.update::<Appraisal>(id, &on_a, |x| {
        x.target_mut(&target_id)?.realisation = Some(310.0);
        x.behaviour.insert(BehaviourValue::BerorientasiPelayanan, Rating::DiAtasEkspektasi);
        Ok(())
    })?;
    b.update::<Appraisal>(id, &on_b, |x| {
        x.target_mut(&target_id)?.realisation = Some(295.0);
        x.behaviour.insert(BehaviourValue::Kompeten, Rating::SesuaiEkspektasi);
        x.hasil_kerja = Some(Rating::DiAtasEkspektasi);
        x.perilaku = Some(Rating::SesuaiEkspektasi);
        Ok(())
    })?;
    match a.update::<Appraisal>(id, &on_a, |x| {
        x.target_mut(&target_id)?.realisation = Some(-1.0);
        Ok(())
    }) {
        Err(e) => println!("Refused on tablet A: {e}"),
        Ok(_) => return Err("a negative realisation was accepted".into()),
    }
    println!("Offline: {} documents on A and {} on B not yet on the server.", a.unsynced_count()?, b.unsynced_count()?);

    // Back in coverage: exchange both ways.
    a.import(id, &b.export(id)?)?;
    b.import(id, &a.export(id)?)?;
    let merged = a.get::<Appraisal>(id)?;
    assert_eq!(merged, b.get::<Appraisal>(id)?);
    println!("\nMerged appraisal of {} ({}):", employee.name, merged.period);
    for (value, rating) in &merged.behaviour {
        println!("  perilaku {:<24} {}", value.label_id(), rating.label_id());
    }
    println!("  predikat: {}", merged.predikat().map(|p| p.label_id()).unwrap_or("-"));
    for c in a.conflicts(id)? {
        println!("  CONFLICT at {}:", c.path);
        for v in &c.values {
            println!(
                "    {} by {} on device {}{}",
                v.value,
                v.user.as_deref().unwrap_or("?"),
                v.device,
                if v.shown { " (shown)" } else { "" }
            );
        }
        a.resolve_conflict::<Appraisal>(id, &c.path, 0, &on_a)?;
        println!("  resolved on A by choosing {}", c.values.first().map(|v| v.value.to_string()).unwrap_or_default());
    }
    b.import(id, &a.export(id)?)?;
    println!("  conflicts left on B after the next exchange: {}", b.status(id)?.conflicts);

    println!("\nHistory:");
    for h in a.history(id)? {
        let at = h.at.map(|t| t.to_rfc3339()).unwrap_or_default();
        let fields: Vec<String> = h.changes.iter().map(|c| c.path.clone()).collect();
        println!("  {at} {} @{}…: {}", h.user.unwrap_or_default(), &h.device[..8], fields.join(", "));
    }
    let staff_list = a.my_staff(kabid.as_str(), "2026-Q3")?;
    println!("\nMy staff this period on tablet A:");
    for s in staff_list {
        let status = s.appraisal.as_ref().map(|x| x.status).unwrap_or(AppraisalStatus::Draft);
        println!("  {} {} — {}", s.nip, s.name, status.label_id());
    }
    println!("\nStores written to {}", dir.display());
    Ok(())
}
