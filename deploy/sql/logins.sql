-- Least-privilege access for AnprWatch on SQL Server. Run after install.sql (or `anprwatch db migrate`), as a DBA:
--     sqlcmd -b -S <server> -i logins.sql
-- The application login can read and write data but cannot change the schema, can never alter or delete the audit
-- log, and may UPDATE only the columns the code updates. Idempotent: re-running it re-applies the grants.
-- Replace the password (or use a contained Entra ID / Windows identity) and, if the application's database is not
-- called AnprWatch (the name in deploy/appsettings.production.json), the name in the USE below.
USE master;
GO
IF SUSER_ID(N'anprwatch_app') IS NULL
    CREATE LOGIN anprwatch_app WITH PASSWORD = N'<strong password from the secret store>', CHECK_POLICY = ON;
GO
USE AnprWatch;   -- the application's database: the user and every grant below belong there, never in master
GO
IF DATABASE_PRINCIPAL_ID(N'anprwatch_app') IS NULL
    CREATE USER anprwatch_app FOR LOGIN anprwatch_app;
GO
GRANT SELECT, INSERT ON dbo.hits TO anprwatch_app;
GRANT DELETE ON dbo.hits TO anprwatch_app;                               -- retention purge only
GRANT UPDATE (alert_delivered_ms) ON dbo.hits TO anprwatch_app;          -- HitStore: records an acknowledged alert
GRANT SELECT, INSERT, DELETE ON dbo.outcomes TO anprwatch_app;           -- DELETE: the purge removes a purged hit's outcomes
GRANT SELECT, INSERT, DELETE ON dbo.outcome_reasons TO anprwatch_app;    -- false-hit/no-trace reason codes; DELETE: the purge
GRANT SELECT, INSERT, DELETE ON dbo.notify_outbox TO anprwatch_app;      -- DELETE: housekeeping purges delivered rows
GRANT UPDATE (lease_owner, lease_until_ms, delivered_at_ms, attempts, next_attempt_at_ms, last_error) ON dbo.notify_outbox TO anprwatch_app; -- NotificationDispatcher: claim and settle
GRANT SELECT, INSERT, DELETE ON dbo.hit_clones TO anprwatch_app;         -- possible clones; DELETE: the purge
GRANT SELECT, INSERT, DELETE ON dbo.hit_confirmations TO anprwatch_app;  -- confirmed misreads; DELETE: the purge
GRANT UPDATE (delivered_ms) ON dbo.hit_confirmations TO anprwatch_app;   -- HitStore: records a delivered confirmation
GRANT SELECT, INSERT ON dbo.markers TO anprwatch_app;
GRANT SELECT, INSERT ON dbo.marker_lists TO anprwatch_app;
GRANT UPDATE (is_active) ON dbo.marker_lists TO anprwatch_app;           -- MarkerListStore: a new version deactivates the old
GRANT SELECT, INSERT ON dbo.locations TO anprwatch_app;                 -- flagged CSE locations (DESIGN §8)
GRANT SELECT, INSERT ON dbo.location_lists TO anprwatch_app;
GRANT UPDATE (is_active) ON dbo.location_lists TO anprwatch_app;         -- LocationListStore: a new version deactivates the old
GRANT SELECT, INSERT ON dbo.api_keys TO anprwatch_app;
GRANT UPDATE (revoked_at_ms) ON dbo.api_keys TO anprwatch_app;           -- ApiKeyStore: revocation; a key's role never changes
GRANT SELECT, INSERT ON dbo.api_key_details TO anprwatch_app;
GRANT UPDATE (last_used_ms) ON dbo.api_key_details TO anprwatch_app;    -- ApiKeyStore: a key's last use; its scope never changes
GRANT SELECT, INSERT ON dbo.web_sessions TO anprwatch_app;
GRANT UPDATE (ended_at_ms) ON dbo.web_sessions TO anprwatch_app;         -- WebSessionStore: sign-out ends a session
GRANT SELECT, INSERT ON dbo.data_protection_keys TO anprwatch_app;       -- the shared Data Protection key ring
GRANT SELECT, INSERT ON dbo.audit_log TO anprwatch_app;
DENY UPDATE, DELETE, ALTER ON dbo.audit_log TO anprwatch_app;            -- DPA 2018 s.62: append-only
GRANT SELECT ON dbo.schema_migrations TO anprwatch_app;                  -- serve checks the schema version at start
GRANT SELECT, INSERT ON dbo.housekeeping_runs TO anprwatch_app;          -- the daily purge is claimed once per store
GRANT SELECT ON dbo.store_identity TO anprwatch_app;                     -- serve checks it still writes to the store it started with
GO
