using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Mail;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.PartnerLinks;
using Npgsql;

namespace Netzwerk.Referrals.Prompts;

/// <summary>
/// A referral mail (the access link or a prompt) refused for good at one address goes to the partner's next address
/// (<see cref="ReferralAddress.InOrder"/>: the referral address, then the fallbacks kept in the catalogue). The new mail gets
/// a fresh link — the refused one never reached anybody — and the prompt row follows it. Only when no address is left does
/// <see cref="PartnerUnreachable"/> flag the referral and give the Netzwerkkoordination a task.
/// </summary>
public sealed class PartnerMailFailover(NpgsqlDataSource dataSource, IServiceLookup services, PartnerPrompts prompts, MailOutbox mail,
    PartnerLinkSettings links, TimeProvider clock)
{
    /// <summary>True when the mail was moved to a next address (now or by an earlier call); false when none is left.</summary>
    public async Task<bool> MoveAsync(FailedMail failed, CancellationToken ct)
    {
        if (failed.SubjectId is not { } referralId) return false;
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (await PartnerPrompts.ReadReferralAsync(conn, tx, referralId, ct) is not { } row) return false;
        var (organizationId, serviceId, caseManagerId, reference) = row;
        if (reference is null || await services.ReferralAddressAsync(serviceId, ct) is not { } address) return false;
        var order = address.InOrder;
        var at = order.ToList().FindIndex(a => string.Equals(a, failed.Recipient, StringComparison.OrdinalIgnoreCase));
        if (at < 0 || at + 1 >= order.Count) return false;
        var next = order[at + 1];
        var now = clock.GetUtcNow();

        await using (var claim = new NpgsqlCommand("""
            INSERT INTO referrals.partner_mail_failovers (mail_id, referral_id, kind, next_recipient, moved_at) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (mail_id) DO NOTHING
            """, conn, tx))
        {
            foreach (var v in new object[] { failed.Id, referralId, failed.Kind, next, now }) claim.Parameters.Add(new NpgsqlParameter { Value = v });
            if (await claim.ExecuteNonQueryAsync(ct) == 0) return true; // moved before
        }

        Guid? nextMail = null;
        if (failed.Kind == AccessLinkMail.Kind)
        {
            // The first link, re-issued: its old token was only in the refused mail.
            var token = LinkTokens.New();
            var expiresAt = now.AddDays(links.LifetimeDays);
            await using var reissue = new NpgsqlCommand("""
                UPDATE referrals.partner_access_links SET token_hash = $2, expires_at = $3, mailed_at = $4
                WHERE referral_id = $1 AND purpose = 'referral' AND revoked_at IS NULL
                """, conn, tx);
            foreach (var v in new object[] { referralId, LinkTokens.Hash(token), expiresAt, now }) reissue.Parameters.Add(new NpgsqlParameter { Value = v });
            if (await reissue.ExecuteNonQueryAsync(ct) == 0) { await tx.CommitAsync(ct); return true; } // access ended meanwhile: nothing to send
            nextMail = await mail.EnqueueAsync(conn, tx, AccessLinkMail.Compose(next, address.OrganizationName, reference,
                $"{links.PublicBaseUrl.TrimEnd('/')}/zugang/{token}", expiresAt) with { SubjectId = referralId }, ct);
        }
        else if (PromptKinds.All.Contains(failed.Kind))
        {
            Guid promptId;
            await using (var find = new NpgsqlCommand("SELECT id FROM referrals.partner_prompts WHERE mail_id = $1", conn, tx))
            {
                find.Parameters.AddWithValue(failed.Id);
                if (await find.ExecuteScalarAsync(ct) is not Guid id) return false;
                promptId = id;
            }
            var service = await services.FindAsync(serviceId, ct);
            nextMail = await prompts.MailAsync(conn, tx, promptId, new PartnerPrompts.PromptTarget(referralId, organizationId, serviceId, caseManagerId,
                address.OrganizationName, service?.ServiceName ?? "Ihr Angebot", reference), failed.Kind, next, now, ct);
        }
        else return false;

        await using (var done = new NpgsqlCommand("""
            UPDATE referrals.partner_mail_failovers SET next_mail_id = $2 WHERE mail_id = $1
            """, conn, tx))
        {
            done.Parameters.AddWithValue(failed.Id);
            done.Parameters.AddWithValue(nextMail!.Value);
            await done.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }
}
