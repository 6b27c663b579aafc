//! [`UploadStore`] for SQLite: every method on the writer, one transaction.

use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStorage;
use crate::storage::{StorageError, UploadRow, UploadStore};

type R<T> = Result<T, StorageError>;

fn row(c: &Connection, device: &str, id: &str) -> R<Option<UploadRow>> {
    Ok(c.prepare_cached("SELECT length, received, answer, updated_at FROM uploads WHERE device_id = ?1 AND id = ?2")?
        .query_row(params![device, id], |r| {
            Ok(UploadRow {
                device_id: device.into(),
                id: id.into(),
                length: r.get::<_, i64>(0)?.try_into().unwrap_or(0),
                received: r.get::<_, i64>(1)?.try_into().unwrap_or(0),
                answer: r.get(2)?,
                updated_at: r.get(3)?,
            })
        })
        .optional()?)
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl UploadStore for SqliteStorage {
    fn open_upload(&self, device: &str, id: &str, length: u64, now: i64) -> R<UploadRow> {
        let mut c = self.writer();
        let tx = c.transaction()?;
        tx.execute(
            "INSERT INTO uploads (device_id, id, length, received, updated_at) VALUES (?1, ?2, ?3, 0, ?4)
             ON CONFLICT (device_id, id) DO NOTHING",
            params![device, id, int(length), now],
        )?;
        let out = row(&tx, device, id)?.ok_or_else(|| StorageError::NotFound(format!("upload {id}")))?;
        tx.commit()?;
        Ok(out)
    }

    fn upload(&self, device: &str, id: &str) -> R<Option<UploadRow>> {
        row(&self.writer(), device, id)
    }

    fn uploads_of(&self, device: &str) -> R<u64> {
        let n: i64 =
            self.writer().query_row("SELECT count(*) FROM uploads WHERE device_id = ?1", [device], |r| r.get(0))?;
        Ok(n.try_into().unwrap_or(0))
    }

    fn append_upload(&self, device: &str, id: &str, offset: u64, bytes: &[u8], now: i64) -> R<Option<UploadRow>> {
        let mut c = self.writer();
        let tx = c.transaction()?;
        let Some(current) = row(&tx, device, id)? else { return Ok(None) };
        if current.received != offset || current.answer.is_some() {
            return Ok(Some(current));
        }
        tx.execute(
            "INSERT INTO upload_parts (device_id, id, offset, data) VALUES (?1, ?2, ?3, ?4)",
            params![device, id, int(offset), bytes],
        )?;
        tx.execute(
            "UPDATE uploads SET received = received + ?3, updated_at = ?4 WHERE device_id = ?1 AND id = ?2",
            params![device, id, bytes.len() as i64, now],
        )?;
        let out = row(&tx, device, id)?;
        tx.commit()?;
        Ok(out)
    }

    fn upload_body(&self, device: &str, id: &str) -> R<Vec<u8>> {
        let c = self.writer();
        let mut stmt =
            c.prepare_cached("SELECT data FROM upload_parts WHERE device_id = ?1 AND id = ?2 ORDER BY offset")?;
        let mut out = Vec::new();
        for part in stmt.query_map(params![device, id], |r| r.get::<_, Vec<u8>>(0))? {
            out.extend_from_slice(&part?);
        }
        Ok(out)
    }

    fn finish_upload(&self, device: &str, id: &str, answer: &[u8], now: i64) -> R<()> {
        let mut c = self.writer();
        let tx = c.transaction()?;
        tx.execute(
            "UPDATE uploads SET answer = ?3, updated_at = ?4 WHERE device_id = ?1 AND id = ?2",
            params![device, id, answer, now],
        )?;
        tx.execute("DELETE FROM upload_parts WHERE device_id = ?1 AND id = ?2", params![device, id])?;
        tx.commit()?;
        Ok(())
    }

    fn delete_upload(&self, device: &str, id: &str) -> R<()> {
        let mut c = self.writer();
        let tx = c.transaction()?;
        tx.execute("DELETE FROM upload_parts WHERE device_id = ?1 AND id = ?2", params![device, id])?;
        tx.execute("DELETE FROM uploads WHERE device_id = ?1 AND id = ?2", params![device, id])?;
        tx.commit()?;
        Ok(())
    }

    fn forget_answered_uploads(&self, device: &str) -> R<u64> {
        // Answered uploads have no parts left.
        let n = self.writer().execute("DELETE FROM uploads WHERE device_id = ?1 AND answer IS NOT NULL", [device])?;
        Ok(n as u64)
    }

    fn expire_uploads(&self, before: i64) -> R<u64> {
        let mut c = self.writer();
        let tx = c.transaction()?;
        tx.execute(
            "DELETE FROM upload_parts WHERE (device_id, id) IN (SELECT device_id, id FROM uploads WHERE updated_at < ?1)",
            [before],
        )?;
        let n = tx.execute("DELETE FROM uploads WHERE updated_at < ?1", [before])?;
        tx.commit()?;
        Ok(n as u64)
    }
}
