-- Schema 5: the reports' reads of a period's appraisals come from this
-- index alone, in report order, without touching the rows (whose notes
-- make them several times larger).
CREATE INDEX appraisals_report ON appraisals(tenant_id, period, unit_id, employee_nip, status, predikat,
    hasil_kerja, perilaku, appraiser_nip, reviewer_nip, targets, targets_above, targets_below, innovations,
    behaviour, weak_targets);
DROP INDEX appraisals_period;
