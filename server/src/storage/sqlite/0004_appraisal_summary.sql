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

-- Existing rows get their values when the server rebuilds the merged view
-- from the documents (the view version in `meta`, see storage::view): a
-- migration never derives a domain value.

-- Talent and promotion read (employee, period, status, predikat) of every
-- appraisal in two years: from this index alone.
DROP INDEX appraisals_history;
CREATE INDEX appraisals_history ON appraisals(tenant_id, period, employee_nip, status, predikat);
