//! The schema of each kind, written next to nothing else so it reads as the
//! spec it is. Enum spellings are not typed here: they are read from what
//! the Rust types write (autosurgeon), so they cannot disagree.

use automerge::{AutoCommit, ReadDoc, ScalarValue, Value};
use autosurgeon::Reconcile;

use super::{Field, Format, Keys, KindSchema, Limit, Ty};
use crate::doc::DocKind;
use crate::model::appraisal::{MAX_NOTE_CHARS, MAX_TARGETS};
use crate::model::decision::AwardKind;
use crate::model::development::{MAX_MINUTES, MAX_SESSION_MINUTES};
use crate::model::period::MAX_CODE_LEN;
use crate::model::{AppraisalStatus, BehaviourValue, Channel, PositionKind};
use crate::rules::credit::FunctionalLevel;
use crate::rules::development::DevelopmentForm;
use crate::rules::predikat::{Predikat, Rating};
use crate::rules::rank::{Education, Rank};

/// The schema of `kind`.
pub fn of(kind: DocKind) -> KindSchema {
    match kind {
        DocKind::Employee => employee(),
        DocKind::Unit => unit(),
        DocKind::Appraisal => appraisal(),
        DocKind::Feedback => feedback(),
        DocKind::Training => training(),
        DocKind::Mentoring => mentoring(),
        DocKind::Allowance => allowance(),
        DocKind::Award => award(),
    }
}

const U32: Ty = Ty::Uint { min: 0, max: u32::MAX as u64 };

fn text(min: usize, max: usize) -> Limit {
    Limit::Chars { min, max }
}

fn str() -> Ty {
    Ty::Str(Format::Plain)
}

fn nip() -> Ty {
    Ty::Str(Format::Nip)
}

fn date() -> Ty {
    Ty::Str(Format::Date)
}

fn period() -> Field {
    Field::new("period", Ty::Str(Format::PeriodCode)).limit(text(1, MAX_CODE_LEN))
}

fn unit_id() -> Field {
    Field::new("unit_id", str()).limit(text(1, 64))
}

fn rating() -> Ty {
    Ty::Enum(spell(Rating::ALL))
}

fn behaviour_keys() -> Keys {
    Keys::AnyOf(BehaviourValue::ALL.iter().map(|v| v.key().to_string()).collect())
}

const ASSIGNMENT: &str = "set at creation from the roster (HR: anyone); afterwards HR only";

fn appraisal() -> KindSchema {
    let target = vec![
        Field::new("id", str()).limit(text(1, 64)),
        Field::new("indicator", str()).limit(text(1, 500)),
        Field::new("target", Ty::F64).limit(Limit::NonNegative),
        Field::new("realisation", Ty::F64.nullable()).limit(Limit::NonNegative),
        Field::new("unit", str()).limit(text(0, 50)),
        Field::new("main", Ty::Bool),
        Field::new("rating", rating().nullable()),
    ];
    let dialogue = vec![
        Field::new("id", str()),
        Field::new("date", date()),
        Field::new("author_nip", str()),
        Field::new("text", str()).limit(text(1, MAX_NOTE_CHARS)),
    ];
    let innovation = vec![
        Field::new("id", str()),
        Field::new("what", str()).limit(text(1, 500)),
        Field::new("date", date()),
        Field::new("effect", str()).limit(text(0, MAX_NOTE_CHARS)),
    ];
    let content = "appraiser while draft; HR";
    KindSchema {
        kind: DocKind::Appraisal,
        writers: "the appraiser creates it; then the workflow below decides; HR may do anything",
        id_rule: "UUIDv5 of `appraisal/<employee_nip>/<period>`, shared genesis",
        fields: vec![
            Field::new("employee_nip", nip()).writers("creator; never changes"),
            period().writers("creator; never changes"),
            unit_id().writers(ASSIGNMENT),
            Field::new("appraiser_nip", nip()).writers(ASSIGNMENT),
            Field::new("reviewer_nip", nip().nullable()).writers(ASSIGNMENT),
            Field::new("targets", Ty::List(target)).limit(Limit::Items { max: MAX_TARGETS }).writers(content),
            Field::new("behaviour", Ty::Map { keys: behaviour_keys(), value: Box::new(rating()) }).writers(content),
            Field::new("behaviour_notes", Ty::Map { keys: behaviour_keys(), value: Box::new(str()) })
                .limit(text(0, MAX_NOTE_CHARS))
                .writers(content),
            Field::new("hasil_kerja", rating().nullable()).writers(content),
            Field::new("perilaku", rating().nullable()).writers(content),
            Field::new("notes", str()).limit(text(0, MAX_NOTE_CHARS)).writers(content),
            Field::new("dialogues", Ty::List(dialogue)).writers("appraiser, reviewer, HR, in any status"),
            Field::new("innovations", Ty::List(innovation)).writers(content),
            Field::new("status", Ty::Enum(spell(AppraisalStatus::ALL))).writers("see the workflow"),
        ],
    }
}

fn feedback() -> KindSchema {
    let score_keys = (1..=9).map(|i| format!("u{i}")).collect();
    KindSchema {
        kind: DocKind::Feedback,
        writers: "kiosk, supervisor or HR creates it; nobody changes it",
        id_rule: "random (UUIDv7 made where the citizen answered)",
        fields: vec![
            unit_id(),
            Field::new("service", str()).limit(text(1, 200)),
            Field::new("scores", Ty::Map { keys: Keys::All(score_keys), value: Box::new(Ty::Uint { min: 1, max: 4 }) }),
            Field::new("minutes_waited", U32)
                .limit(Limit::Range { min: 0.0, max: f64::from(crate::model::feedback::MAX_MINUTES_WAITED) }),
            Field::new("comment", str()).limit(text(0, 2000)),
            Field::new("channel", Ty::Enum(spell(Channel::ALL))),
            Field::new("submitted_at", Ty::Str(Format::Timestamp)),
            Field::new("officer_nip", nip().nullable()),
        ],
    }
}

fn employee() -> KindSchema {
    let units = [PositionKind::Pelaksana, PositionKind::Pengawas, PositionKind::Administrator, PositionKind::Jpt];
    let functional = PositionKind::Fungsional(FunctionalLevel::Pemula);
    KindSchema {
        kind: DocKind::Employee,
        writers: "HR only",
        id_rule: "random; the NIP never changes",
        fields: vec![
            Field::new("nip", nip()),
            Field::new("name", str()).limit(text(1, 200)),
            Field::new("rank", Ty::Enum(spell(Rank::ALL)).nullable()),
            Field::new("rank_since", date().nullable()),
            Field::new("education", Ty::Enum(spell(Education::ALL)).nullable()),
            Field::new(
                "position",
                Ty::Variant {
                    units: spell(units),
                    tagged: vec![(tag_of(&functional), Ty::Enum(spell(FunctionalLevel::ALL)))],
                },
            ),
            Field::new("position_title", str()),
            unit_id(),
            Field::new("superior_nip", nip().nullable()),
            Field::new("active", Ty::Bool),
        ],
    }
}

fn unit() -> KindSchema {
    KindSchema {
        kind: DocKind::Unit,
        writers: "HR only",
        id_rule: "random",
        fields: vec![
            Field::new("id", str()).limit(text(1, 64)),
            Field::new("agency_id", str()).limit(text(1, 64)),
            Field::new("agency_name", str()),
            Field::new("name", str()).limit(text(1, 200)),
            Field::new("head_nip", nip().nullable()),
        ],
    }
}

fn training() -> KindSchema {
    KindSchema {
        kind: DocKind::Training,
        writers: "HR or a supervisor",
        id_rule: "random, or for a programme's attendance UUIDv5 of `attendance/<programme_id>/<employee_nip>`",
        fields: vec![
            Field::new("employee_nip", nip()),
            Field::new("form", Ty::Enum(spell(DevelopmentForm::ALL))),
            Field::new("title", str()).limit(text(1, 300)),
            Field::new("provider", str()).limit(text(0, 300)),
            Field::new("start", date()),
            Field::new("end", date()),
            Field::new("minutes", U32).limit(Limit::Range { min: 1.0, max: f64::from(MAX_MINUTES) }),
            Field::new("programme_id", str().nullable()),
        ],
    }
}

fn mentoring() -> KindSchema {
    let session = vec![
        Field::new("id", str()),
        Field::new("date", date()),
        Field::new("minutes", U32).limit(Limit::Range { min: 1.0, max: f64::from(MAX_SESSION_MINUTES) }),
        Field::new("topic", str()).limit(text(1, 300)),
        Field::new("notes", str()).limit(text(0, 4000)),
    ];
    KindSchema {
        kind: DocKind::Mentoring,
        writers: "HR or a supervisor",
        id_rule: "random",
        fields: vec![
            Field::new("mentor_nip", nip()),
            Field::new("mentee_nip", nip()),
            unit_id(),
            Field::new("start", date()),
            Field::new("active", Ty::Bool),
            Field::new("sessions", Ty::List(session)),
        ],
    }
}

fn allowance() -> KindSchema {
    KindSchema {
        kind: DocKind::Allowance,
        writers: "HR only",
        id_rule: "random",
        fields: vec![
            Field::new("employee_nip", nip()),
            period(),
            Field::new("predikat", Ty::Enum(spell(Predikat::ALL))),
            Field::new("percent", Ty::F64).limit(Limit::Range { min: 0.0, max: 200.0 }),
            Field::new("decided_on", date()),
        ],
    }
}

fn award() -> KindSchema {
    KindSchema {
        kind: DocKind::Award,
        writers: "HR only",
        id_rule: "random",
        fields: vec![
            Field::new("employee_nip", nip()),
            period(),
            Field::new("kind", Ty::Enum(spell(AwardKind::ALL))),
            Field::new("reason", str()).limit(text(1, 2000)),
            Field::new("decided_on", date()),
        ],
    }
}

/// The strings the Rust values write, in order.
fn spell<T: Reconcile>(all: impl IntoIterator<Item = T>) -> Vec<String> {
    all.into_iter()
        .filter_map(|v| match written(&v)? {
            Value::Scalar(s) => match s.as_ref() {
                ScalarValue::Str(s) => Some(s.to_string()),
                _ => None,
            },
            Value::Object(_) => None,
        })
        .collect()
}

/// The single key of the map a data-carrying enum variant writes.
fn tag_of<T: Reconcile>(v: &T) -> String {
    let mut am = AutoCommit::new();
    let Ok(()) = autosurgeon::reconcile_prop(&mut am, automerge::ROOT, "v", v) else { return String::new() };
    match am.get(automerge::ROOT, "v") {
        Ok(Some((Value::Object(_), obj))) => am.keys(&obj).next().unwrap_or_default(),
        _ => String::new(),
    }
}

fn written<T: Reconcile>(v: &T) -> Option<Value<'static>> {
    let mut am = AutoCommit::new();
    autosurgeon::reconcile_prop(&mut am, automerge::ROOT, "v", v).ok()?;
    am.get(automerge::ROOT, "v").ok()?.map(|(v, _)| v.into_owned())
}
