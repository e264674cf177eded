using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Retention;
using Netzwerk.Referrals.Retention;

namespace Netzwerk.Tests.Referrals;

/// <summary>
/// Retention: when a referral's purpose has ended and the period is over, its client data is erased in PostgreSQL;
/// open referrals stay as they are, and what the process figures need (status, reason codes) survives.
/// </summary>
public sealed class ReferralRetentionTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private sealed record Row(string case_reference, string reason, string? contact_details, string? note, DateTime? erased_at, string status);

    [Fact]
    public async Task Erases_client_data_of_ended_referrals_and_keeps_open_ones_and_the_figures()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");

        var closed = await app.SentReferralAsync(fm, level: "outcome");
        foreach (var (step, body) in new (string, object)[]
                 {
                     ("accept", new { appointmentAt = app.Clock.GetUtcNow().AddHours(-2) }), ("attendance", new { attended = true }),
                     ("outcome", new { reasonCode = "completed-with-result" }),
                 })
            (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{closed}/{step}", body)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{closed}/close", new { outcome = "completed", reasonCode = "completed-with-result" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var cancelled = await app.SentReferralAsync(fm);
        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{cancelled}/cancel", new { reason = "Frau M. ist umgezogen" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var open = await app.SentReferralAsync(fm);

        using var scope = app.Services.CreateScope();
        var task = scope.ServiceProvider.GetServices<IRetentionTask>().OfType<ReferralRetention>().Single();
        // Within the retention period nothing happens.
        (await task.DeleteExpiredAsync(app.Clock.GetUtcNow().AddDays(-1), CancellationToken.None)).ShouldBe(0);

        var erased = await task.DeleteExpiredAsync(app.Clock.GetUtcNow().AddMinutes(1), CancellationToken.None);
        erased.ShouldBeGreaterThanOrEqualTo(2);
        (await task.DeleteExpiredAsync(app.Clock.GetUtcNow().AddMinutes(1), CancellationToken.None)).ShouldBe(0, "a second run finds nothing left");

        await using var db = await app.OpenDatabaseAsync();
        async Task<Row> RowOf(Guid id) => await db.QuerySingleAsync<Row>(
            "SELECT case_reference, reason, contact_details, note, erased_at, status FROM referrals.referrals WHERE id = @id", new { id });
        foreach (var id in new[] { closed, cancelled })
        {
            var row = await RowOf(id);
            row.case_reference.ShouldBe(ReferralRetention.Erased);
            row.reason.ShouldBe("");
            row.contact_details.ShouldBeNull();
            row.note.ShouldBeNull();
            row.erased_at.ShouldNotBeNull();
            (await db.ExecuteScalarAsync<string>(
                "SELECT c.case_reference FROM referrals.consents c JOIN referrals.referrals r ON r.consent_id = c.id WHERE r.id = @id", new { id }))
                .ShouldBe(ReferralRetention.Erased);
        }
        (await RowOf(closed)).status.ShouldBe("completed");
        (await RowOf(cancelled)).status.ShouldBe("cancelled");
        (await db.ExecuteScalarAsync<string>("SELECT detail FROM referrals.history WHERE referral_id = @closed AND event = 'Closed'", new { closed }))
            .ShouldBe("completed-with-result", "the closing reason code stays for the figures");
        (await db.ExecuteScalarAsync<long>("SELECT count(*) FROM referrals.history WHERE referral_id = @cancelled AND detail LIKE '%umgezogen%'", new { cancelled }))
            .ShouldBe(0);

        var kept = await RowOf(open);
        kept.erased_at.ShouldBeNull();
        kept.contact_details.ShouldBe("Tel. 0151 000000");
        kept.case_reference.ShouldBe("AZ-2026/0001");

        // The Fallmanager still sees the referral, without the client data.
        var view = await ReferralTestApp.ReadAsync(await fm.GetAsync($"/api/referrals/{closed}"));
        view.GetProperty("caseReference").GetString().ShouldBe(ReferralRetention.Erased);
    }
}

/// <summary>Sent messages and handled message ids are deleted after their period; unsent messages and recent ones stay.</summary>
public sealed class MessageLogRetentionTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    [Fact]
    public async Task Deletes_old_sent_messages_and_handled_ids_and_keeps_unsent_and_recent_ones()
    {
        var oldSent = Guid.CreateVersion7();
        var oldUnsent = Guid.CreateVersion7(); // of an unknown type: the app's dispatcher cannot publish it, it stays unsent
        var recentSent = Guid.CreateVersion7();
        var oldHandled = Guid.CreateVersion7();
        var recentHandled = Guid.CreateVersion7();
        await using (var db = await app.OpenDatabaseAsync())
        {
            await db.ExecuteAsync("""
                INSERT INTO workflows.outbox (id, message_type, body, created_at, sent_at) VALUES
                    (@oldSent, 'test', '{}', now() - interval '40 days', now() - interval '40 days'),
                    (@oldUnsent, 'test', '{}', now() - interval '40 days', NULL),
                    (@recentSent, 'test', '{}', now() - interval '2 days', now() - interval '2 days');
                INSERT INTO workflows.handled_messages (consumer, message_id, handled_at) VALUES
                    ('test', @oldHandled, now() - interval '31 days'), ('test', @recentHandled, now() - interval '29 days');
                """, new { oldSent, oldUnsent, recentSent, oldHandled, recentHandled });
        }

        using var scope = app.Services.CreateScope();
        var task = scope.ServiceProvider.GetServices<IRetentionTask>().OfType<Netzwerk.Workflows.Outbox.MessageLogRetention>().Single();
        (await task.DeleteExpiredAsync(app.Clock.GetUtcNow(), CancellationToken.None)).ShouldBeGreaterThanOrEqualTo(2);

        await using var check = await app.OpenDatabaseAsync();
        (await check.ExecuteScalarAsync<long>("SELECT count(*) FROM workflows.outbox WHERE id = @oldSent", new { oldSent })).ShouldBe(0);
        (await check.ExecuteScalarAsync<long>("SELECT count(*) FROM workflows.outbox WHERE id = @recentSent", new { recentSent })).ShouldBe(1);
        (await check.ExecuteScalarAsync<long>("SELECT count(*) FROM workflows.outbox WHERE id = @oldUnsent", new { oldUnsent }))
            .ShouldBe(1, "a message not yet sent is never deleted");
        (await check.ExecuteScalarAsync<long>("SELECT count(*) FROM workflows.handled_messages WHERE message_id = @oldHandled", new { oldHandled })).ShouldBe(0);
        (await check.ExecuteScalarAsync<long>("SELECT count(*) FROM workflows.handled_messages WHERE message_id = @recentHandled", new { recentHandled })).ShouldBe(1);
        (await task.DeleteExpiredAsync(app.Clock.GetUtcNow(), CancellationToken.None)).ShouldBe(0, "a second run finds nothing left");
    }
}
