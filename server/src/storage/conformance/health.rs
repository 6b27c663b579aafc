//! What `GET /ready` and `/metrics` ask of a backend: a ping and the size
//! of the data.

use super::dataset::appraisal;
use super::*;

pub(super) fn ping_answers_and_size_counts_the_data(s: &dyn Storage) {
    s.ping().expect("a migrated store answers a ping");
    let empty = s.database_bytes().unwrap();
    assert!(empty > 0, "even an empty store's schema takes space");

    two_tenants(s);
    // 200 documents with 2,000 letters of notes each that do not compress:
    // over 400 KB of changes, stored in one write.
    let mut seed = 0x2545_f491_u32;
    let mut letters = |n: usize| -> String {
        (0..n)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                char::from(b'a' + (seed % 26) as u8)
            })
            .collect()
    };
    let mut writes = Vec::new();
    for i in 0..200 {
        let mut a = appraisal(STAFF, &format!("{}", 1800 + i), "u1", BOSS);
        a.notes = letters(2000);
        let mut d = Doc::new(DocId::for_appraisal(&a.employee_nip, &a.period), &a);
        writes.push(d.write("manokwari", "d1", 1_000));
    }
    s.write(&mut |tx| {
        for w in &writes {
            tx.append(w)?;
        }
        Ok(())
    })
    .unwrap();
    let full = s.database_bytes().unwrap();
    assert!(full >= empty + 200_000, "200 documents of 2 KB each are counted: {empty} bytes, then {full}");
    s.ping().expect("and it still answers");
}
