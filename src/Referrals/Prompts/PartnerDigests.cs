using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Mail;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;
using Npgsql;

namespace Netzwerk.Referrals.Prompts;

/// <summary>
/// Digest delivery: a partner organisation chooses immediate mails or one mail per recipient per day (7:00) or week (Monday
/// 7:00), on /partner/e-mail-zustellung (reached from every referral page, also through a prompt's link) or through
/// <c>/api/partner/mail-delivery</c>. A prompt for a digest partner is collected in <c>referrals.partner_digest_items</c>;
/// the sender writes the digest — each item with its own fresh link — and marks the items in one transaction, so a digest
/// goes out exactly once, through the mail outbox.
/// </summary>
public sealed class PartnerDigests(NpgsqlDataSource dataSource, PartnerPrompts prompts, MailOutbox mail, PartnerPromptSettings settings,
    TimeProvider clock, ILogger<PartnerDigests> logger) : BackgroundService
{
    public const string Immediate = "immediate";
    public const string Daily = "daily";
    public const string Weekly = "weekly";
    public const string MailKind = "prompt-digest";

    public static readonly IReadOnlyDictionary<string, string> German = new Dictionary<string, string>
    {
        [Immediate] = "Sofort – jede Bitte als eigene E-Mail",
        [Daily] = "Täglich gesammelt – eine E-Mail um 7 Uhr",
        [Weekly] = "Wöchentlich gesammelt – eine E-Mail am Montag um 7 Uhr",
    };

    public static async Task<string> DeliveryAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, Guid organizationId, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT delivery FROM referrals.partner_mail_delivery WHERE organization_id = $1", conn, tx);
        cmd.Parameters.AddWithValue(organizationId);
        return await cmd.ExecuteScalarAsync(ct) as string ?? Immediate;
    }

    /// <summary>When a digest collected now goes out: the next 7:00 (Berlin), for weekly the next Monday's.</summary>
    public static DateTimeOffset DueAt(string delivery, DateTimeOffset now)
    {
        var local = TimeZoneInfo.ConvertTime(now, GermanTime.Berlin);
        var day = DateOnly.FromDateTime(local.Date);
        if (local.TimeOfDay >= TimeSpan.FromHours(7)) day = day.AddDays(1);
        if (delivery == Weekly) while (day.DayOfWeek != DayOfWeek.Monday) day = day.AddDays(1);
        var at = day.ToDateTime(new TimeOnly(7, 0));
        return new DateTimeOffset(at, GermanTime.Berlin.GetUtcOffset(at)).ToUniversalTime();
    }

    /// <summary>Collects the prompt if its partner chose a digest (in the prompt's transaction); false: send it now.</summary>
    public static async Task<bool> CollectAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid promptId, PartnerPrompts.PromptTarget target,
        string kind, string recipient, DateTimeOffset now, CancellationToken ct)
    {
        var delivery = await DeliveryAsync(conn, tx, target.OrganizationId, ct);
        if (delivery == Immediate) return false;
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO referrals.partner_digest_items (prompt_id, referral_id, organization_id, service_id, case_manager_id, kind, recipient,
                reference, organization_name, service_name, created_at, due_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING
            """, conn, tx);
        foreach (var v in new object[] { promptId, target.ReferralId, target.OrganizationId, target.ServiceId, target.CaseManagerId, kind, recipient,
                     target.Reference, target.OrganizationName, target.ServiceName, now, DueAt(delivery, now) })
            cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        await cmd.ExecuteNonQueryAsync(ct);
        await using var mark = new NpgsqlCommand("UPDATE referrals.partner_prompts SET outcome = 'digest', recipient = $2 WHERE id = $1", conn, tx);
        mark.Parameters.AddWithValue(promptId);
        mark.Parameters.AddWithValue(recipient);
        await mark.ExecuteNonQueryAsync(ct);
        return true;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try { while (await SendDueAsync(stoppingToken) > 0) { } }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e) { logger.LogWarning("Partner digest round failed ({ExceptionType}); retrying", e.GetType().Name); }
            await Task.Delay(settings.DigestPollInterval, stoppingToken).ContinueWith(_ => { });
        }
    }

    private sealed record Item(Guid PromptId, PartnerPrompts.PromptTarget Target, string Kind, string Recipient, DateTimeOffset DueAt);

    /// <summary>Writes the digests that are due (one recipient and due time per mail); returns how many it wrote.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var items = new List<Item>();
        await using (var select = new NpgsqlCommand("""
            SELECT prompt_id, referral_id, organization_id, service_id, case_manager_id, organization_name, service_name, reference, kind, recipient, due_at
            FROM referrals.partner_digest_items WHERE mail_id IS NULL AND due_at <= $1
            ORDER BY recipient, due_at, created_at LIMIT 500 FOR UPDATE SKIP LOCKED
            """, conn, tx))
        {
            select.Parameters.AddWithValue(now);
            await using var r = await select.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
                items.Add(new Item(r.GetGuid(0), new PartnerPrompts.PromptTarget(r.GetGuid(1), r.GetGuid(2), r.GetGuid(3), r.GetString(4), r.GetString(5),
                    r.GetString(6), r.GetString(7)), r.GetString(8), r.GetString(9), r.GetFieldValue<DateTimeOffset>(10)));
        }
        var digests = items.GroupBy(i => (i.Recipient.ToLowerInvariant(), i.DueAt)).ToList();
        foreach (var digest in digests)
        {
            var list = digest.ToList();
            var lines = new List<string>();
            foreach (var item in list)
            {
                var link = await prompts.NewLinkAsync(conn, tx, item.Target, item.Kind, now, ct);
                lines.Add($"- {PromptTemplates.NameOf(item.Kind) ?? "Bitte um Rückmeldung"}: Verweisung {item.Target.Reference} (Angebot „{item.Target.ServiceName}“)\n  {link}");
            }
            var until = TimeZoneInfo.ConvertTime(prompts.LinkExpiry(now), GermanTime.Berlin).ToString("dd.MM.yyyy");
            var body = $"""
                Guten Tag,

                für {list[0].Target.OrganizationName} liegen {(list.Count == 1 ? "eine Bitte" : $"{list.Count} Bitten")} um Rückmeldung zu Verweisungen vor.
                Jeder Link gilt nur für seine eine Verweisung und bis {until} – bitte leiten Sie die Links nicht weiter.

                {string.Join("\n\n", lines)}

                Sie erhalten diese Bitten gesammelt. Die Zustellung ändern Sie über einen der Links unter „E-Mail-Zustellung“.

                Mit freundlichen Grüßen
                Ihr Jobcenter – Netzwerk
                """;
            var mailId = await mail.EnqueueAsync(conn, tx, new OutgoingMail(MailKind, list[0].Recipient,
                $"Netzwerk: {(list.Count == 1 ? "1 Bitte" : $"{list.Count} Bitten")} um Rückmeldung", body), ct);
            foreach (var sql in new[] { "UPDATE referrals.partner_digest_items SET mail_id = $2 WHERE prompt_id = ANY($1)",
                         "UPDATE referrals.partner_prompts SET mail_id = $2 WHERE id = ANY($1)" })
            {
                await using var mark = new NpgsqlCommand(sql, conn, tx);
                mark.Parameters.AddWithValue(list.Select(i => i.PromptId).ToArray());
                mark.Parameters.AddWithValue(mailId);
                await mark.ExecuteNonQueryAsync(ct);
            }
        }
        await tx.CommitAsync(ct);
        return digests.Count;
    }

    // ---- the partner's choice ------------------------------------------------------------------------

    public sealed record DeliveryRequest(string? Delivery);
    public sealed record DeliveryDto(string Delivery, string Text);

    public static async Task<DeliveryDto> SaveAsync(NpgsqlDataSource dataSource, ClaimsPrincipal principal, string? delivery, DateTimeOffset now,
        CancellationToken ct)
    {
        var me = principal.CurrentUser();
        if (me.OrganizationId is not { } org) throw ReferralProblem.Forbidden("Nur Partner wählen die Zustellung ihrer E-Mails.");
        if (delivery is null || !German.ContainsKey(delivery))
            throw ReferralProblem.Field("delivery", "Bitte wählen Sie „immediate“ (sofort), „daily“ (täglich) oder „weekly“ (wöchentlich).");
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO referrals.partner_mail_delivery (organization_id, delivery, changed_at, changed_by) VALUES ($1, $2, $3, $4)
            ON CONFLICT (organization_id) DO UPDATE SET delivery = $2, changed_at = $3, changed_by = $4
            """);
        foreach (var v in new object[] { org, delivery, now, me.Id }) cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        await cmd.ExecuteNonQueryAsync(ct);
        return new DeliveryDto(delivery, German[delivery]);
    }

    public static async Task<DeliveryDto> GetAsync(NpgsqlDataSource dataSource, ClaimsPrincipal principal, CancellationToken ct)
    {
        if (principal.CurrentUser().OrganizationId is not { } org) throw ReferralProblem.Forbidden("Nur Partner wählen die Zustellung ihrer E-Mails.");
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var delivery = await DeliveryAsync(conn, null, org, ct);
        return new DeliveryDto(delivery, German[delivery]);
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/partner/mail-delivery").WithTags("Partner: E-Mail-Zustellung")
            .RequireAuthorization(Policies.Partner).AddEndpointFilter<ReferralProblemFilter>();
        group.MapGet("/", async (ClaimsPrincipal user, NpgsqlDataSource ds, CancellationToken ct) => Results.Ok(await GetAsync(ds, user, ct)))
            .WithSummary("Wie Bitten um Rückmeldung zugestellt werden: sofort, täglich oder wöchentlich gesammelt");
        group.MapPut("/", async (DeliveryRequest request, ClaimsPrincipal user, NpgsqlDataSource ds, TimeProvider clock, CancellationToken ct) =>
                Results.Ok(await SaveAsync(ds, user, request.Delivery, clock.GetUtcNow(), ct)))
            .WithSummary("Zustellung wählen (immediate, daily, weekly)");
    }
}
