using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Mail;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.PartnerLinks;
using Npgsql;

namespace Netzwerk.Referrals.Prompts;

/// <summary>Configuration section <c>PartnerPrompts</c>.</summary>
public sealed class PartnerPromptSettings
{
    /// <summary>At most this many prompt mails to one address per hour; further ones wait (never dropped).</summary>
    public int PerRecipientPerHour { get; set; } = 20;
    /// <summary>How often the digest sender looks for digests that are due.</summary>
    public TimeSpan DigestPollInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Queues a partner prompt mail in the caller's transaction — the one that fires the deadline (<see cref="ReferralDeadlines"/>)
/// or saves the transition (<see cref="ReferralWorkflow"/>) — so the mail exists exactly when the change does. Each prompt is
/// keyed by (referral, kind, occurrence) in <c>referrals.partner_prompts</c>: a second poller, a redelivered message or a
/// restart finds the key and queues nothing. The mail names only the partner, the neutral reference of the referral's first
/// link, the service and a fresh link of its own (<see cref="AccessLinks"/>): no case reference, no client data.
/// </summary>
public sealed class PartnerPrompts(IServiceLookup services, MailOutbox mail, PartnerLinkSettings links, PartnerPromptSettings settings)
{
    public const string Queued = "queued";
    public const string NoAddress = "no-address";

    public async Task QueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid referralId, string kind, string occurrence,
        DateTimeOffset now, CancellationToken ct)
    {
        if (await ReadReferralAsync(conn, tx, referralId, ct) is not { } row) return;
        var (organizationId, serviceId, caseManagerId, reference) = row;
        var address = await services.ReferralAddressAsync(serviceId, ct);
        var service = await services.FindAsync(serviceId, ct);
        var recipient = address?.InOrder.FirstOrDefault();

        var promptId = Guid.CreateVersion7();
        await using (var claim = new NpgsqlCommand("""
            INSERT INTO referrals.partner_prompts (id, referral_id, kind, occurrence, recipient, outcome, created_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (referral_id, kind, occurrence) DO NOTHING
            """, conn, tx))
        {
            foreach (var v in new object[] { promptId, referralId, kind, occurrence, (object?)recipient ?? DBNull.Value, recipient is null ? NoAddress : Queued, now })
                claim.Parameters.Add(new NpgsqlParameter { Value = v });
            if (await claim.ExecuteNonQueryAsync(ct) == 0) return; // this prompt was queued before
        }
        if (recipient is null) return;

        reference ??= AccessLinks.NewReference();
        var target = new PromptTarget(referralId, organizationId, serviceId, caseManagerId, address!.OrganizationName,
            service?.ServiceName ?? "Ihr Angebot", reference);
        // Partners who chose a digest get it collected (the end notice, which asks for nothing, still goes at once).
        if (kind != PromptKinds.EndNotice && await PartnerDigests.CollectAsync(conn, tx, promptId, target, kind, recipient, now, ct)) return;
        await MailAsync(conn, tx, promptId, target, kind, recipient, now, ct);
    }

    /// <summary>The referral's partner, service, case manager and the neutral reference of its first link (null before sending).</summary>
    internal static async Task<(Guid OrganizationId, Guid ServiceId, string CaseManagerId, string? Reference)?> ReadReferralAsync(
        NpgsqlConnection conn, NpgsqlTransaction tx, Guid referralId, CancellationToken ct)
    {
        await using var select = new NpgsqlCommand("""
            SELECT r.organization_id, r.service_id, r.case_manager_id,
                   (SELECT l.reference FROM referrals.partner_access_links l WHERE l.referral_id = r.id AND l.purpose = 'referral')
            FROM referrals.referrals r WHERE r.id = $1
            """, conn, tx);
        select.Parameters.AddWithValue(referralId);
        await using var reader = await select.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return (reader.GetGuid(0), reader.GetGuid(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
    }

    /// <summary>What a prompt mail is about: the referral's partner, service and neutral reference.</summary>
    public sealed record PromptTarget(Guid ReferralId, Guid OrganizationId, Guid ServiceId, string CaseManagerId, string OrganizationName,
        string ServiceName, string Reference);

    /// <summary>
    /// Writes the prompt's mail to <paramref name="recipient"/> from the kind's current template, with a fresh link of its own,
    /// and records the mail and the template version on the prompt (also when the prompt moves to a fallback address).
    /// </summary>
    public async Task<Guid> MailAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid promptId, PromptTarget target, string kind, string recipient,
        DateTimeOffset now, CancellationToken ct)
    {
        var expiresAt = now.AddDays(links.LifetimeDays);
        // The end notice carries no link: the partner has just lost access.
        var link = kind == PromptKinds.EndNotice ? null : await NewLinkAsync(conn, tx, target, kind, now, ct);

        var template = await PromptTemplates.CurrentAsync(conn, tx, kind, ct);
        var composed = PromptMail.Compose(template, recipient, new PromptValues(target.OrganizationName, target.Reference, target.ServiceName, link, expiresAt))
            with { SubjectId = target.ReferralId, HoldFor = await HoldForAsync(conn, tx, recipient, now, ct) };
        var mailId = await mail.EnqueueAsync(conn, tx, composed, ct);
        // The prompt keeps the template version its mail was written from (the mail itself keeps no content once sent).
        await using var log = new NpgsqlCommand(
            "UPDATE referrals.partner_prompts SET mail_id = $2, template_version = $3, recipient = $4 WHERE id = $1", conn, tx);
        log.Parameters.AddWithValue(promptId);
        log.Parameters.AddWithValue(mailId);
        log.Parameters.AddWithValue(template.Version);
        log.Parameters.AddWithValue(recipient);
        await log.ExecuteNonQueryAsync(ct);
        return mailId;
    }

    /// <summary>A fresh single-purpose link for one prompt (purpose = the prompt kind, see LinkPurposes); the token exists only in the mail.</summary>
    public async Task<string> NewLinkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, PromptTarget target, string kind, DateTimeOffset now,
        CancellationToken ct)
    {
        var token = LinkTokens.New();
        await using var insert = new NpgsqlCommand("""
            INSERT INTO referrals.partner_access_links
                (id, referral_id, organization_id, service_id, case_manager_id, token_hash, reference, created_at, expires_at, mailed_at, purpose)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $10)
            """, conn, tx);
        foreach (var v in new object[] { Guid.NewGuid(), target.ReferralId, target.OrganizationId, target.ServiceId, target.CaseManagerId,
                     LinkTokens.Hash(token), target.Reference, now, LinkExpiry(now), kind })
            insert.Parameters.Add(new NpgsqlParameter { Value = v });
        await insert.ExecuteNonQueryAsync(ct);
        return $"{links.PublicBaseUrl.TrimEnd('/')}/zugang/{token}";
    }

    public DateTimeOffset LinkExpiry(DateTimeOffset now) => now.AddDays(links.LifetimeDays);

    /// <summary>Per-recipient rate limit: beyond the hourly number, the mail waits until the oldest of the hour is an hour old.</summary>
    private async Task<TimeSpan?> HoldForAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string recipient, DateTimeOffset now, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT created_at FROM referrals.partner_prompts
            WHERE recipient = $1 AND mail_id IS NOT NULL AND created_at > $2
            ORDER BY created_at DESC OFFSET $3 - 1 LIMIT 1
            """, conn, tx);
        cmd.Parameters.AddWithValue(recipient);
        cmd.Parameters.AddWithValue(now.AddHours(-1));
        cmd.Parameters.AddWithValue(Math.Max(settings.PerRecipientPerHour, 1));
        if (await cmd.ExecuteScalarAsync(ct) is not DateTime oldest) return null;
        var wait = new DateTimeOffset(DateTime.SpecifyKind(oldest, DateTimeKind.Utc)).AddHours(1) - now;
        return wait > TimeSpan.Zero ? wait : null;
    }
}
