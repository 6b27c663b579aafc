//! Reconciling without settling conflicts nobody touched.
//!
//! autosurgeon reconciles a whole record: it writes every scalar field
//! again, and automerge skips a write of an unchanged value — unless the
//! key holds several concurrent values. Then the write supersedes them all,
//! so saving an appraisal's notes would silently settle an open conflict on
//! its rating with whichever value happened to be shown. [`KeepConflicts`]
//! is the document autosurgeon writes through: a put of the value already
//! shown on a conflicted key is skipped, so the conflict stays open until
//! someone sets that field to a value of their choosing (or resolves it).

use std::ops::RangeBounds;

use automerge::{self as am, AutoCommit, AutomergeError, ObjId, Value};
use autosurgeon::{Doc, ReadDoc};

#[derive(Debug)]
pub(crate) struct KeepConflicts<'a>(pub(crate) &'a mut AutoCommit);

impl KeepConflicts<'_> {
    /// Is `value` what a conflicted `obj.prop` shows now?
    fn unchanged_conflict(&self, obj: &ObjId, prop: &am::Prop, value: &am::ScalarValue) -> bool {
        let all = am::ReadDoc::get_all(&*self.0, obj, prop.clone()).unwrap_or_default();
        all.len() > 1
            && matches!(am::ReadDoc::get(&*self.0, obj, prop.clone()), Ok(Some((Value::Scalar(s), _))) if s.as_ref() == value)
    }
}

impl ReadDoc for KeepConflicts<'_> {
    type Parents<'b>
        = am::Parents<'b>
    where
        Self: 'b;
    fn get_heads(&self) -> Vec<am::ChangeHash> {
        ReadDoc::get_heads(&*self.0)
    }
    fn get<P: Into<am::Prop>>(&self, obj: &ObjId, prop: P) -> Result<Option<(Value<'_>, ObjId)>, AutomergeError> {
        ReadDoc::get(&*self.0, obj, prop)
    }
    fn object_type<O: AsRef<ObjId>>(&self, obj: O) -> Option<am::ObjType> {
        ReadDoc::object_type(&*self.0, obj)
    }
    fn map_range<'b, O, R>(&'b self, obj: O, range: R) -> am::iter::MapRange<'b>
    where
        R: RangeBounds<String> + 'b,
        O: AsRef<ObjId>,
    {
        ReadDoc::map_range(&*self.0, obj, range)
    }
    fn list_range<O: AsRef<ObjId>, R: RangeBounds<usize>>(&self, obj: O, range: R) -> am::iter::ListRange<'_> {
        ReadDoc::list_range(&*self.0, obj, range)
    }
    fn length<O: AsRef<ObjId>>(&self, obj: O) -> usize {
        ReadDoc::length(&*self.0, obj)
    }
    fn text<O: AsRef<ObjId>>(&self, obj: O) -> Result<String, AutomergeError> {
        ReadDoc::text(&*self.0, obj)
    }
    fn parents<O: AsRef<ObjId>>(&self, obj: O) -> Result<Self::Parents<'_>, AutomergeError> {
        ReadDoc::parents(&*self.0, obj)
    }
    fn is_empty(&self) -> bool {
        ReadDoc::is_empty(&*self.0)
    }
}

impl Doc for KeepConflicts<'_> {
    fn put<O: AsRef<ObjId>, P: Into<am::Prop>, V: Into<am::ScalarValue>>(
        &mut self,
        obj: O,
        prop: P,
        value: V,
    ) -> Result<(), AutomergeError> {
        let (prop, value) = (prop.into(), value.into());
        if self.unchanged_conflict(obj.as_ref(), &prop, &value) {
            return Ok(());
        }
        Doc::put(self.0, obj, prop, value)
    }
    fn put_object<O: AsRef<ObjId>, P: Into<am::Prop>>(
        &mut self,
        obj: O,
        prop: P,
        value: am::ObjType,
    ) -> Result<ObjId, AutomergeError> {
        Doc::put_object(self.0, obj, prop, value)
    }
    fn insert<O: AsRef<ObjId>, V: Into<am::ScalarValue>>(
        &mut self,
        obj: O,
        index: usize,
        value: V,
    ) -> Result<(), AutomergeError> {
        Doc::insert(self.0, obj, index, value)
    }
    fn insert_object<O: AsRef<ObjId>>(
        &mut self,
        obj: O,
        index: usize,
        value: am::ObjType,
    ) -> Result<ObjId, AutomergeError> {
        Doc::insert_object(self.0, obj, index, value)
    }
    fn increment<O: AsRef<ObjId>, P: Into<am::Prop>>(
        &mut self,
        obj: O,
        prop: P,
        value: i64,
    ) -> Result<(), AutomergeError> {
        Doc::increment(self.0, obj, prop, value)
    }
    fn delete<O: AsRef<ObjId>, P: Into<am::Prop>>(&mut self, obj: O, prop: P) -> Result<(), AutomergeError> {
        Doc::delete(self.0, obj, prop)
    }
    fn splice_text<O: AsRef<ObjId>>(
        &mut self,
        obj: O,
        pos: usize,
        del: isize,
        text: &str,
    ) -> Result<(), AutomergeError> {
        Doc::splice_text(self.0, obj, pos, del, text)
    }
    fn update_text<O: AsRef<ObjId>>(&mut self, obj: O, text: &str) -> Result<(), AutomergeError> {
        Doc::update_text(self.0, obj, text)
    }
    fn batch_create<O: AsRef<ObjId>, P: Into<am::Prop>>(
        &mut self,
        obj: O,
        prop: P,
        value: am::hydrate::Value,
        insert: bool,
    ) -> Result<(), AutomergeError> {
        Doc::batch_create(self.0, obj, prop, value, insert)
    }
    fn init_root_from_hydrate(&mut self, value: &am::hydrate::Map) -> Result<(), AutomergeError> {
        Doc::init_root_from_hydrate(self.0, value)
    }
}
