//! [`ReportStore`] for PostgreSQL: reads on a pooled connection (those of
//! several statements on one snapshot), HR inputs in their own statements.

use super::{PostgresStorage, inputs, reports};
use crate::storage::{
    AppraisalFact, CommentRow, FeedbackSums, InnovationRow, MentoringRow, PotentialRow, PredikatRow, ProgrammeRow,
    RatingsRow, ReportStore, SanctionRow, SeatRow, StaffRow, StorageError, TrainingRow, UnitPeriodRow, UnitRow,
    WaitingRow, Window,
};

type R<T> = Result<T, StorageError>;

impl ReportStore for PostgresStorage {
    fn units(&self, tenant: &str) -> R<Vec<UnitRow>> {
        self.with_conn(|c| reports::units(c, tenant))
    }
    fn staff(&self, tenant: &str) -> R<Vec<StaffRow>> {
        self.with_conn(|c| reports::staff(c, tenant))
    }
    fn appraisal_facts(&self, tenant: &str, periods: &[String], unit: Option<&str>) -> R<Vec<AppraisalFact>> {
        self.snapshot(|tx| reports::appraisal_facts(tx.c, tenant, periods, unit))
    }
    fn appraisal_fact(&self, tenant: &str, doc_id: &str) -> R<Option<AppraisalFact>> {
        self.with_conn(|c| reports::appraisal_fact(c, tenant, doc_id))
    }
    fn innovations(&self, tenant: &str, doc_id: &str) -> R<Vec<InnovationRow>> {
        self.with_conn(|c| reports::innovations(c, tenant, doc_id))
    }
    fn appraisal_ratings(&self, tenant: &str, period: &str) -> R<Vec<RatingsRow>> {
        self.with_conn(|c| reports::appraisal_ratings(c, tenant, period))
    }
    fn predikats(&self, tenant: &str, period: &str) -> R<Vec<PredikatRow>> {
        self.with_conn(|c| reports::predikats(c, tenant, period))
    }
    fn periods(&self, tenant: &str) -> R<Vec<String>> {
        self.with_conn(|c| reports::periods(c, tenant))
    }
    fn feedback_by_service(&self, tenant: &str, w: Window) -> R<Vec<FeedbackSums>> {
        self.with_conn(|c| reports::feedback_by_service(c, tenant, w))
    }
    fn feedback_by_officer(&self, tenant: &str, w: Window, officers: Option<&[String]>) -> R<Vec<FeedbackSums>> {
        self.with_conn(|c| reports::feedback_by_officer(c, tenant, w, officers))
    }
    fn feedback_comments(
        &self,
        tenant: &str,
        w: Window,
        unit: Option<&str>,
        officer: Option<&str>,
        limit: u32,
    ) -> R<Vec<CommentRow>> {
        self.with_conn(|c| reports::feedback_comments(c, tenant, w, unit, officer, limit))
    }
    fn waiting_by_month(&self, tenant: &str, w: Window, utc_offset_minutes: i32) -> R<Vec<WaitingRow>> {
        self.with_conn(|c| reports::waiting_by_month(c, tenant, w, utc_offset_minutes))
    }
    fn training_minutes(&self, tenant: &str, from: &str, to: &str) -> R<Vec<(String, u64)>> {
        self.with_conn(|c| reports::training_minutes(c, tenant, from, to))
    }
    fn trainings(&self, tenant: &str, from: &str, to: &str) -> R<Vec<TrainingRow>> {
        self.with_conn(|c| reports::trainings(c, tenant, from, to))
    }
    fn mentoring(&self, tenant: &str) -> R<Vec<MentoringRow>> {
        self.with_conn(|c| reports::mentoring(c, tenant))
    }
    fn settings(&self, tenant: &str) -> R<Option<String>> {
        self.with_conn(|c| inputs::settings(c, tenant))
    }
    fn set_settings(&self, tenant: &str, json: &str) -> R<()> {
        self.with_conn(|c| inputs::set_settings(c, tenant, json))
    }
    fn unit_periods(&self, tenant: &str, period: &str) -> R<Vec<UnitPeriodRow>> {
        self.with_conn(|c| inputs::unit_periods(c, tenant, period))
    }
    fn set_unit_period(&self, tenant: &str, row: &UnitPeriodRow) -> R<()> {
        self.with_conn(|c| inputs::set_unit_period(c, tenant, row))
    }
    fn potentials(&self, tenant: &str) -> R<Vec<PotentialRow>> {
        self.with_conn(|c| inputs::potentials(c, tenant))
    }
    fn set_potential(&self, tenant: &str, row: &PotentialRow) -> R<()> {
        self.with_conn(|c| inputs::set_potential(c, tenant, row))
    }
    fn sanctions(&self, tenant: &str) -> R<Vec<SanctionRow>> {
        self.with_conn(|c| inputs::sanctions(c, tenant))
    }
    fn add_sanction(&self, tenant: &str, row: &SanctionRow) -> R<()> {
        self.with_conn(|c| inputs::add_sanction(c, tenant, row))
    }
    fn programmes(&self, tenant: &str) -> R<Vec<ProgrammeRow>> {
        self.with_conn(|c| inputs::programmes(c, tenant))
    }
    fn create_programme(&self, tenant: &str, row: &ProgrammeRow) -> R<()> {
        self.with_conn(|c| inputs::create_programme(c, tenant, row))
    }
    fn set_seats(&self, tenant: &str, programme: &str, seats: &[SeatRow]) -> R<()> {
        self.transaction(|tx| inputs::set_seats(tx, tenant, programme, seats))
    }
    fn seats(&self, tenant: &str, programme: &str) -> R<Vec<SeatRow>> {
        self.with_conn(|c| inputs::seats(c, tenant, programme))
    }
}
