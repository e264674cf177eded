using MassTransit;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Audit;
using Netzwerk.Workflows.Contracts;
using Npgsql;

namespace Netzwerk.Web.PartnerLinks;

/// <summary>
/// Issues and mails the access link when a referral reaches a partner. Idempotent: one link per referral
/// (unique constraint); a redelivered message finds the link already mailed and does nothing. When the mail
/// failed, the retry replaces the token (the old one was never delivered).
/// </summary>
public sealed class IssueAccessLinkOnReferralSent(
    NpgsqlDataSource dataSource, AccessLinks links, AccessLinkMail mail, IServiceLookup services, AuditLog audit,
    PartnerLinkSettings settings, TimeProvider clock, ILogger<IssueAccessLinkOnReferralSent> log) : IConsumer<ReferralSentToPartner>
{
    public async Task Consume(ConsumeContext<ReferralSentToPartner> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var existing = await links.ForReferralAsync(m.ReferralId, ct);
        if (existing is { MailedAt: not null } or { RevokedAt: not null }) return;

        var service = await services.FindAsync(m.ServiceId, ct);
        if (service?.ReferralEmail is null)
        {
            log.LogWarning("No referral e-mail for service {ServiceId}; no access link sent for referral {ReferralId}", m.ServiceId, m.ReferralId);
            await audit.RecordAsync(new AuditEvent("issue", "partner-link", m.ReferralId.ToString(), "failed", "no referral e-mail"),
                "system", "system", null, ct);
            return;
        }

        var token = AccessLinks.NewToken();
        var expiresAt = clock.GetUtcNow().AddDays(settings.LifetimeDays);
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO platform.partner_access_links
                (id, referral_id, organization_id, service_id, case_manager_id, token_hash, reference, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (referral_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, expires_at = EXCLUDED.expires_at
                WHERE platform.partner_access_links.mailed_at IS NULL AND platform.partner_access_links.revoked_at IS NULL
            RETURNING id, reference
            """);
        foreach (var v in new object[] { Guid.NewGuid(), m.ReferralId, m.OrganizationId, m.ServiceId, m.CaseManagerId,
                     AccessLinks.Hash(token), AccessLinks.NewReference(), clock.GetUtcNow(), expiresAt })
            cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        Guid linkId;
        string reference;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            // No row: a concurrent delivery already mailed (or revoked) the link.
            if (!await r.ReadAsync(ct)) return;
            linkId = r.GetGuid(0);
            reference = r.GetString(1);
        }

        await mail.SendAsync(service.ReferralEmail, service.OrganizationName, reference,
            $"{settings.PublicBaseUrl.TrimEnd('/')}/zugang/{token}", expiresAt, ct);

        await using var mailed = dataSource.CreateCommand("UPDATE platform.partner_access_links SET mailed_at = $2 WHERE id = $1");
        mailed.Parameters.AddWithValue(linkId);
        mailed.Parameters.AddWithValue(clock.GetUtcNow());
        await mailed.ExecuteNonQueryAsync(ct);
        await audit.RecordAsync(new AuditEvent("issue", "partner-link", linkId.ToString(), "ok",
            $"referral={m.ReferralId};organization={m.OrganizationId}"), "system", "system", null, ct);
    }
}

/// <summary>The partner lost access (cancelled, consent revoked, closed): its links stop working at once.</summary>
public sealed class RevokeAccessLinksOnAccessEnded(AccessLinks links, AuditLog audit) : IConsumer<PartnerAccessEnded>
{
    public async Task Consume(ConsumeContext<PartnerAccessEnded> context)
    {
        var m = context.Message;
        var revoked = await links.RevokeAsync(m.ReferralId, m.Reason, context.CancellationToken);
        if (revoked > 0)
            await audit.RecordAsync(new AuditEvent("revoke", "partner-link", m.ReferralId.ToString(), "ok", $"reason={m.Reason}"),
                "system", "system", null, context.CancellationToken);
    }
}
