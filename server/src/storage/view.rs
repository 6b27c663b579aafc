//! The merged view of one document: the rows HR reads, computed once, here,
//! from the document's merged record. Backends store these values as they
//! are; they never derive one (a predikat, a count, a sum) themselves, so
//! every backend shows the same numbers.

use prestasi_core::model::{Appraisal, BehaviourValue, PositionKind};
use prestasi_core::rules::Rating;

use super::{
    AppraisalFact, BehaviourRow, FeedbackRow, InnovationRow, MentoringRow, Record, StaffRow, TargetRow, TrainingRow,
    UnitRow,
};

/// What one document contributes to the merged view.
#[derive(Debug, Clone, PartialEq)]
pub enum View {
    Employee(StaffRow),
    Unit(UnitRow),
    Appraisal(Box<AppraisalView>),
    Feedback(FeedbackRow),
    Training(TrainingRow),
    Mentoring(MentoringRow),
    /// Allowance and award documents: kept as documents only (the reports
    /// compute allowances from appraisals).
    Nothing,
}

/// An appraisal's row with its child rows.
#[derive(Debug, Clone, PartialEq)]
pub struct AppraisalView {
    pub fact: AppraisalFact,
    pub notes: String,
    /// In the document's order.
    pub targets: Vec<TargetRow>,
    /// Values with a rating or a note.
    pub behaviour: Vec<BehaviourRow>,
    pub innovations: Vec<InnovationRow>,
}

impl View {
    /// The rows of `record`, stored under document `doc_id`.
    pub fn of(doc_id: &str, record: &Record) -> View {
        match record {
            Record::Employee(e) => {
                let (kind, level) = match e.position {
                    PositionKind::Fungsional(l) => ("Fungsional".to_string(), Some(l.to_string())),
                    other => (format!("{other:?}"), None),
                };
                View::Employee(StaffRow {
                    nip: e.nip.as_str().to_string(),
                    name: e.name.clone(),
                    unit_id: e.unit_id.clone(),
                    superior_nip: e.superior_nip.as_ref().map(|n| n.as_str().to_string()),
                    rank: e.rank.map(|r| r.to_string()),
                    rank_since: e.rank_since.clone(),
                    education: e.education.map(|x| x.to_string()),
                    position_kind: kind,
                    functional_level: level,
                    position_title: e.position_title.clone(),
                    active: e.active,
                })
            }
            Record::Unit(u) => View::Unit(UnitRow {
                id: u.id.clone(),
                agency_id: u.agency_id.clone(),
                agency_name: u.agency_name.clone(),
                name: u.name.clone(),
                head_nip: u.head_nip.as_ref().map(|n| n.as_str().to_string()),
            }),
            Record::Appraisal(a) => View::Appraisal(Box::new(appraisal(doc_id, a))),
            Record::Feedback(f) => View::Feedback(FeedbackRow {
                unit_id: f.unit_id.clone(),
                service: f.service.clone(),
                scores: f.scores.as_array(),
                minutes_waited: f.minutes_waited,
                comment: f.comment.clone(),
                channel: f.channel,
                submitted_at: prestasi_core::model::time::format_timestamp(&f.submitted_at),
                officer_nip: f.officer_nip.as_ref().map(|n| n.as_str().to_string()),
            }),
            Record::Training(x) => View::Training(TrainingRow {
                doc_id: doc_id.to_string(),
                employee_nip: x.employee_nip.as_str().to_string(),
                form: x.form.to_string(),
                title: x.title.clone(),
                provider: x.provider.clone(),
                start_date: x.start.to_string(),
                end_date: x.end.to_string(),
                minutes: x.minutes,
                programme_id: x.programme_id.clone(),
            }),
            Record::Mentoring(m) => View::Mentoring(MentoringRow {
                doc_id: doc_id.to_string(),
                mentor_nip: m.mentor_nip.as_str().to_string(),
                mentee_nip: m.mentee_nip.as_str().to_string(),
                unit_id: m.unit_id.clone(),
                start_date: m.start.to_string(),
                active: m.active,
                sessions: u32::try_from(m.sessions.len()).unwrap_or(u32::MAX),
                minutes: m.sessions.iter().map(|s| u64::from(s.minutes)).sum(),
            }),
            Record::Allowance(_) | Record::Award(_) => View::Nothing,
        }
    }
}

fn appraisal(doc_id: &str, a: &Appraisal) -> AppraisalView {
    let rated = |r: Rating| a.targets.iter().filter(move |t| t.rating == Some(r));
    let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    let fact = AppraisalFact {
        doc_id: doc_id.to_string(),
        employee_nip: a.employee_nip.as_str().to_string(),
        period: a.period.clone(),
        unit_id: a.unit_id.clone(),
        appraiser_nip: a.appraiser_nip.as_str().to_string(),
        reviewer_nip: a.reviewer_nip.as_ref().map(|n| n.as_str().to_string()),
        status: a.status,
        hasil_kerja: a.hasil_kerja,
        perilaku: a.perilaku,
        predikat: a.predikat(),
        targets: count(a.targets.len()),
        targets_above: count(rated(Rating::DiAtasEkspektasi).count()),
        targets_below: count(rated(Rating::DiBawahEkspektasi).count()),
        innovations: count(a.innovations.len()),
        behaviour: a.behaviour.clone(),
        weak_targets: rated(Rating::DiBawahEkspektasi).map(|t| t.indicator.clone()).collect(),
    };
    let targets = a
        .targets
        .iter()
        .map(|x| TargetRow {
            target_id: x.id.clone(),
            indicator: x.indicator.clone(),
            target: x.target,
            realisation: x.realisation,
            unit: x.unit.clone(),
            main: x.main,
            rating: x.rating,
        })
        .collect();
    let behaviour = BehaviourValue::ALL
        .into_iter()
        .filter_map(|v| {
            let (rating, note) = (a.behaviour.get(&v).copied(), a.behaviour_notes.get(&v).cloned());
            (rating.is_some() || note.is_some()).then_some(BehaviourRow { value: v, rating, note })
        })
        .collect();
    let mut innovations: Vec<InnovationRow> = a
        .innovations
        .iter()
        .map(|n| InnovationRow {
            item_id: n.id.clone(),
            what: n.what.clone(),
            date: n.date.to_string(),
            effect: n.effect.clone(),
        })
        .collect();
    // One row per item id, as a map in the document would hold them.
    innovations.sort_by(|x, y| x.item_id.cmp(&y.item_id));
    innovations.dedup_by(|x, y| x.item_id == y.item_id);
    AppraisalView { fact, notes: a.notes.clone(), targets, behaviour, innovations }
}
