//! Server side of the sync protocol: check every pushed document against
//! schema, rules and the device's rights *before* merging it, store what
//! passes durably, then answer with what changed in the device's scope.

pub mod access;
pub mod bundle;
pub mod epoch;
mod push;
mod records;
pub mod reproject;
pub mod signers;

use prestasi_core::model::{Author, DeviceId};
use prestasi_core::sync::protocol::{PROTOCOL_VERSION, PulledDoc, SyncRequest, SyncResponse, id_bytes, id_from_bytes};
use serde_bytes::ByteBuf;

pub use push::projection;
pub use push::push_all;
pub(crate) use push::{Checked, check_typed, push_typed};
pub use records::Merged;

use crate::config::Limits;
use crate::storage::{DeviceRow, PullQuery, Storage, StorageError};

/// Who is pushing: an enrolled device and the person it is enrolled for.
#[derive(Debug, Clone)]
pub struct Writer {
    pub tenant: String,
    /// Device id (`server` for the server's own writes).
    pub origin: String,
    /// The person making this change, on this device, in the device's role.
    pub author: Author,
    /// The person the device is enrolled for.
    pub enrolled_user: String,
    pub units: Vec<String>,
    /// The server's own writes sign their changes with the server's key as
    /// they are checked; devices send signatures made on the device.
    pub signing_key: Option<std::sync::Arc<prestasi_core::signing::PersonKey>>,
}

impl Writer {
    pub fn device(d: &DeviceRow) -> Result<Self, StorageError> {
        let device: DeviceId = d.id.parse().map_err(|e| StorageError::Backend(format!("device id: {e}")))?;
        Ok(Self {
            tenant: d.tenant_id.clone(),
            origin: d.id.clone(),
            author: Author::new(d.user_id.clone(), device, d.role),
            enrolled_user: d.user_id.clone(),
            units: d.units.clone(),
            signing_key: None,
        })
    }
}

/// One sync round trip for `device`, answered under the database's
/// storage `epoch` (the caller checked the request's, see [`epoch`]).
pub fn sync(
    storage: &dyn Storage,
    limits: &Limits,
    device: &DeviceRow,
    req: SyncRequest,
    epoch: String,
) -> Result<SyncResponse, StorageError> {
    let writer = Writer::device(device)?;
    let now = chrono::Utc::now();
    // Keys first: a key bound here verifies the pushes of the same request.
    let signers = signers::bind_all(storage, device, &req.signers, now.timestamp_millis())?;
    let results = push_all(storage, limits, &writer, &req.push, now.timestamp_millis())?;
    let scope = access::read_scope(device);
    let page = storage.pull(&PullQuery {
        tenant: &device.tenant_id,
        cursor: req.cursor,
        exclude_origin: &device.id,
        scope: &scope,
        max_bytes: match usize::try_from(req.max_pull_bytes) {
            Ok(0) | Err(_) => limits.max_pull_bytes,
            Ok(asked) => asked.min(limits.max_pull_bytes),
        },
    })?;
    let wanted: Vec<_> = req.fetch.iter().filter_map(|b| id_from_bytes(b)).collect();
    let fetched = storage.fetch(&device.tenant_id, &wanted, &scope)?;
    let mut docs: Vec<PulledDoc> = fetched
        .into_iter()
        .map(|d| PulledDoc { id: id_bytes(d.id), kind: d.kind.as_str().into(), changes: ByteBuf::from(d.bytes) })
        .collect();
    for d in page.docs {
        // A fetched whole document already holds these changes.
        if !wanted.contains(&d.id) {
            docs.push(PulledDoc { id: id_bytes(d.id), kind: d.kind.as_str().into(), changes: ByteBuf::from(d.bytes) });
        }
    }
    Ok(SyncResponse {
        v: PROTOCOL_VERSION,
        results,
        docs,
        cursor: page.cursor,
        more: page.more,
        server_time: prestasi_core::model::time::format_timestamp(&now),
        signers,
        epoch: Some(epoch),
    })
}

/// A key for `person` on `device`, bound as if through a person code: for
/// unit tests that build writers by hand.
#[cfg(test)]
pub(crate) fn bound_test_key(
    storage: &dyn Storage,
    tenant: &str,
    person: &str,
    device: &DeviceId,
) -> std::sync::Arc<prestasi_core::signing::PersonKey> {
    #[allow(clippy::unwrap_used)]
    let key = prestasi_core::signing::PersonKey::generate().unwrap();
    #[allow(clippy::unwrap_used)]
    storage
        .insert_signer(&crate::storage::SignerRow {
            public_key: key.public().to_vec(),
            tenant_id: tenant.into(),
            person: person.into(),
            device_id: device.to_string(),
            server: false,
            bound_at: 0,
            revoked_at: None,
            revoked_reason: None,
        })
        .unwrap();
    std::sync::Arc::new(key)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]
mod conformance_tests;
