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
/// administrators; it is not sent.</summary>
public sealed record OutgoingMail(string Kind, string To, string Subject, string Body);

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
        await using var cmd = new NpgsqlCommand(
            "INSERT INTO platform.mail_outbox (id, kind, recipient, subject, body) VALUES ($1, $2, $3, $4, $5)", conn, tx);
        foreach (var v in new object[] { id, mail.Kind, mail.To, mail.Subject, _body.Protect(mail.Body) })
            cmd.Parameters.Add(new NpgsqlParameter { Value = v });
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

public static class MailSetup
{
    /// <summary>The mail outbox and its sender, configured from the <c>Smtp</c> section.</summary>
    public static IServiceCollection AddNetzwerkMail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("Smtp").Get<SmtpSettings>() ?? new SmtpSettings());
        services.AddSingleton<MailOutbox>();
        services.AddSingleton<MailOutboxSender>();
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
        return app;
    }
}
