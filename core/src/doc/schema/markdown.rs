//! The schema as the Markdown tables of docs/PROTOCOL.md ("Documents").
//! A test compares them with the file; `PRESTASI_BLESS=1` rewrites it.

use std::fmt::Write;

use super::{Field, Format, Keys, KindSchema, Limit, Ty, all};
use crate::model::workflow::{Relation, TRANSITIONS};

/// Every kind's field table, then the appraisal workflow.
pub fn markdown() -> String {
    let mut out = String::new();
    for kind in all() {
        table(&mut out, &kind);
    }
    workflow(&mut out);
    out
}

fn table(out: &mut String, k: &KindSchema) {
    let _ = writeln!(out, "#### `{}`\n", k.kind.as_str());
    let _ = writeln!(out, "Written by: {}. Id: {}.\n", k.writers, k.id_rule);
    out.push_str("| field | automerge type | limit | written by |\n|---|---|---|---|\n");
    rows(out, &k.fields, "");
    out.push('\n');
}

fn rows(out: &mut String, fields: &[Field], prefix: &str) {
    for f in fields {
        let path = format!("{prefix}{}", f.name);
        let limit = limit(&f.limit);
        let _ = writeln!(out, "| `{path}` | {} | {limit} | {} |", ty(&f.ty), f.writers);
        if let Ty::List(item) = &f.ty {
            rows(out, item, &format!("{path}[]."));
        }
    }
}

fn ty(t: &Ty) -> String {
    match t {
        Ty::Str(Format::Plain) => "string".into(),
        Ty::Str(f) => format!("string: {}", f.en()),
        Ty::F64 => "f64".into(),
        Ty::Uint { min: 0, max } if *max >= u64::from(u32::MAX) => format!("uint ≤ {max}"),
        Ty::Uint { min, max } => format!("uint {min}–{max}"),
        Ty::Bool => "boolean".into(),
        Ty::Enum(names) => format!("string, one of {}", quoted(names)),
        Ty::Nullable(inner) => format!("null or {}", ty(inner)),
        Ty::Map { keys: Keys::AnyOf(keys), value } => {
            format!("map, keys among {}, each {}", quoted(keys), ty(value))
        }
        Ty::Map { keys: Keys::All(keys), value } => {
            format!("map, keys {} all present, each {}", quoted(keys), ty(value))
        }
        Ty::List(_) => "list of maps (below)".into(),
        Ty::Variant { units, tagged } => {
            let tags: Vec<String> =
                tagged.iter().map(|(tag, inner)| format!("a map `{{\"{tag}\": …}}` holding {}", ty(inner))).collect();
            format!("string, one of {}; or {}", quoted(units), tags.join("; or "))
        }
    }
}

fn limit(l: &Limit) -> String {
    match l {
        Limit::None => String::new(),
        Limit::Chars { min: 0, max } => format!("≤ {max} characters"),
        Limit::Chars { min, max } => format!("{min}–{max} characters, not blank"),
        Limit::Range { min, max } => format!("{min}–{max}"),
        Limit::NonNegative => "finite, ≥ 0".into(),
        Limit::Items { max } => format!("≤ {max} items"),
    }
}

fn quoted(names: &[String]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

fn workflow(out: &mut String) {
    out.push_str("#### Appraisal workflow (`status`)\n\n");
    out.push_str("Outside these steps HR may set any status; a `locked` appraisal changes only when HR reopens it ");
    out.push_str("in the same change. Content fields change only while `draft`.\n\n");
    out.push_str("| from | to | taken by |\n|---|---|---|\n");
    for (from, to, who) in TRANSITIONS {
        let who: Vec<&str> = who.iter().map(Relation::name).collect();
        let _ = writeln!(out, "| `{}` | `{}` | {} |", from.as_str(), to.as_str(), who.join(", "));
    }
}
