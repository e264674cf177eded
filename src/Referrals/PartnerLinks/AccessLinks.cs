using System.Security.Cryptography;
using Netzwerk.Platform.Identity;
using Npgsql;

namespace Netzwerk.Referrals.PartnerLinks;

/// <summary>Configuration: section <c>PartnerLinks</c> (lifetime) and the top-level <c>PublicBaseUrl</c>.</summary>
public sealed class PartnerLinkSettings
{
    public int LifetimeDays { get; set; } = 14;
    /// <summary>How long a session opened by a link lasts (never beyond the link's own expiry).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(4);
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";
}

/// <summary>
/// Per-referral access links for partners without an account. The token (256 random bits) exists only in
/// the e-mail; the database keeps its SHA-256, so a database leak does not open any referral.
/// </summary>
public sealed class AccessLinks(NpgsqlDataSource dataSource, TimeProvider clock)
{
    public sealed record Link(Guid Id, Guid ReferralId, Guid OrganizationId, Guid ServiceId, string CaseManagerId, string Reference,
        DateTimeOffset ExpiresAt, DateTimeOffset? MailedAt, DateTimeOffset? RevokedAt, string Purpose);

    /// <summary>The link of the new-referral mail; prompt links carry their prompt kind (src/Referrals/Prompts).</summary>
    public const string FirstPurpose = "referral";

    private const string Columns = "id, referral_id, organization_id, service_id, case_manager_id, reference, expires_at, mailed_at, revoked_at, purpose";

    /// <summary>A neutral reference for the e-mail and the partner's phone calls: random, not the case reference.</summary>
    public static string NewReference()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        return "NZ-" + string.Concat(RandomNumberGenerator.GetItems<char>(alphabet, 4)) + "-" + string.Concat(RandomNumberGenerator.GetItems<char>(alphabet, 4));
    }

    public async Task<Link?> ForReferralAsync(Guid referralId, CancellationToken ct)
        => await SingleAsync($"SELECT {Columns} FROM referrals.partner_access_links WHERE referral_id = $1 AND purpose = 'referral'", referralId, ct);

    /// <summary>The link behind a token, if it is still valid (not expired, not revoked).</summary>
    public async Task<Link?> OpenAsync(string token, CancellationToken ct)
    {
        // Our tokens are 43 base64url characters; anything else is not worth a database query.
        if (token.Length != 43 || token.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))) return null;
        await using var cmd = dataSource.CreateCommand($"""
            UPDATE referrals.partner_access_links SET last_used_at = $2
            WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2
            RETURNING {Columns}
            """);
        cmd.Parameters.AddWithValue(LinkTokens.Hash(token));
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        return await ReadSingleAsync(cmd, ct);
    }

    public async Task<bool> IsValidAsync(Guid linkId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT 1 FROM referrals.partner_access_links WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2");
        cmd.Parameters.AddWithValue(linkId);
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    /// <summary>Revokes the referral's links; returns how many were still active.</summary>
    public async Task<int> RevokeAsync(Guid referralId, string reason, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            UPDATE referrals.partner_access_links SET revoked_at = $2, revoked_reason = $3
            WHERE referral_id = $1 AND revoked_at IS NULL
            """);
        cmd.Parameters.AddWithValue(referralId);
        cmd.Parameters.AddWithValue(clock.GetUtcNow());
        cmd.Parameters.AddWithValue(reason.Length > 200 ? reason[..200] : reason);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task<Link?> SingleAsync(string sql, object arg, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        cmd.Parameters.AddWithValue(arg);
        return await ReadSingleAsync(cmd, ct);
    }

    private static async Task<Link?> ReadSingleAsync(NpgsqlCommand cmd, CancellationToken ct)
    {
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return null;
        return new Link(r.GetGuid(0), r.GetGuid(1), r.GetGuid(2), r.GetGuid(3), r.GetString(4), r.GetString(5),
            r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetFieldValue<DateTimeOffset>(7),
            r.IsDBNull(8) ? null : r.GetFieldValue<DateTimeOffset>(8), r.GetString(9));
    }
}
