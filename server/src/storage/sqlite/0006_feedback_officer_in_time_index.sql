-- Schema 6: the time index also names the officer, so a period's answers
-- per officer are one pass over the period's rows instead of a walk over
-- every officer's whole history.
DROP INDEX feedback_time;
CREATE INDEX feedback_time ON feedback(tenant_id, received_at, unit_id, service,
    u1, u2, u3, u4, u5, u6, u7, u8, u9, minutes_waited, officer_nip);
