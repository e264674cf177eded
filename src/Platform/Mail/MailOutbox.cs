using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Identity;
using Npgsql;

namespace Netzwerk.Platform.Mail;

/// <summary>A mail a feature hands over. <paramref name="Kind"/> names what it is (e.g. "partner-access-link") for
/// administrators; it is not sent. <paramref name="SubjectId"/> is the feature's id of what the mail is about (a referral),
/// for the sent-mail log and for <see cref="IMailFailureObserver"/>; <paramref name="HoldFor"/> holds the mail back
/// (a feature's rate limit).</summary>
public sealed record OutgoingMail(string Kind, string To, string Subject, string Body, Guid? SubjectId = null, TimeSpan? HoldFor = null);

/// <summary>A mail the mail server refused for good (a 5xx answer): it is not retried.</summary>
public sealed record FailedMail(Guid Id, string Kind, string Recipient, Guid? SubjectId, string Error);

/// <summary>
/// A feature that wants to hear when one of its mails cannot be delivered (e.g. to show "Partner per E-Mail nicht
/// erreichbar"). Called after the failure is stored; an observer that throws is logged and not called again for that mail.
/// </summary>
public interface IMailFailureObserver
{
    Task MailFailedAsync(FailedMail mail, CancellationToken ct);
}

/// <summary>
/// Writes mails to <c>platform.mail_outbox</c> in the caller's transaction: the mail exists exactly when the change it
/// reports does, and <see cref="MailOutboxSender"/> sends it later, retrying until the mail server takes it. Bodies may
/// carry secrets (an access link), so they are stored data-protected and cleared once sent.
/// </summary>
public sealed class MailOutbox(IDataProtectionProvider protection)
{
    private readonly IDataProtector _body = protection.CreateProtector("Netzwerk.Platform.Mail.Outbox");

    public async Task<Guid> EnqueueAsync(NpgsqlConnection conn, NpgsqlTransaction tx, OutgoingMail mail, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        // The log row (no subject line, no body) goes with the mail, in the caller's transaction.
        await using var cmd = new NpgsqlCommand("""
            WITH mail AS (
                INSERT INTO platform.mail_outbox (id, kind, recipient, subject, body, subject_id, next_attempt_at)
                VALUES ($1, $2, $3, $4, $5, $6, clock_timestamp() + COALESCE($7, interval '0'))
                RETURNING id, kind, recipient, subject_id, created_at)
            INSERT INTO platform.mail_log (mail_id, kind, recipient, subject_id, queued_at)
            SELECT id, kind, recipient, subject_id, created_at FROM mail
            """, conn, tx);
        foreach (var v in new object[] { id, mail.Kind, mail.To, mail.Subject, _body.Protect(mail.Body) })
            cmd.Parameters.Add(new NpgsqlParameter { Value = v });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)mail.SubjectId ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Uuid });
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)mail.HoldFor ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Interval });
        await cmd.ExecuteNonQueryAsync(ct);
        return id;
    }

    internal string Unprotect(string body) => _body.Unprotect(body);

    /// <summary>A mail not yet sent, as administrators see it: no body, and of the recipient only the domain.</summary>
    public sealed record PendingMail(Guid Id, string Kind, string RecipientDomain, DateTimeOffset CreatedAt, int Attempts,
        DateTimeOffset NextAttemptAt, string? LastError);

    public static async Task<IReadOnlyList<PendingMail>> PendingAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT id, kind, split_part(recipient, '@', 2), created_at, attempts, next_attempt_at, last_error
            FROM platform.mail_outbox WHERE sent_at IS NULL ORDER BY created_at LIMIT 500
            """);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var pending = new List<PendingMail>();
        while (await reader.ReadAsync(ct))
            pending.Add(new PendingMail(reader.GetGuid(0), reader.GetString(1), reader.GetString(2),
                reader.GetFieldValue<DateTimeOffset>(3), reader.GetInt32(4), reader.GetFieldValue<DateTimeOffset>(5),
                reader.IsDBNull(6) ? null : reader.GetString(6)));
        return pending;
    }

    /// <summary>What became of mails a feature enqueued (by the ids <see cref="EnqueueAsync"/> returned).</summary>
    public sealed record Delivery(Guid Id, bool Sent, int Attempts, bool Failing);

    /// <summary>
    /// Delivery state of the given mails. <c>Failing</c>: not sent after <paramref name="failingAfterAttempts"/> attempts that
    /// ended in an error (a refused recipient, an unreachable server) — the feature may call that undeliverable.
    /// Sent mails older than the outbox's retention are gone and not listed.
    /// </summary>
    public static async Task<IReadOnlyList<Delivery>> DeliveryAsync(NpgsqlDataSource dataSource, IReadOnlyCollection<Guid> ids,
        int failingAfterAttempts, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id, sent_at IS NOT NULL, attempts, last_error IS NOT NULL FROM platform.mail_outbox WHERE id = ANY($1)");
        cmd.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<Delivery>();
        while (await reader.ReadAsync(ct))
        {
            var sent = reader.GetBoolean(1);
            var attempts = reader.GetInt32(2);
            list.Add(new Delivery(reader.GetGuid(0), sent, attempts, !sent && reader.GetBoolean(3) && attempts >= failingAfterAttempts));
        }
        return list;
    }

    /// <summary>Mails waiting to go out (for metrics).</summary>
    public static async Task<long> CountPendingAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT count(*) FROM platform.mail_outbox WHERE sent_at IS NULL");
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }
}

/// <summary>The sent-mail log (<c>platform.mail_log</c>): kind, recipient and times of each mail about a subject — no content.</summary>
public static class MailLog
{
    public sealed record Entry(Guid MailId, string Kind, string Recipient, DateTimeOffset QueuedAt, DateTimeOffset? SentAt, DateTimeOffset? FailedAt);

    public static async Task<IReadOnlyList<Entry>> ForSubjectAsync(NpgsqlDataSource dataSource, Guid subjectId, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT mail_id, kind, recipient, queued_at, sent_at, failed_at FROM platform.mail_log WHERE subject_id = $1 ORDER BY queued_at, mail_id");
        cmd.Parameters.AddWithValue(subjectId);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var entries = new List<Entry>();
        while (await r.ReadAsync(ct))
            entries.Add(new Entry(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetFieldValue<DateTimeOffset>(3),
                r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4), r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5)));
        return entries;
    }
}

public static class MailSetup
{
    /// <summary>The mail outbox and its sender, configured from the <c>Smtp</c> section.</summary>
    public static IServiceCollection AddNetzwerkMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("Smtp").Get<SmtpSettings>() ?? new SmtpSettings());
        services.AddSingleton<MailOutbox>();
        services.AddSingleton<MailOutboxSender>();
        services.AddSingleton<MailBounces>();
        services.AddHostedService(sp => sp.GetRequiredService<MailOutboxSender>());
        return services;
    }

    /// <summary>Administrators see the mails that have not gone out yet, with their attempts and last error.</summary>
    public static IEndpointRouteBuilder MapMailOutbox(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/admin/mails", async (NpgsqlDataSource dataSource, CancellationToken ct) =>
                Results.Ok(await MailOutbox.PendingAsync(dataSource, ct)))
            .RequireAuthorization(p => p.RequireAssertion(c => CurrentUser.From(c.User)?.Role == Roles.Administrator))
            .WithTags("Administration: E-Mail");
        MailBounces.Map(app, app.ServiceProvider.GetRequiredService<SmtpSettings>());
        return app;
    }
}
