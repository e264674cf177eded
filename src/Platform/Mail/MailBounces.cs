using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using MimeKit;
using P = Netzwerk.Platform.Problems.Problems;
using Npgsql;

namespace Netzwerk.Platform.Mail;

/// <summary>
/// Delivery status notifications (RFC 3464 bounces) piped in by the mail server: <c>POST /api/mail/bounces</c> with the
/// raw message as body and the shared secret <c>Smtp__BounceToken</c> in the header <c>X-Bounce-Token</c> (without a
/// configured secret the endpoint does not exist: 404). The bounced mail is found by its Message-ID (our outbox id); a
/// recipient whose action is "failed" makes it a permanent failure, told to the <see cref="IMailFailureObserver"/>s
/// exactly like a 5xx at sending — once per mail. Nothing of the bounce's content is stored or logged.
/// </summary>
public sealed class MailBounces(NpgsqlDataSource dataSource, IEnumerable<IMailFailureObserver> observers, ILogger<MailBounces> logger)
{
    public const string TokenHeader = "X-Bounce-Token";

    /// <summary>The outbox id the bounce is about and whether a recipient failed for good; null when it is not ours.</summary>
    public static (Guid MailId, string? Status)? Read(MimeMessage bounce)
    {
        string? status = null;
        var failed = false;
        string? originalId = null;
        foreach (var part in bounce.BodyParts)
        {
            switch (part)
            {
                case MessageDeliveryStatus dsn:
                    foreach (var group in dsn.StatusGroups.Skip(1)) // the first group is about the reporting server
                        if (string.Equals(group["Action"]?.Trim(), "failed", StringComparison.OrdinalIgnoreCase))
                            (failed, status) = (true, group["Status"]?.Trim());
                    break;
                case MessagePart { Message: { } original }: // message/rfc822 or text/rfc822-headers
                    originalId ??= original.MessageId;
                    break;
            }
        }
        if (!failed || originalId is null) return null;
        var local = originalId.Trim('<', '>', ' ').Split('@')[0];
        return Guid.TryParseExact(local, "N", out var id) ? (id, status) : null;
    }

    /// <summary>Marks the mail failed (if it was not already) and tells the observers; false when the bounce is not about one of our mails.</summary>
    public async Task<bool> HandleAsync(MimeMessage bounce, CancellationToken ct)
    {
        if (Read(bounce) is not { } b) return false;
        var error = $"bounce {(b.Status is { Length: <= 20 } s ? s : "failed")}";
        await using var cmd = dataSource.CreateCommand("""
            UPDATE platform.mail_log SET failed_at = clock_timestamp(), error = $2
            WHERE mail_id = $1 AND failed_at IS NULL
            RETURNING kind, recipient, subject_id
            """);
        cmd.Parameters.AddWithValue(b.MailId);
        cmd.Parameters.AddWithValue(error);
        FailedMail? mail = null;
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            if (await r.ReadAsync(ct))
                mail = new FailedMail(b.MailId, r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetGuid(2), error);
        if (mail is null) return true; // known already (or not ours): nothing more to do
        logger.LogWarning("Mail {MailId} ({Kind}) bounced ({Error})", mail.Id, mail.Kind, error);
        foreach (var observer in observers)
        {
            try { await observer.MailFailedAsync(mail, ct); }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning("Mail failure observer {Observer} failed for bounced mail {MailId} ({ExceptionType})", observer.GetType().Name, mail.Id,
                    e.GetType().Name);
            }
        }
        return true;
    }

    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder app, SmtpSettings smtp)
    {
        if (string.IsNullOrEmpty(smtp.BounceToken)) return app;
        var expected = Encoding.UTF8.GetBytes(smtp.BounceToken);
        app.MapPost("/api/mail/bounces", async (HttpRequest request, MailBounces bounces, CancellationToken ct) =>
            {
                if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(request.Headers[TokenHeader].ToString()), expected))
                    return P.Forbidden("Kein gültiges Zugangstoken für Rückläufer.");
                MimeMessage message;
                try { message = await MimeMessage.LoadAsync(request.Body, ct); }
                catch (FormatException) { return P.Unprocessable("Die Nachricht ist keine lesbare E-Mail (RFC 5322)."); }
                return await bounces.HandleAsync(message, ct)
                    ? Results.Accepted()
                    : P.Unprocessable("Keine Zustellungsbenachrichtigung (RFC 3464) zu einer E-Mail von Netzwerk mit „Action: failed“.");
            })
            .AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }
}
