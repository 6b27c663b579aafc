-- Pulls of a supervisor's tablet start from the documents of its scope
-- (its units, the appraisals it appraises or reviews) instead of walking
-- every change of the tenant since its cursor.
CREATE INDEX docs_unit ON docs(tenant_id, unit_id);
CREATE INDEX docs_appraiser ON docs(tenant_id, appraiser_nip) WHERE appraiser_nip IS NOT NULL;
CREATE INDEX docs_reviewer ON docs(tenant_id, reviewer_nip) WHERE reviewer_nip IS NOT NULL;
