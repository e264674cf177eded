using MassTransit;
using Microsoft.Extensions.Logging;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Mail;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Npgsql;

namespace Netzwerk.Referrals.PartnerLinks;

/// <summary>
/// Issues the access link and queues its mail when a referral reaches a partner. Idempotent: one link per referral
/// (unique constraint), so a redelivered message finds the link and does nothing.
/// </summary>
public sealed class IssueAccessLinkOnReferralSent(
    NpgsqlDataSource dataSource, AccessLinks links, MailOutbox mail, IServiceLookup services, AuditLog audit,
    PartnerLinkSettings settings, TimeProvider clock, ILogger<IssueAccessLinkOnReferralSent> log) : IConsumer<ReferralSentToPartner>
{
    public async Task Consume(ConsumeContext<ReferralSentToPartner> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var service = await services.ReferralAddressAsync(m.ServiceId, ct);
        if (service?.ReferralEmail is null)
        {
            if (await links.ForReferralAsync(m.ReferralId, ct) is not null) return;
            log.LogWarning("No referral e-mail for service {ServiceId}; no access link sent for referral {ReferralId}", m.ServiceId, m.ReferralId);
            await audit.RecordAsync(new AuditEvent("issue", "partner-link", m.ReferralId.ToString(), "failed", "no referral e-mail"),
                "system", "system", null, ct);
            return;
        }

        // One link per referral (unique referral_id). A duplicate delivered meanwhile waits at that key until this
        // transaction ends, then inserts nothing and leaves. The mail is queued in the same transaction: the link exists
        // exactly when its mail does, and the mail outbox sends it, retrying until the mail server takes it.
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var token = LinkTokens.New();
        var now = clock.GetUtcNow();
        var expiresAt = now.AddDays(settings.LifetimeDays);
        var linkId = Guid.NewGuid();
        var reference = AccessLinks.NewReference();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO referrals.partner_access_links
                (id, referral_id, organization_id, service_id, case_manager_id, token_hash, reference, created_at, expires_at, mailed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8)
            ON CONFLICT (referral_id) WHERE purpose = 'referral' DO NOTHING
            """, conn, tx))
        {
            foreach (var v in new object[] { linkId, m.ReferralId, m.OrganizationId, m.ServiceId, m.CaseManagerId,
                         LinkTokens.Hash(token), reference, now, expiresAt })
                insert.Parameters.Add(new NpgsqlParameter { Value = v });
            if (await insert.ExecuteNonQueryAsync(ct) == 0) return; // mailed already
        }

        await mail.EnqueueAsync(conn, tx, AccessLinkMail.Compose(service.ReferralEmail, service.OrganizationName, reference,
            $"{settings.PublicBaseUrl.TrimEnd('/')}/zugang/{token}", expiresAt) with { SubjectId = m.ReferralId }, ct);
        await tx.CommitAsync(ct);
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
