//! Resumable uploads: parts kept in order, appends only where the upload
//! stands, the answer kept once processed, per device, expiry.

use super::*;

pub(super) fn parts_join_in_order_and_append_only_at_the_offset(s: &dyn Storage) {
    let opened = s.open_upload("dev-a", "u1", 10, 1_000).unwrap();
    assert_eq!((opened.length, opened.received, opened.answer.clone()), (10, 0, None));
    assert_eq!(s.open_upload("dev-a", "u1", 99, 2_000).unwrap(), opened, "opening again returns it as it is");
    let after = s.append_upload("dev-a", "u1", 0, b"0123", 3_000).unwrap().unwrap();
    assert_eq!((after.received, after.updated_at), (4, 3_000));
    // A part sent again after a cut (its acknowledgement was lost): refused, unchanged.
    let again = s.append_upload("dev-a", "u1", 0, b"0123", 4_000).unwrap().unwrap();
    assert_eq!(again.received, 4, "a part at an offset already passed is not appended");
    let ahead = s.append_upload("dev-a", "u1", 7, b"789", 4_000).unwrap().unwrap();
    assert_eq!(ahead.received, 4, "a part beyond the offset is not appended");
    s.append_upload("dev-a", "u1", 4, b"456", 5_000).unwrap();
    s.append_upload("dev-a", "u1", 7, b"789", 6_000).unwrap();
    assert_eq!(s.upload_body("dev-a", "u1").unwrap(), b"0123456789");
    assert_eq!(s.upload("dev-a", "u1").unwrap().unwrap().received, 10);
    assert!(s.append_upload("dev-a", "nope", 0, b"x", 6_000).unwrap().is_none(), "an unknown upload: None");
}

pub(super) fn the_answer_is_kept_and_uploads_are_per_device(s: &dyn Storage) {
    s.open_upload("dev-a", "u1", 3, 1_000).unwrap();
    s.append_upload("dev-a", "u1", 0, b"abc", 1_000).unwrap();
    assert!(s.upload("dev-b", "u1").unwrap().is_none(), "another device does not see it");
    assert!(s.append_upload("dev-b", "u1", 0, b"zzz", 1_000).unwrap().is_none());
    s.open_upload("dev-b", "u1", 5, 1_000).unwrap();
    assert_eq!((s.uploads_of("dev-a").unwrap(), s.uploads_of("dev-b").unwrap()), (1, 1));
    s.finish_upload("dev-a", "u1", b"the answer", 2_000).unwrap();
    let done = s.upload("dev-a", "u1").unwrap().unwrap();
    assert_eq!((done.answer.as_deref(), done.updated_at), (Some(&b"the answer"[..]), 2_000));
    let late = s.append_upload("dev-a", "u1", 3, b"more", 3_000).unwrap().unwrap();
    assert_eq!(late.received, 3, "nothing is appended to a processed upload");
    assert!(s.upload_body("dev-a", "u1").unwrap().is_empty(), "its parts are dropped once answered");
    s.open_upload("dev-a", "u2", 4, 2_000).unwrap();
    assert_eq!(s.forget_answered_uploads("dev-a").unwrap(), 1, "the answered one goes");
    assert!(s.upload("dev-a", "u1").unwrap().is_none());
    assert!(s.upload("dev-a", "u2").unwrap().is_some(), "the open one stays");
    s.delete_upload("dev-a", "u2").unwrap();
    assert!(s.upload("dev-a", "u2").unwrap().is_none());
    assert_eq!(s.upload("dev-b", "u1").unwrap().unwrap().length, 5, "the other device's upload stays");
    s.delete_upload("dev-a", "u1").unwrap();
}

pub(super) fn stale_uploads_expire(s: &dyn Storage) {
    s.open_upload("dev-a", "old", 4, 1_000).unwrap();
    s.append_upload("dev-a", "old", 0, b"ab", 1_000).unwrap();
    s.open_upload("dev-a", "new", 4, 1_000).unwrap();
    s.append_upload("dev-a", "new", 0, b"cd", 5_000).unwrap();
    assert_eq!(s.expire_uploads(2_000).unwrap(), 1);
    assert!(s.upload("dev-a", "old").unwrap().is_none());
    assert!(s.upload_body("dev-a", "old").unwrap().is_empty(), "its parts went with it");
    assert_eq!(s.upload_body("dev-a", "new").unwrap(), b"cd");
    assert_eq!(s.uploads_of("dev-a").unwrap(), 1);
}
