using System.Diagnostics.Metrics;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MimeKit;
using Npgsql;

namespace Netzwerk.Platform.Mail;

/// <summary>Configuration section <c>Smtp</c>.</summary>
public sealed class SmtpSettings
{
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 587;
    public string From { get; set; } = "netzwerk@jobcenter.example";
    /// <summary>MailKit's <see cref="SecureSocketOptions"/>: StartTls (default: the link must not travel in clear),
    /// SslOnConnect (port 465), StartTlsWhenAvailable, None (only a mail server on the same machine).</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;
    public string? UserName { get; set; }
    public string? Password { get; set; }
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>The first retry waits this long; each further one twice as long, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);
    /// <summary>Demo/development only: write mails as .eml files (named by their id) into this folder instead of sending them.</summary>
    public string? PickupDirectory { get; set; }
    /// <summary>Shared secret the mail server sends with bounces to <c>POST /api/mail/bounces</c>; unset: no bounce endpoint.</summary>
    public string? BounceToken { get; set; }
}

/// <summary>
/// Sends what <see cref="MailOutbox"/> holds. Each round claims due mails for a lease (several instances never send the
/// same mail at once), sends them through MailKit and marks each sent, or schedules its next attempt with back-off.
/// Delivery is at least once: a crash between the server's acceptance and the mark sends the mail again, with the
/// same Message-ID (the outbox id), by which mail systems recognise the duplicate.
/// </summary>
public sealed class MailOutboxSender : BackgroundService
{
    public const string MeterName = "Netzwerk.Mail";
    private const int BatchSize = 20;
    private static readonly TimeSpan KeepSent = TimeSpan.FromDays(30);
    private static readonly TimeSpan CountInterval = TimeSpan.FromSeconds(15);
    private readonly NpgsqlDataSource _dataSource;
    private readonly MailOutbox _outbox;
    private readonly SmtpSettings _smtp;
    private readonly ILogger<MailOutboxSender> _logger;
    private DateTimeOffset _nextCleanUp = DateTimeOffset.MinValue, _nextCount = DateTimeOffset.MinValue;
    private readonly ObservableGauge<long> _pendingGauge;
    private long? _pending;

    private readonly IReadOnlyList<IMailFailureObserver> _observers;

    public MailOutboxSender(NpgsqlDataSource dataSource, MailOutbox outbox, SmtpSettings smtp, IMeterFactory meters,
        ILogger<MailOutboxSender> logger, IEnumerable<IMailFailureObserver> observers)
    {
        (_dataSource, _outbox, _smtp, _logger) = (dataSource, outbox, smtp, logger);
        _observers = observers.ToList();
        // Counted in the send loop, so that a metrics scrape never waits for the database.
        _pendingGauge = meters.Create(MeterName).CreateObservableGauge("netzwerk.mails.pending",
            () => _pending is { } p ? [new Measurement<long>(p)] : Array.Empty<Measurement<long>>(), description: "Mails not yet sent");
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await SendDueAsync(stoppingToken) == BatchSize) { }
                if (DateTimeOffset.UtcNow >= _nextCleanUp) await DeleteOldSentAsync(stoppingToken);
                if (_pendingGauge.Enabled && DateTimeOffset.UtcNow >= _nextCount)
                {
                    _pending = await MailOutbox.CountPendingAsync(_dataSource, stoppingToken);
                    _nextCount = DateTimeOffset.UtcNow + CountInterval;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { return; }
            catch (Exception e)
            {
                _logger.LogWarning("Mail outbox round failed ({ExceptionType}); retrying", e.GetType().Name);
            }
            await Task.Delay(_smtp.PollInterval, stoppingToken).ContinueWith(_ => { });
        }
    }

    /// <summary>Sends the mails that are due; returns how many it claimed.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        await MarkRememberedAsync();
        var claimed = await ClaimAsync(ct);
        if (claimed.Count == 0) return 0;
        SmtpClient? client = null;
        try
        {
            for (var i = 0; i < claimed.Count; i++)
            {
                var mail = claimed[i];
                if (i > 0) await ExtendLeaseAsync(claimed.Skip(i).Select(m => m.Id).ToArray(), ct);
                try
                {
                    var message = Compose(mail);
                    if (!string.IsNullOrWhiteSpace(_smtp.PickupDirectory)) await WriteToPickupAsync(mail.Id, message, ct);
                    else
                    {
                        client ??= await ConnectAsync(ct);
                        await client.SendAsync(message, ct);
                    }
                    _sentNotMarked.TryAdd(mail.Id, 0);
                }
                catch (SmtpCommandException e) when (!ct.IsCancellationRequested && (int)e.StatusCode >= 500)
                {
                    // The server refused this mail for good (no such mailbox, policy): retrying only repeats the refusal.
                    var error = $"{e.GetType().Name}: {(int)e.StatusCode} {e.StatusCode}";
                    _logger.LogWarning("Mail {MailId} ({Kind}) refused permanently ({Error}); not retried", mail.Id, mail.Kind, error);
                    await MarkFailedForGoodAsync(mail, error, ct);
                    client?.Dispose();
                    client = null;
                    continue;
                }
                catch (Exception e) when (!ct.IsCancellationRequested)
                {
                    var delay = RetryDelay(mail.Attempts);
                    var error = e is SmtpCommandException c ? $"{e.GetType().Name}: {c.StatusCode}" : e.GetType().Name;
                    _logger.LogWarning("Mail {MailId} ({Kind}) not sent on attempt {Attempt} ({Error}); next attempt in {Delay}",
                        mail.Id, mail.Kind, mail.Attempts, error, delay);
                    await MarkFailedAsync(mail.Id, error, delay, ct);
                    // The connection may be broken: the next mail opens a new one.
                    client?.Dispose();
                    client = null;
                    continue;
                }
                // Outside the try: the mail is out, so a failed mark must not count as a failed send. If the database is
                // away, the round ends here and the id stays remembered until the mark succeeds.
                await MarkSentAsync(mail.Id, ct);
                _sentNotMarked.TryRemove(mail.Id, out _);
            }
        }
        finally
        {
            if (client is { IsConnected: true })
                try { await client.DisconnectAsync(quit: true, CancellationToken.None); } catch (Exception) { /* sent already */ }
            client?.Dispose();
        }
        return claimed.Count;
    }

    internal TimeSpan RetryDelay(int attempts)
    {
        var factor = Math.Pow(2, Math.Min(Math.Max(attempts - 1, 0), 20));
        var delay = TimeSpan.FromTicks((long)Math.Min(_smtp.FirstRetryDelay.Ticks * factor, _smtp.MaxRetryDelay.Ticks));
        return delay;
    }

    /// <summary>
    /// Sent mails whose mark did not reach the database (a restart at that moment). Marked first thing in every round, before
    /// anything is claimed, so that this instance never sends them again; only a crash in that gap can still repeat a mail
    /// (with the same Message-ID).
    /// </summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, byte> _sentNotMarked = new();

    private async Task MarkRememberedAsync()
    {
        foreach (var id in _sentNotMarked.Keys)
        {
            await MarkSentAsync(id, CancellationToken.None);
            _sentNotMarked.TryRemove(id, out _);
        }
    }

    /// <summary>
    /// Claims are short (two send timeouts) and renewed before each mail of a batch: a killed instance holds its claimed
    /// mails for a minute, not for the whole batch's worst case.
    /// </summary>
    private TimeSpan Lease => _smtp.Timeout * 2;

    private async Task ExtendLeaseAsync(Guid[] ids, CancellationToken ct)
    {
        await using var cmd = _dataSource.CreateCommand(
            "UPDATE platform.mail_outbox SET claimed_until = clock_timestamp() + $2 WHERE id = ANY($1) AND sent_at IS NULL");
        cmd.Parameters.AddWithValue(ids);
        cmd.Parameters.AddWithValue(Lease);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private sealed record ClaimedMail(Guid Id, string Kind, string To, string Subject, string Body, int Attempts, Guid? SubjectId);

    private async Task<List<ClaimedMail>> ClaimAsync(CancellationToken ct)
    {
        var lease = Lease;
        await using var cmd = _dataSource.CreateCommand("""
            UPDATE platform.mail_outbox SET claimed_until = clock_timestamp() + $2, attempts = attempts + 1
            WHERE id IN (SELECT id FROM platform.mail_outbox
                         WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= clock_timestamp()
                           AND (claimed_until IS NULL OR claimed_until < clock_timestamp())
                         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
            RETURNING id, kind, recipient, subject, body, attempts, subject_id
            """);
        cmd.Parameters.AddWithValue(BatchSize);
        cmd.Parameters.AddWithValue(lease);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var mails = new List<ClaimedMail>();
        while (await reader.ReadAsync(ct))
            mails.Add(new ClaimedMail(reader.GetGuid(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetGuid(6)));
        return mails;
    }

    private MimeMessage Compose(ClaimedMail mail)
    {
        var from = MailboxAddress.Parse(_smtp.From);
        var message = new MimeMessage
        {
            MessageId = $"{mail.Id:N}@{from.Domain}",
            Subject = mail.Subject,
            Body = new TextPart("plain") { Text = _outbox.Unprotect(mail.Body) },
        };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(mail.To));
        return message;
    }

    private async Task<SmtpClient> ConnectAsync(CancellationToken ct)
    {
        var client = new SmtpClient { Timeout = (int)_smtp.Timeout.TotalMilliseconds };
        try
        {
            await client.ConnectAsync(_smtp.Host, _smtp.Port, _smtp.Security, ct);
            if (!string.IsNullOrEmpty(_smtp.UserName)) await client.AuthenticateAsync(_smtp.UserName, _smtp.Password ?? "", ct);
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private async Task WriteToPickupAsync(Guid id, MimeMessage message, CancellationToken ct)
    {
        System.IO.Directory.CreateDirectory(_smtp.PickupDirectory!);
        // Named by the mail's id: writing it again replaces the file instead of adding a second mail.
        await message.WriteToAsync(Path.Combine(_smtp.PickupDirectory!, $"{id:N}.eml"), ct);
    }

    private async Task MarkSentAsync(Guid id, CancellationToken ct)
    {
        await using var cmd = _dataSource.CreateCommand("""
            WITH sent AS (
                UPDATE platform.mail_outbox SET sent_at = clock_timestamp(), body = NULL, claimed_until = NULL, last_error = NULL
                WHERE id = $1 RETURNING id, sent_at)
            UPDATE platform.mail_log l SET sent_at = sent.sent_at FROM sent WHERE l.mail_id = sent.id
            """);
        cmd.Parameters.AddWithValue(id);
        // Not the caller's token: the mail is out, the mark must not be abandoned halfway.
        await cmd.ExecuteNonQueryAsync(CancellationToken.None);
    }

    private async Task MarkFailedAsync(Guid id, string error, TimeSpan delay, CancellationToken ct)
    {
        await using var cmd = _dataSource.CreateCommand("""
            UPDATE platform.mail_outbox SET claimed_until = NULL, last_error = $2, next_attempt_at = clock_timestamp() + $3
            WHERE id = $1
            """);
        cmd.Parameters.AddWithValue(id);
        cmd.Parameters.AddWithValue(error);
        cmd.Parameters.AddWithValue(delay);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task MarkFailedForGoodAsync(ClaimedMail mail, string error, CancellationToken ct)
    {
        await using (var cmd = _dataSource.CreateCommand("""
            WITH failed AS (
                UPDATE platform.mail_outbox SET failed_at = clock_timestamp(), body = NULL, claimed_until = NULL, last_error = $2
                WHERE id = $1 RETURNING id, failed_at)
            UPDATE platform.mail_log l SET failed_at = failed.failed_at, error = $2 FROM failed WHERE l.mail_id = failed.id
            """))
        {
            cmd.Parameters.AddWithValue(mail.Id);
            cmd.Parameters.AddWithValue(error);
            await cmd.ExecuteNonQueryAsync(CancellationToken.None);
        }
        foreach (var observer in _observers)
        {
            try { await observer.MailFailedAsync(new FailedMail(mail.Id, mail.Kind, mail.To, mail.SubjectId, error), ct); }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                _logger.LogWarning("Mail failure observer {Observer} failed for mail {MailId} ({ExceptionType})",
                    observer.GetType().Name, mail.Id, e.GetType().Name);
            }
        }
    }

    private async Task DeleteOldSentAsync(CancellationToken ct)
    {
        await using var cmd = _dataSource.CreateCommand("DELETE FROM platform.mail_outbox WHERE sent_at < clock_timestamp() - $1 OR failed_at < clock_timestamp() - $1");
        cmd.Parameters.AddWithValue(KeepSent);
        await cmd.ExecuteNonQueryAsync(ct);
        _nextCleanUp = DateTimeOffset.UtcNow.AddHours(1);
    }
}
