using System.Security.Cryptography;
using System.Text;
using AnprWatch.Storage.Audit;
using Dapper;

namespace AnprWatch.Storage.Access;

public sealed record ApiKeyIdentity(string Name, string Role, KeyScope Scope);

public sealed record ApiKeyInfo(string Name, string Role, KeyScope Scope, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>
/// API keys, stored as SHA-256 hashes only. The keys are 256 random bits, so a fast hash is enough: there is no
/// password to guess, and a slow KDF would only slow every request. The key itself is shown once, at creation.
/// </summary>
public sealed class ApiKeyStore(Database database, AuditLog audit, TimeProvider clock)
{
    public const string Prefix = "aw_";

    public Task<string> CreateAsync(string name, string role, string createdBy, CancellationToken cancellationToken = default)
        => CreateAsync(name, role, KeyScope.National, createdBy, cancellationToken);

    public async Task<string> CreateAsync(string name, string role, KeyScope scope, string createdBy, CancellationToken cancellationToken = default)
    {
        if (!Roles.IsKnown(role))
        {
            throw new ArgumentException($"unknown role '{role}' (bureau, control-room, analyst, admin)", nameof(role));
        }

        if (string.IsNullOrWhiteSpace(name) || name.Length > 128)
        {
            throw new ArgumentException("a key name is 1–128 characters", nameof(name));
        }

        if (role == Roles.Admin && !scope.IsNational)
        {
            throw new ArgumentException("an admin key is national: give no --force or --region", nameof(scope));
        }

        var key = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var exists = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM {database.Table("api_keys")} WHERE name = @name", new { name }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (exists > 0)
        {
            throw new ArgumentException($"a key named '{name}' already exists (revoked keys keep their name for the audit trail)", nameof(name));
        }

        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {database.Table("api_keys")} (name, role, key_hash, created_at_ms) VALUES (@name, @role, @hash, @at)",
            new { name, role, hash = Hash(key), at = now.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {database.Table("api_key_details")} (key_name, scope_forces, scope_region, last_used_ms) VALUES (@name, @forces, @region, NULL)",
            new { name, forces = scope.Stored, region = scope.Region }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await audit.AppendAsync(connection, transaction, new AuditEntry(now, createdBy, Roles.Admin, AuditActions.Alter, $"api key {name} ({role}, {scope.Label}) created"), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return key;
    }

    public async Task<bool> RevokeAsync(string name, string revokedBy, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {database.Table("api_keys")} SET revoked_at_ms = @at WHERE name = @name AND revoked_at_ms IS NULL",
            new { name, at = now.ToUnixTimeMilliseconds() }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (changed > 0)
        {
            await audit.AppendAsync(connection, transaction, new AuditEntry(now, revokedBy, Roles.Admin, AuditActions.Alter, $"api key {name} revoked"), cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed > 0;
    }

    /// <summary>The identity behind a presented key, or null when it is unknown or revoked.</summary>
    public async Task<ApiKeyIdentity?> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!key.StartsWith(Prefix, StringComparison.Ordinal) || key.Length > 100)
        {
            return null;
        }

        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(
            $"SELECT k.name, k.role, d.scope_forces, d.scope_region FROM {database.Table("api_keys")} k LEFT JOIN {database.Table("api_key_details")} d ON d.key_name = k.name " +
            "WHERE key_hash = @hash AND revoked_at_ms IS NULL", // unqualified: only api_keys has these columns (and HotLookupTests finds the statement)
            new { hash = Typed.KeyHash(Hash(key)) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : new ApiKeyIdentity(row.Name, row.Role, KeyScope.FromStored(row.ScopeForces, row.ScopeRegion));
    }

    /// <summary>Records that a key was used (at most as often as the caller asks; the web layer asks once a minute per key).</summary>
    public async Task TouchAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {database.Table("api_key_details")} SET last_used_ms = @at WHERE key_name = @name",
            new { name, at = clock.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Whether the key named <paramref name="name"/> exists and is not revoked.</summary>
    public async Task<bool> IsLiveAsync(string name, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM {database.Table("api_keys")} WHERE name = @name AND revoked_at_ms IS NULL",
            new { name }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    /// <summary>
    /// Starts a server-side browser session for a live key and returns its id (256 random bits; only its hash is
    /// stored). The session lasts until sign-out, or until its key is revoked, whichever comes first.
    /// </summary>
    public async Task<string> StartSessionAsync(string keyName, CancellationToken cancellationToken = default)
    {
        var session = Base64Url(RandomNumberGenerator.GetBytes(32));
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            $"INSERT INTO {database.Table("web_sessions")} (session_hash, key_name, created_at_ms) VALUES (@hash, @keyName, @at)",
            new { hash = Hash(session), keyName, at = clock.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return session;
    }

    /// <summary>Ends a session: a copy of its cookie stops working.</summary>
    public async Task EndSessionAsync(string session, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            $"UPDATE {database.Table("web_sessions")} SET ended_at_ms = @at WHERE session_hash = @hash AND ended_at_ms IS NULL",
            new { hash = Hash(session), at = clock.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    /// <summary>Whether a session is open and belongs to <paramref name="keyName"/>, and that key is not revoked.</summary>
    public async Task<bool> IsSessionLiveAsync(string session, string keyName, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            $"SELECT COUNT(*) FROM {database.Table("web_sessions")} s JOIN {database.Table("api_keys")} k ON k.name = s.key_name " +
            "WHERE s.session_hash = @hash AND s.key_name = @keyName AND s.ended_at_ms IS NULL AND k.revoked_at_ms IS NULL",
            new { hash = Hash(session), keyName }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<ApiKeyInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<KeyListRow>(new CommandDefinition(
            $"SELECT k.name, k.role, d.scope_forces, d.scope_region, k.created_at_ms, d.last_used_ms, k.revoked_at_ms FROM {database.Table("api_keys")} k " +
            $"LEFT JOIN {database.Table("api_key_details")} d ON d.key_name = k.name ORDER BY k.name", cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => new ApiKeyInfo(r.Name, r.Role, KeyScope.FromStored(r.ScopeForces, r.ScopeRegion), DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAtMs),
            r.LastUsedMs is { } used ? DateTimeOffset.FromUnixTimeMilliseconds(used) : null,
            r.RevokedAtMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null)).ToList();
    }

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed class KeyRow
    {
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Name { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Role { get; set; } = "";
        public string? ScopeForces { get; set; }
        public string? ScopeRegion { get; set; }
    }

    private sealed class KeyListRow
    {
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Name { get; set; } = "";
        // Stryker disable once String : equivalent, Dapper always sets this NOT NULL column of the row it reads
        public string Role { get; set; } = "";
        public string? ScopeForces { get; set; }
        public string? ScopeRegion { get; set; }
        public long CreatedAtMs { get; set; }
        public long? LastUsedMs { get; set; }
        public long? RevokedAtMs { get; set; }
    }
}
