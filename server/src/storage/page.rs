//! Assembling a pull page from the rows a backend read, the same way for
//! every backend: what differs between them is how they read the rows and
//! where their positions come from, not what a page is.

use std::collections::HashMap;

use prestasi_core::doc::DocKind;
use prestasi_core::model::DocId;

use super::{PullPage, PulledBytes};

/// One row a backend read for a pull: a chunk at its position, or a
/// compacted document's snapshot at its `snapshot_seq`.
#[derive(Debug)]
pub(crate) struct PulledRow {
    pub seq: i64,
    pub id: String,
    pub kind: String,
    pub data: Vec<u8>,
}

/// Rows (any order) into a page of at most `max_bytes` (at least one row).
/// `high` is the highest position the backend's snapshot holds; `cut` the
/// first position a query stopped at unread (its byte budget was spent), so
/// the page must end before it.
pub(crate) fn assemble(mut rows: Vec<PulledRow>, cut: Option<i64>, high: i64, max_bytes: usize) -> PullPage {
    rows.sort_by_key(|r| r.seq);
    let position = |seq: i64| u64::try_from(seq).unwrap_or(0);
    let mut page = PullPage { docs: Vec::new(), cursor: position(high), more: false };
    let mut size = 0;
    let mut index: HashMap<String, usize> = HashMap::new();
    for row in rows {
        if cut.is_some_and(|c| row.seq >= c) || (size > 0 && size + row.data.len() > max_bytes) {
            page.cursor = position(row.seq - 1);
            page.more = true;
            break;
        }
        size += row.data.len();
        match index.get(&row.id) {
            Some(&i) => {
                if let Some(d) = page.docs.get_mut(i) {
                    d.bytes.extend_from_slice(&row.data);
                }
            }
            None => {
                let (Ok(id), Ok(kind)) = (row.id.parse::<DocId>(), DocKind::parse(&row.kind)) else { continue };
                index.insert(row.id, page.docs.len());
                page.docs.push(PulledBytes { id, kind, bytes: row.data });
            }
        }
    }
    if let Some(c) = cut
        && !page.more
    {
        page.cursor = position(c - 1);
        page.more = true;
    }
    page
}
