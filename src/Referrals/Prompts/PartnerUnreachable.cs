using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Mail;
using Netzwerk.Referrals.Inbox;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.PartnerLinks;
using Npgsql;

namespace Netzwerk.Referrals.Prompts;

/// <summary>
/// A referral mail (the access link or a prompt) the mail server refused for good at every address: the referral shows "Partner per E-Mail
/// nicht erreichbar" (<c>referrals.partner_mail_failures</c>) and the Netzwerkkoordination gets a task in its inbox to fix the
/// address in the catalogue. Keyed by the mail's id: a repeated call changes nothing.
/// </summary>
public sealed class PartnerUnreachable(NpgsqlDataSource dataSource, FeedbackInboxWriter inbox, TimeProvider clock, PartnerMailFailover failover)
    : IMailFailureObserver
{
    public const string InboxKind = "partner-unreachable";
    public const string Label = "Partner per E-Mail nicht erreichbar";

    public async Task MailFailedAsync(FailedMail mail, CancellationToken ct)
    {
        if (mail.SubjectId is not { } referralId || !(mail.Kind == AccessLinkMail.Kind || PromptKinds.All.Contains(mail.Kind))) return;
        // Unreachable only when no fallback address is left to try.
        if (await failover.MoveAsync(mail, ct)) return;
        var now = clock.GetUtcNow();
        await using (var cmd = dataSource.CreateCommand("""
            INSERT INTO referrals.partner_mail_failures (mail_id, referral_id, kind, failed_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (mail_id) DO NOTHING
            """))
        {
            foreach (var v in new object[] { mail.Id, referralId, mail.Kind, now }) cmd.Parameters.Add(new NpgsqlParameter { Value = v });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await inbox.WriteAsync(new InboxDraft(mail.Id, referralId, InboxKind,
            $"{Label} – bitte die Verweisungsadresse im Katalog prüfen", null, now, Roles.NetworkCoordinator), ct);
    }

    /// <summary>Whether a mail about the referral could not be delivered (shown on the referral).</summary>
    public static async Task<bool> AnyAsync(NpgsqlDataSource dataSource, Guid referralId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT EXISTS (SELECT 1 FROM referrals.partner_mail_failures WHERE referral_id = $1)");
        cmd.Parameters.AddWithValue(referralId);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }
}
