using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Input;
using Netzwerk.Platform.Mail;
using Netzwerk.Referrals.PartnerLinks;
using Npgsql;

namespace Netzwerk.Referrals.Inbox;

/// <summary>Configuration section <c>UnreadNotice</c>.</summary>
public sealed class UnreadNoticeSettings
{
    /// <summary>How often the sender looks for feedback that has been unread long enough.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// The Fallmanager's optional e-mail notice "3 neue Rückmeldungen": sent when inbox items have been unread for the hours the
/// user chose. Off unless the user turns it on with a work address (staff have no address here otherwise). The mail names
/// only a number and the link to /rueckmeldungen — no case reference, no partner, no client data.
/// </summary>
public static class UnreadNotice
{
    public const string MailKind = "inbox-notice";
    public const int DefaultHours = 4;
    public const int MaxHours = 168;

    public sealed record Preference(bool Enabled, string? Email, int AfterHours);
    public sealed record NoticeRequest(bool? Enabled, string? Email, int? AfterHours);

    public sealed class Store(NpgsqlDataSource dataSource, AuditLog audit, TimeProvider clock)
    {
        public async Task<Preference> GetAsync(ClaimsPrincipal principal, CancellationToken ct = default)
        {
            await using var cmd = dataSource.CreateCommand("SELECT email, after_hours FROM referrals.inbox_notice_settings WHERE user_id = $1");
            cmd.Parameters.AddWithValue(principal.CurrentUser().Id);
            await using var r = await cmd.ExecuteReaderAsync(ct);
            return await r.ReadAsync(ct) ? new Preference(true, r.GetString(0), r.GetInt32(1)) : new Preference(false, null, DefaultHours);
        }

        public async Task<Preference> SaveAsync(ClaimsPrincipal principal, NoticeRequest request, CancellationToken ct = default)
        {
            var user = principal.CurrentUser();
            if (request.Enabled != true)
            {
                await using var off = dataSource.CreateCommand("DELETE FROM referrals.inbox_notice_settings WHERE user_id = $1");
                off.Parameters.AddWithValue(user.Id);
                await off.ExecuteNonQueryAsync(ct);
                await audit.RecordAsync(new AuditEvent("inbox.notice.off", "user", user.Id), ct);
                return new Preference(false, null, DefaultHours);
            }
            var errors = new Dictionary<string, string[]>();
            var email = request.Email?.Trim() ?? "";
            if (!IsAddress(email)) errors["email"] = ["Bitte geben Sie eine gültige dienstliche E-Mail-Adresse an."];
            var hours = request.AfterHours ?? DefaultHours;
            if (hours is < 1 or > MaxHours) errors["afterHours"] = [$"Bitte eine Zahl von 1 bis {MaxHours} Stunden angeben."];
            if (errors.Count > 0) throw new ReferralProblem(400, "Bitte prüfen Sie die markierten Felder.", errors);

            await using var cmd = dataSource.CreateCommand("""
                INSERT INTO referrals.inbox_notice_settings (user_id, email, after_hours, updated_at) VALUES ($1, $2, $3, $4)
                ON CONFLICT (user_id) DO UPDATE SET email = $2, after_hours = $3, updated_at = $4
                """);
            cmd.Parameters.AddWithValue(user.Id);
            cmd.Parameters.AddWithValue(email);
            cmd.Parameters.AddWithValue(hours);
            cmd.Parameters.AddWithValue(clock.GetUtcNow());
            await cmd.ExecuteNonQueryAsync(ct);
            await audit.RecordAsync(new AuditEvent("inbox.notice.on", "user", user.Id, Detail: $"{hours} h"), ct);
            return new Preference(true, email, hours);
        }

        private static bool IsAddress(string email) => email.Length is > 3 and <= 254 && CleanText.IsClean(email)
            && !email.Any(char.IsWhiteSpace) && MimeKit.MailboxAddress.TryParse(email, out var parsed) && parsed.Address == email
            && email.IndexOf('@') is > 0 and var at && email.IndexOf('.', at) > at + 1 && !email.EndsWith('.');
    }

    /// <summary>The notice: a number and the link, nothing about a person or a case.</summary>
    public static OutgoingMail Compose(string to, int count, int afterHours, bool asDeputy, string publicBaseUrl)
    {
        var what = count == 1 ? "1 neue Rückmeldung" : $"{count} neue Rückmeldungen";
        var since = afterHours == 1 ? "seit mehr als einer Stunde" : $"seit mehr als {afterHours} Stunden";
        var deputy = asDeputy ? " – auch aus Ihrer Vertretung" : "";
        return new OutgoingMail(MailKind, to, $"Netzwerk: {what}", $"""
            Guten Tag,

            in Netzwerk {(count == 1 ? "ist" : "sind")} {what} {since} ungelesen{deputy}.
            Sie finden sie unter:
            {publicBaseUrl.TrimEnd('/')}/rueckmeldungen

            Diese Nachricht enthält bewusst keine Angaben zu Personen oder Fällen.
            Den Hinweis schalten Sie auf der Seite „Rückmeldungen“ ab.

            Ihr Jobcenter – Netzwerk
            """);
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/inbox/notice").WithTags("Rückmeldungen").RequireAuthorization(Policies.CaseWork)
            .AddEndpointFilter<ReferralProblemFilter>();
        group.MapGet("/", async (ClaimsPrincipal user, Store store, CancellationToken ct) => Results.Ok(await store.GetAsync(user, ct)))
            .WithSummary("Meine E-Mail-Benachrichtigung bei ungelesenen Rückmeldungen");
        group.MapPut("/", async (ClaimsPrincipal user, NoticeRequest request, Store store, CancellationToken ct) => Results.Ok(await store.SaveAsync(user, request, ct)))
            .WithSummary("E-Mail-Benachrichtigung ein- oder ausschalten (Adresse, nach wie vielen Stunden)");
    }
}

/// <summary>
/// Queues the notices. For each user who turned it on: their own unread items (unless they are absent today) and those of
/// the Fallmanager they stand in for today, once older than the user's hours. The items are stamped with the notice in the
/// transaction that queues its mail (durable mail outbox), so a notice covers each item at most once — a restart or a
/// second instance finds them stamped — and a notice is never repeated for the same unread items. Per recipient at most one
/// notice per the chosen number of hours (at least one hour): items that arrive meanwhile wait for the next one.
/// The settings row is locked (SKIP LOCKED) while its notice is built, so two instances never build one for the same user.
/// </summary>
public sealed class UnreadNoticeSender(NpgsqlDataSource dataSource, Deputies deputies, MailOutbox mail, PartnerLinkSettings links,
    UnreadNoticeSettings settings, TimeProvider clock, ILogger<UnreadNoticeSender> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SendDueAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                logger.LogWarning("Unread-feedback notice run failed ({ExceptionType}); retrying", e.GetType().Name);
            }
            await Task.Delay(settings.PollInterval, clock, stoppingToken).ContinueWith(_ => { });
        }
    }

    /// <summary>Queues every notice that is due now; returns how many.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var users = new List<(string Id, string Email, int Hours)>();
        await using (var list = dataSource.CreateCommand("SELECT user_id, email, after_hours FROM referrals.inbox_notice_settings"))
        await using (var r = await list.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) users.Add((r.GetString(0), r.GetString(1), r.GetInt32(2)));
        var queued = 0;
        foreach (var user in users)
            if (await SendForAsync(user.Id, user.Hours, user.Email, ct)) queued++;
        return queued;
    }

    private async Task<bool> SendForAsync(string userId, int hours, string email, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var window = TimeSpan.FromHours(Math.Max(hours, 1));
        var standsInFor = await deputies.DeputisedByAsync(userId, ct);
        var owners = new List<string>(standsInFor);
        if (!(await deputies.ForCaseManagerAsync(userId, ct)).Absent) owners.Add(userId); // away: the deputy is told instead

        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockRow = new NpgsqlCommand(
            "SELECT 1 FROM referrals.inbox_notice_settings WHERE user_id = $1 FOR UPDATE SKIP LOCKED", conn, tx))
        {
            lockRow.Parameters.AddWithValue(userId);
            if (await lockRow.ExecuteScalarAsync(ct) is null) return false; // turned off, or another instance is at it
        }
        await using (var last = new NpgsqlCommand(
            "SELECT max(created_at) FROM referrals.inbox_notices WHERE recipient_user_id = $1", conn, tx))
        {
            last.Parameters.AddWithValue(userId);
            if (await last.ExecuteScalarAsync(ct) is DateTime at && new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) > now - window)
                return false;
        }
        if (owners.Count == 0) return false;

        var noticeId = Guid.CreateVersion7();
        var (count, forDeputy) = (0, false);
        await using (var stamp = new NpgsqlCommand("""
            WITH due AS (
                SELECT id FROM referrals.inbox_items
                WHERE recipient_user_id = ANY($2) AND read_at IS NULL AND notice_id IS NULL AND occurred_at <= $3
                FOR UPDATE SKIP LOCKED)
            UPDATE referrals.inbox_items i SET notice_id = $1 FROM due WHERE i.id = due.id
            RETURNING i.recipient_user_id
            """, conn, tx))
        {
            stamp.Parameters.AddWithValue(noticeId);
            stamp.Parameters.AddWithValue(owners.ToArray());
            stamp.Parameters.AddWithValue(now - window);
            await using var stamped = await stamp.ExecuteReaderAsync(ct);
            while (await stamped.ReadAsync(ct))
            {
                count++;
                if (stamped.GetString(0) != userId) forDeputy = true;
            }
        }
        if (count == 0) return false;

        var mailId = await mail.EnqueueAsync(conn, tx,
            UnreadNotice.Compose(email, count, hours, asDeputy: forDeputy, links.PublicBaseUrl), ct);
        await using (var record = new NpgsqlCommand("""
            INSERT INTO referrals.inbox_notices (id, recipient_user_id, item_count, mail_id, created_at) VALUES ($1, $2, $3, $4, $5)
            """, conn, tx))
        {
            foreach (var v in new object[] { noticeId, userId, count, mailId, now }) record.Parameters.Add(new NpgsqlParameter { Value = v });
            await record.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        return true;
    }
}
