-- Schema 4: each appraisal row carries the evidence counts and ratings the
-- reports read, written by the projection in the same transaction as the
-- targets and behaviour rows, so a report over a period reads one row per
-- appraisal instead of probing three child tables for each.

ALTER TABLE appraisals ADD COLUMN targets INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appraisals ADD COLUMN targets_above INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appraisals ADD COLUMN targets_below INTEGER NOT NULL DEFAULT 0;
ALTER TABLE appraisals ADD COLUMN innovations INTEGER NOT NULL DEFAULT 0;
-- JSON object: BerAKHLAK value key → rating, rated values only.
ALTER TABLE appraisals ADD COLUMN behaviour TEXT NOT NULL DEFAULT '{}';
-- JSON array of the indicators of targets rated below expectations.
ALTER TABLE appraisals ADD COLUMN weak_targets TEXT NOT NULL DEFAULT '[]';

UPDATE appraisals SET
    targets = (SELECT count(*) FROM appraisal_targets t
               WHERE t.tenant_id = appraisals.tenant_id AND t.doc_id = appraisals.doc_id),
    targets_above = (SELECT count(*) FROM appraisal_targets t
               WHERE t.tenant_id = appraisals.tenant_id AND t.doc_id = appraisals.doc_id
                 AND t.rating = 'DiAtasEkspektasi'),
    targets_below = (SELECT count(*) FROM appraisal_targets t
               WHERE t.tenant_id = appraisals.tenant_id AND t.doc_id = appraisals.doc_id
                 AND t.rating = 'DiBawahEkspektasi'),
    innovations = (SELECT count(*) FROM appraisal_innovations n
               WHERE n.tenant_id = appraisals.tenant_id AND n.doc_id = appraisals.doc_id),
    behaviour = coalesce((SELECT json_group_object(b.value, b.rating) FROM appraisal_behaviour b
               WHERE b.tenant_id = appraisals.tenant_id AND b.doc_id = appraisals.doc_id
                 AND b.rating IS NOT NULL), '{}'),
    weak_targets = coalesce((SELECT json_group_array(indicator) FROM (
               SELECT t.indicator FROM appraisal_targets t
               WHERE t.tenant_id = appraisals.tenant_id AND t.doc_id = appraisals.doc_id
                 AND t.rating = 'DiBawahEkspektasi' ORDER BY t.position)), '[]');

-- Talent and promotion read (employee, period, status, predikat) of every
-- appraisal in two years: from this index alone.
DROP INDEX appraisals_history;
CREATE INDEX appraisals_history ON appraisals(tenant_id, period, employee_nip, status, predikat);
