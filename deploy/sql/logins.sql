-- Least-privilege access for AnprWatch on SQL Server.
-- The schema (deploy/sql/migrations) is applied by a DBA with `anprwatch db migrate` or sqlcmd; the application
-- login below can read and write data but cannot change the schema, and can never alter or delete the audit log.
-- Replace the password (or use a contained Entra ID / Windows identity) before running.
CREATE LOGIN anprwatch_app WITH PASSWORD = N'<strong password from the secret store>', CHECK_POLICY = ON;
GO
CREATE USER anprwatch_app FOR LOGIN anprwatch_app;
GO
GRANT SELECT, INSERT ON dbo.hits TO anprwatch_app;
GRANT DELETE ON dbo.hits TO anprwatch_app;                -- retention purge only
GRANT UPDATE (alert_delivered_ms) ON dbo.hits TO anprwatch_app;   -- records an acknowledged alert; nothing else in a hit changes
GRANT SELECT, INSERT, DELETE ON dbo.outcomes TO anprwatch_app;
GRANT SELECT, INSERT ON dbo.markers TO anprwatch_app;
GRANT SELECT, INSERT, UPDATE ON dbo.marker_lists TO anprwatch_app;   -- UPDATE flips is_active on a new version
GRANT SELECT, INSERT, UPDATE ON dbo.api_keys TO anprwatch_app;       -- UPDATE sets revoked_at_ms
GRANT SELECT, INSERT, UPDATE ON dbo.web_sessions TO anprwatch_app;   -- UPDATE sets ended_at_ms at sign-out
GRANT SELECT, INSERT ON dbo.data_protection_keys TO anprwatch_app;   -- the shared Data Protection key ring
GRANT SELECT, INSERT ON dbo.audit_log TO anprwatch_app;
DENY UPDATE, DELETE, ALTER ON dbo.audit_log TO anprwatch_app;       -- DPA 2018 s.62: append-only
GRANT SELECT ON dbo.schema_migrations TO anprwatch_app;
GO
