-- A tamper-evident audit log: each entry carries the SHA-256 of its canonical fields and of the previous entry's hash
-- (AuditLog.Hash), so `anprwatch audit verify` finds an entry that was changed, removed or inserted out of order even by
-- someone with db_owner. Entries from before this migration have no hash and are reported as unchained.
-- Numbered 0101 (with 0100) so it cannot collide with migrations being added in parallel on other branches.
ALTER TABLE dbo.audit_log ADD prev_hash CHAR(64) NULL, entry_hash CHAR(64) NULL;
GO
