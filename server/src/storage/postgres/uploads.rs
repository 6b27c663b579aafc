//! [`UploadStore`] for PostgreSQL: one statement or one transaction each;
//! an append locks its upload's row, so parts of one upload never race.

use postgres::GenericClient;

use super::{PostgresStorage, get};
use crate::storage::{StorageError, UploadRow, UploadStore};

type R<T> = Result<T, StorageError>;

fn row(c: &mut impl GenericClient, device: &str, id: &str, lock: bool) -> R<Option<UploadRow>> {
    let sql = if lock {
        "SELECT length, received, answer, updated_at FROM uploads WHERE device_id = $1 AND id = $2 FOR UPDATE"
    } else {
        "SELECT length, received, answer, updated_at FROM uploads WHERE device_id = $1 AND id = $2"
    };
    let Some(r) = c.query_opt(sql, &[&device, &id])? else { return Ok(None) };
    Ok(Some(UploadRow {
        device_id: device.into(),
        id: id.into(),
        length: get::<i64>(&r, 0)?.try_into().unwrap_or(0),
        received: get::<i64>(&r, 1)?.try_into().unwrap_or(0),
        answer: get(&r, 2)?,
        updated_at: get(&r, 3)?,
    }))
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl UploadStore for PostgresStorage {
    fn open_upload(&self, device: &str, id: &str, length: u64, now: i64) -> R<UploadRow> {
        self.transaction(|tx| {
            tx.execute(
                "INSERT INTO uploads (device_id, id, length, received, updated_at) VALUES ($1, $2, $3, 0, $4)
                 ON CONFLICT (device_id, id) DO NOTHING",
                &[&device, &id, &int(length), &now],
            )?;
            row(tx, device, id, false)?.ok_or_else(|| StorageError::NotFound(format!("upload {id}")))
        })
    }

    fn upload(&self, device: &str, id: &str) -> R<Option<UploadRow>> {
        self.with_conn(|c| row(c, device, id, false))
    }

    fn uploads_of(&self, device: &str) -> R<u64> {
        self.with_conn(|c| {
            let r = c.query_one("SELECT count(*) FROM uploads WHERE device_id = $1", &[&device])?;
            Ok(get::<i64>(&r, 0)?.try_into().unwrap_or(0))
        })
    }

    fn append_upload(&self, device: &str, id: &str, offset: u64, bytes: &[u8], now: i64) -> R<Option<UploadRow>> {
        self.transaction(|tx| {
            let Some(current) = row(tx, device, id, true)? else { return Ok(None) };
            if current.received != offset || current.answer.is_some() {
                return Ok(Some(current));
            }
            tx.execute(
                "INSERT INTO upload_parts (device_id, id, \"offset\", data) VALUES ($1, $2, $3, $4)",
                &[&device, &id, &int(offset), &bytes],
            )?;
            tx.execute(
                "UPDATE uploads SET received = received + $3, updated_at = $4 WHERE device_id = $1 AND id = $2",
                &[&device, &id, &(bytes.len() as i64), &now],
            )?;
            row(tx, device, id, false)
        })
    }

    fn upload_body(&self, device: &str, id: &str) -> R<Vec<u8>> {
        self.with_conn(|c| {
            let mut out = Vec::new();
            for r in c.query(
                "SELECT data FROM upload_parts WHERE device_id = $1 AND id = $2 ORDER BY \"offset\"",
                &[&device, &id],
            )? {
                out.extend_from_slice(get::<&[u8]>(&r, 0)?);
            }
            Ok(out)
        })
    }

    fn finish_upload(&self, device: &str, id: &str, answer: &[u8], now: i64) -> R<()> {
        self.transaction(|tx| {
            tx.execute(
                "UPDATE uploads SET answer = $3, updated_at = $4 WHERE device_id = $1 AND id = $2",
                &[&device, &id, &answer, &now],
            )?;
            tx.execute("DELETE FROM upload_parts WHERE device_id = $1 AND id = $2", &[&device, &id])?;
            Ok(())
        })
    }

    fn delete_upload(&self, device: &str, id: &str) -> R<()> {
        self.transaction(|tx| {
            tx.execute("DELETE FROM upload_parts WHERE device_id = $1 AND id = $2", &[&device, &id])?;
            tx.execute("DELETE FROM uploads WHERE device_id = $1 AND id = $2", &[&device, &id])?;
            Ok(())
        })
    }

    fn forget_answered_uploads(&self, device: &str) -> R<u64> {
        // Answered uploads have no parts left.
        self.with_conn(
            |c| Ok(c.execute("DELETE FROM uploads WHERE device_id = $1 AND answer IS NOT NULL", &[&device])?),
        )
    }

    fn expire_uploads(&self, before: i64) -> R<u64> {
        self.transaction(|tx| {
            tx.execute(
                "DELETE FROM upload_parts p USING uploads u
                 WHERE p.device_id = u.device_id AND p.id = u.id AND u.updated_at < $1",
                &[&before],
            )?;
            Ok(tx.execute("DELETE FROM uploads WHERE updated_at < $1", &[&before])?)
        })
    }
}
