-- The notification outbox (issue 16): one row per (alert, channel, target), written in the same transaction as the
-- batch's hits, so a crash between storing a hit and sending its webhook/e-mail loses nothing. delivery_id is derived
-- from the alert id, channel and target, so re-processing a read (or two instances racing) never queues one twice.
-- A dispatcher claims due rows with a lease (lease_owner, lease_until_ms), sends them, and records the outcome:
-- delivered_at_ms, or attempts + next_attempt_at_ms (exponential backoff with jitter) + last_error.
-- Numbered 0200 (the notifications range) so it cannot collide with migrations being added on other branches.
CREATE TABLE IF NOT EXISTS notify_outbox (
    delivery_id         TEXT    NOT NULL PRIMARY KEY,
    alert_id            TEXT    NOT NULL,
    hit_id              TEXT    NOT NULL,
    channel             TEXT    NOT NULL,
    target              TEXT    NOT NULL,
    priority            TEXT    NOT NULL,
    body                TEXT    NOT NULL,
    created_at_ms       INTEGER NOT NULL,
    attempts            INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms  INTEGER NOT NULL,
    last_error          TEXT    NULL,
    lease_owner         TEXT    NULL,
    lease_until_ms      INTEGER NULL,
    delivered_at_ms     INTEGER NULL
);
CREATE INDEX IF NOT EXISTS ix_notify_outbox_due ON notify_outbox (delivered_at_ms, next_attempt_at_ms);
