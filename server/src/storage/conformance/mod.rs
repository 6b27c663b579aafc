//! One conformance suite every storage backend must pass. Each backend's
//! test module calls [`run_all`] with a constructor of fresh, empty stores.
//!
//! A test suite compiled into the library (feature `conformance`), so it
//! panics on failure like any test.
//!
//! Every case gets its own store from `make()` and checks one part of the
//! contract of [`Storage`], [`Lookup`], [`WriteTx`] and [`ReportStore`]:
//!
//! - `admin`: tenants, HR users, sessions, enrollment codes, devices, meta;
//! - `auth`: logins and their tokens (refresh rotation, revocation), the
//!   forced password change, the login audit log, peeking at rate windows;
//! - `docs`: appending documents, loading them back, the merged view of
//!   every record kind, conflicts, re-projection;
//! - `pull`: the pull cursor (origin, scope, tenant, pages, compaction,
//!   concurrent writers) and `fetch`;
//! - `signers`: person codes, bound keys, signatures of stored changes;
//! - `reports`: every [`ReportStore`] read over one data set ([`dataset`]);
//! - `inputs`: what HR enters for its reports;
//! - `replay`: what the sync layer relies on being idempotent;
//! - `crash`: a write that fails or panics leaves nothing behind;
//! - `isolation`: no read that takes a tenant sees another tenant's rows;
//! - `uploads`: resumable upload parts, offsets, answers, expiry;
//! - `health`: the ping of `GET /ready`, the size `/metrics` reports.
//!
//! Records are written as the sync layer writes them: real automerge
//! documents ([`Doc`]) whose [`Projection`] comes from
//! `crate::sync::projection`, so the rows a backend stores are the rows
//! [`View::of`] computed. Expected values are literals where that makes a
//! rule readable, and the view's own rows otherwise.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod admin;
mod auth;
mod crash;
mod dataset;
mod docs;
mod health;
mod inputs;
mod isolation;
mod pull;
mod replay;
mod reports;
#[cfg(test)]
mod selftest;
mod signers;
mod uploads;

use std::collections::BTreeMap;

use automerge::ChangeHash;
use chrono::{NaiveDate, Utc};
use prestasi_core::doc::Document;
use prestasi_core::model::{Author, DeviceId, DocId, Role};
use prestasi_core::rules::nip::Nip;

use super::*;
use crate::sync::Merged;

/// A case of the suite: it gets a fresh, empty store.
type Case = fn(&dyn Storage);

const CASES: &[(&str, Case)] = &[
    ("admin::tenants_and_users", admin::tenants_and_users),
    ("admin::sessions_expire_and_delete", admin::sessions_expire_and_delete),
    ("admin::enrollment_codes_are_single_use", admin::enrollment_codes_are_single_use),
    ("admin::devices_list_and_revoke", admin::devices_list_and_revoke),
    ("admin::meta_is_a_small_key_value_store", admin::meta_is_a_small_key_value_store),
    (
        "admin::unit_services_are_replaced_whole_and_kept_in_order",
        admin::unit_services_are_replaced_whole_and_kept_in_order,
    ),
    ("admin::init_meta_keeps_the_first_value", admin::init_meta_keeps_the_first_value),
    ("admin::events_count_in_fixed_windows", admin::events_count_in_fixed_windows),
    ("auth::logins_rotate_and_revoke", auth::logins_rotate_and_revoke),
    ("auth::a_users_logins_are_revoked_together", auth::a_users_logins_are_revoked_together),
    ("auth::passwords_are_set_and_must_change", auth::passwords_are_set_and_must_change),
    ("auth::login_events_are_kept_per_typed_tenant", auth::login_events_are_kept_per_typed_tenant),
    ("auth::event_windows_can_be_peeked_and_forgotten", auth::event_windows_can_be_peeked_and_forgotten),
    ("docs::appended_documents_load_back", docs::appended_documents_load_back),
    ("docs::a_write_reads_its_own_appends", docs::a_write_reads_its_own_appends),
    ("docs::doc_ids_page_in_id_order", docs::doc_ids_page_in_id_order),
    ("docs::every_record_kind_feeds_its_view_rows", docs::every_record_kind_feeds_its_view_rows),
    ("docs::allowances_and_awards_have_no_view_rows", docs::allowances_and_awards_have_no_view_rows),
    ("docs::edits_rewrite_the_view_rows", docs::edits_rewrite_the_view_rows),
    ("docs::conflicts_are_listed_until_resolved", docs::conflicts_are_listed_until_resolved),
    ("docs::reproject_rewrites_rows_not_chunks", docs::reproject_rewrites_rows_not_chunks),
    ("pull::pull_follows_cursor_origin_scope_and_tenant", pull::pull_follows_cursor_origin_scope_and_tenant),
    ("pull::pull_sends_the_changes_after_the_cursor", pull::pull_sends_the_changes_after_the_cursor),
    ("pull::pull_pages_by_size", pull::pull_pages_by_size),
    ("pull::compaction_keeps_every_change_reachable", pull::compaction_keeps_every_change_reachable),
    ("pull::each_tenant_counts_its_own_positions", pull::each_tenant_counts_its_own_positions),
    ("pull::fetch_returns_whole_documents_in_scope", pull::fetch_returns_whole_documents_in_scope),
    ("pull::scope_follows_the_current_read_keys", pull::scope_follows_the_current_read_keys),
    (
        "pull::concurrent_writers_never_make_a_reader_skip_or_repeat",
        pull::concurrent_writers_never_make_a_reader_skip_or_repeat,
    ),
    ("signers::person_codes_bind_one_key", signers::person_codes_bind_one_key),
    ("signers::keys_list_newest_first_and_revoke", signers::keys_list_newest_first_and_revoke),
    ("signers::signatures_are_kept_with_their_document", signers::signatures_are_kept_with_their_document),
    ("reports::units_and_staff", reports::units_and_staff),
    ("reports::appraisal_reads", reports::appraisal_reads),
    ("reports::feedback_sums", reports::feedback_sums),
    ("reports::feedback_by_officer_few_many_and_all", reports::feedback_by_officer_few_many_and_all),
    ("reports::feedback_comments_newest_first", reports::feedback_comments_newest_first),
    ("reports::waiting_by_month_in_local_time", reports::waiting_by_month_in_local_time),
    ("reports::trainings_and_mentoring", reports::trainings_and_mentoring),
    ("inputs::settings", inputs::settings),
    ("inputs::unit_periods", inputs::unit_periods),
    ("inputs::potentials_and_sanctions", inputs::potentials_and_sanctions),
    ("inputs::programmes_and_seats", inputs::programmes_and_seats),
    ("replay::admin_replays", replay::admin_replays),
    ("replay::input_replays", replay::input_replays),
    ("replay::signer_replays", replay::signer_replays),
    ("replay::reproject_twice", replay::reproject_twice),
    ("crash::a_failed_write_leaves_nothing", crash::a_failed_write_leaves_nothing),
    ("crash::a_panicking_write_leaves_nothing", crash::a_panicking_write_leaves_nothing),
    ("crash::a_backend_error_inside_a_write_undoes_it", crash::a_backend_error_inside_a_write_undoes_it),
    ("isolation::every_tenant_read_sees_only_its_tenant", isolation::every_tenant_read_sees_only_its_tenant),
    (
        "uploads::parts_join_in_order_and_append_only_at_the_offset",
        uploads::parts_join_in_order_and_append_only_at_the_offset,
    ),
    ("uploads::the_answer_is_kept_and_uploads_are_per_device", uploads::the_answer_is_kept_and_uploads_are_per_device),
    ("uploads::stale_uploads_expire", uploads::stale_uploads_expire),
    ("health::ping_answers_and_size_counts_the_data", health::ping_answers_and_size_counts_the_data),
];

/// Run every case, each on a fresh store from `make`. A failing case does
/// not stop the others: their panics are printed as they happen, and the
/// suite fails at the end naming every failed case.
pub fn run_all(make: &dyn Fn() -> Box<dyn Storage>) {
    let mut failed = Vec::new();
    for (name, case) in CASES {
        // Captured by the test harness: shown with the failure it precedes.
        eprintln!("storage conformance: {name}");
        let store = make();
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| case(store.as_ref()))).is_err() {
            failed.push(*name);
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} storage conformance cases failed: {}",
        failed.len(),
        CASES.len(),
        failed.join(", ")
    );
}

// People ---------------------------------------------------------------------

/// Rina Wulandari, staff of unit u1.
pub(super) const STAFF: &str = "199307082019031090";
/// Agus Salim, head of u1: appraises STAFF and OTHER.
pub(super) const BOSS: &str = "198802182010062056";
/// Yohanes Mandacan, of u3: reviews, and appraises BOSS.
pub(super) const REVIEWER: &str = "197512312000031001";
/// Dewi Lestari, staff of unit u2.
pub(super) const OTHER: &str = "199505152020122001";

pub(super) fn nip(s: &str) -> Nip {
    Nip::parse(s).unwrap()
}

/// HR writing on the server: may create and edit every kind of record.
pub(super) fn hr() -> Author {
    hr_on(7)
}

/// HR on another device (another automerge actor), for concurrent edits.
pub(super) fn hr_on(device: u8) -> Author {
    Author::new("hr", DeviceId::from_bytes([device; 16]), Role::Hr)
}

pub(super) fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// Milliseconds of an RFC 3339 time.
pub(super) fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap().timestamp_millis()
}

pub(super) fn two_tenants(s: &dyn Storage) {
    s.create_tenant("manokwari", "Kabupaten Manokwari").unwrap();
    s.create_tenant("lhokseumawe", "Kota Lhokseumawe").unwrap();
}

// Documents ------------------------------------------------------------------

/// A document as a device holds it: its automerge copy, whose changes since
/// the last [`Doc::write`] are the next chunk.
#[derive(Debug)]
pub(super) struct Doc<T: Merged> {
    pub id: DocId,
    pub doc: Document<T>,
}

impl<T: Merged + Clone> Doc<T> {
    /// A new document of `value`, written by [`hr`].
    pub fn new(id: DocId, value: &T) -> Self {
        Self { id, doc: Document::create(id, value, &hr(), Utc::now()).unwrap() }
    }

    pub fn value(&self) -> T {
        self.doc.value().unwrap()
    }

    /// Change the record, as HR.
    pub fn edit(&mut self, f: impl FnOnce(&mut T)) -> &mut Self {
        self.edit_by(&hr(), f)
    }

    pub fn edit_by(&mut self, author: &Author, f: impl FnOnce(&mut T)) -> &mut Self {
        self.doc
            .edit(author, Utc::now(), |v| {
                f(v);
                Ok(())
            })
            .unwrap();
        self
    }

    /// The merged view and read keys of the document as it is now.
    pub fn projection(&mut self) -> Projection {
        crate::sync::projection(self.id, &self.value().into_record(), self.doc.conflicts())
    }

    /// What the sync layer appends for the changes since the last write.
    pub fn write(&mut self, tenant: &str, origin: &str, received_at: i64) -> DocWrite {
        let projection = self.projection();
        DocWrite {
            tenant: tenant.into(),
            id: self.id,
            kind: T::KIND,
            chunk: self.doc.save_incremental(),
            compacted: None,
            heads: self.doc.heads(),
            origin: origin.into(),
            received_at,
            projection,
            sigs: Vec::new(),
        }
    }

    /// Append the changes since the last write, in a write of its own.
    pub fn put(&mut self, s: &dyn Storage, tenant: &str, origin: &str, received_at: i64) -> u64 {
        append(s, &self.write(tenant, origin, received_at))
    }

    /// The document's version as [`StoredDoc::heads`] writes it.
    pub fn heads_text(&mut self) -> String {
        heads_text(&self.doc.heads())
    }

    /// The hashes of every change of the document.
    pub fn hashes(&mut self) -> Vec<ChangeHash> {
        self.doc.automerge().get_changes(&[]).iter().map(|c| c.hash()).collect()
    }
}

/// Store a new document of `value` (origin `hr-tablet`), in its own write.
pub(super) fn store<T: Merged + Clone>(s: &dyn Storage, tenant: &str, id: DocId, value: &T, at: i64) -> Doc<T> {
    let mut d = Doc::new(id, value);
    d.put(s, tenant, "hr-tablet", at);
    d
}

/// Append one chunk in a write transaction of its own; its pull position
/// (the tenant's high-water mark right after, as nothing else writes).
pub(super) fn append(s: &dyn Storage, w: &DocWrite) -> u64 {
    s.write(&mut |tx| tx.append(w)).unwrap();
    let q = PullQuery { tenant: &w.tenant, cursor: 0, exclude_origin: "", scope: &Scope::Nothing, max_bytes: 0 };
    s.pull(&q).unwrap().cursor
}

/// Sorted hex heads, comma-separated: [`StoredDoc::heads`].
pub(super) fn heads_text(heads: &[ChangeHash]) -> String {
    let mut h: Vec<String> = heads.iter().map(ToString::to_string).collect();
    h.sort();
    h.join(",")
}

/// The hashes of the automerge changes in `bytes`: concatenated change
/// chunks (compressed or not) and whole saved documents, as a pull sends
/// them. Lets a test count every change a page carries.
pub(super) fn change_hashes(bytes: &[u8]) -> Vec<ChangeHash> {
    const MAGIC: [u8; 4] = [0x85, 0x6f, 0x4a, 0x83];
    let mut out = Vec::new();
    let mut rest = bytes;
    while !rest.is_empty() {
        assert!(rest.len() > 9 && rest[..4] == MAGIC, "pulled bytes are concatenated automerge chunks");
        // magic (4), checksum (4), type (1), LEB128 length, data.
        let (mut len, mut shift, mut at) = (0usize, 0, 9);
        loop {
            let b = rest[at];
            len |= usize::from(b & 0x7f) << shift;
            shift += 7;
            at += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        let (chunk, tail) = rest.split_at(at + len);
        match chunk[8] {
            0 => out.extend(automerge::Automerge::load(chunk).unwrap().get_changes(&[]).iter().map(|c| c.hash())),
            1 | 2 => out.push(automerge::Change::try_from(chunk).unwrap().hash()),
            t => panic!("unexpected automerge chunk type {t} in pulled bytes"),
        }
        rest = tail;
    }
    out
}

/// Every page from `cursor` to the end: the documents' bytes, concatenated
/// per document in page order, and the last cursor.
pub(super) fn pull_all(
    s: &dyn Storage,
    tenant: &str,
    cursor: u64,
    origin: &str,
    scope: &Scope,
) -> (BTreeMap<DocId, Vec<u8>>, u64) {
    let mut cursor = cursor;
    let mut docs: BTreeMap<DocId, Vec<u8>> = BTreeMap::new();
    for _ in 0..10_000 {
        let page = s.pull(&PullQuery { tenant, cursor, exclude_origin: origin, scope, max_bytes: 1 << 20 }).unwrap();
        assert!(page.cursor >= cursor, "a page's cursor never goes back ({} after {cursor})", page.cursor);
        for d in page.docs {
            docs.entry(d.id).or_default().extend_from_slice(&d.bytes);
        }
        cursor = page.cursor;
        if !page.more {
            return (docs, cursor);
        }
    }
    panic!("pull never said more == false");
}

/// A supervisor's scope, as `sync::access::read_scope` builds it.
pub(super) fn supervisor(units: &[&str], user: &str) -> Scope {
    use prestasi_core::doc::DocKind;
    Scope::Units {
        units: units.iter().map(|u| u.to_string()).collect(),
        user: user.into(),
        unit_kinds: vec![DocKind::Employee, DocKind::Unit, DocKind::Appraisal, DocKind::Mentoring],
        assigned_kinds: vec![DocKind::Appraisal],
    }
}

/// Everything a tenant's reads return, as text: equal before and after an
/// operation that must change nothing. Documents, chunks and signatures,
/// then [`views`].
pub(super) fn everything(s: &dyn Storage, t: &str) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let ids = s.doc_ids(t, None, 100_000).unwrap();
    writeln!(out, "doc_ids: {ids:?}").unwrap();
    for id in &ids {
        let d = s.document(t, *id).unwrap().map(|d| (d.kind, d.bytes, d.chunk_count, d.heads, d.updated_at));
        writeln!(out, "document {id}: {d:?}").unwrap();
        let mut sigs = s.signatures(t, *id).unwrap();
        sigs.sort_by(|a, b| a.hash.cmp(&b.hash));
        writeln!(out, "signatures {id}: {sigs:?}").unwrap();
    }
    let (pulled, _) = pull_all(s, t, 0, "nobody", &Scope::Tenant);
    writeln!(out, "pull: {pulled:?}").unwrap();
    writeln!(out, "signers: {:?}", s.signers(t, None).unwrap()).unwrap();
    writeln!(out, "devices: {:?}", s.devices(t).unwrap()).unwrap();
    out + &views(s, t)
}

/// Every merged-view, report and input read of a tenant, as text.
pub(super) fn views(s: &dyn Storage, t: &str) -> String {
    use std::fmt::Write;
    let all = Window { from_ms: 0, to_ms: i64::MAX };
    let mut out = String::new();
    let mut line = |name: &str, v: &dyn std::fmt::Debug| writeln!(out, "{name}: {v:?}").unwrap();
    let appraisals = s.appraisals(t, &AppraisalFilter::default()).unwrap();
    for a in &appraisals {
        let id: DocId = a.doc_id.parse().unwrap();
        line(&format!("appraisal_targets {id}"), &s.appraisal_targets(t, id).unwrap());
        line(&format!("appraisal_fact {id}"), &s.appraisal_fact(t, &a.doc_id).unwrap());
        line(&format!("innovations {id}"), &s.innovations(t, &a.doc_id).unwrap());
    }
    line("appraisals", &appraisals);
    line("employees", &s.employees(t, None).unwrap());
    line("feedback_count", &s.feedback_count(t, None).unwrap());
    line("conflicts", &s.conflicts(t).unwrap());
    line("units", &s.units(t).unwrap());
    line("staff", &s.staff(t).unwrap());
    let periods = s.periods(t).unwrap();
    line("periods", &periods);
    line("appraisal_facts", &s.appraisal_facts(t, &periods, None).unwrap());
    for p in &periods {
        let mut ratings = s.appraisal_ratings(t, p).unwrap();
        ratings.sort_by(|a, b| a.employee_nip.cmp(&b.employee_nip));
        line(&format!("appraisal_ratings {p}"), &ratings);
        let mut predikats = s.predikats(t, p).unwrap();
        predikats.sort_by(|a, b| a.employee_nip.cmp(&b.employee_nip));
        line(&format!("predikats {p}"), &predikats);
        let mut up = s.unit_periods(t, p).unwrap();
        up.sort_by(|a, b| a.unit_id.cmp(&b.unit_id));
        line(&format!("unit_periods {p}"), &up);
    }
    line("feedback_by_service", &s.feedback_by_service(t, all).unwrap());
    let officers: Vec<_> =
        s.feedback_by_officer(t, all, None).unwrap().into_iter().map(|f| (f.key, f.respondents, f.sums)).collect();
    line("feedback_by_officer", &officers);
    line("feedback_comments", &s.feedback_comments(t, all, None, None, 10_000).unwrap());
    let century = Window { from_ms: ms("2000-01-01T00:00:00Z"), to_ms: ms("2100-01-01T00:00:00Z") };
    line("waiting_by_month", &s.waiting_by_month(t, century, 0).unwrap());
    line("trainings", &s.trainings(t, "0000-01-01", "9999-12-31").unwrap());
    let mut minutes = s.training_minutes(t, "0000-01-01", "9999-12-31").unwrap();
    minutes.sort();
    line("training_minutes", &minutes);
    line("mentoring", &s.mentoring(t).unwrap());
    line("settings", &s.settings(t).unwrap());
    let mut potentials = s.potentials(t).unwrap();
    potentials.sort_by(|a, b| a.nip.cmp(&b.nip));
    line("potentials", &potentials);
    line("sanctions", &s.sanctions(t).unwrap());
    let programmes = s.programmes(t).unwrap();
    for p in &programmes {
        line(&format!("seats {}", p.id), &s.seats(t, &p.id).unwrap());
    }
    line("programmes", &programmes);
    out
}
