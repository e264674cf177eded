using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Referrals.Lifecycle.Contracts;

namespace Netzwerk.Tests.Referrals;

/// <summary>At-least-once delivery on the real broker: duplicates, out-of-order messages, poison messages and their replay.</summary>
public sealed class MessagingTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private async Task<Guid> AcceptedReferralAsync()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.SentReferralAsync(fm);
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ReferralTestApp.InboxAsync(fm, id)).Length.ShouldBe(1);
        return id;
    }

    [Fact]
    public async Task The_same_message_delivered_twice_has_one_effect()
    {
        var fm = await app.ClientFor("fm.mueller");
        var id = await AcceptedReferralAsync();
        var bus = app.Services.GetRequiredService<IBus>();
        var messageId = Guid.NewGuid();
        var message = new AttendanceReported(id, Guid.Empty, Guid.NewGuid(), true, app.Clock.GetUtcNow());
        await bus.Publish(message, c => c.MessageId = messageId);
        await bus.Publish(message, c => c.MessageId = messageId);
        // A different message afterwards: once it is in, the duplicates before it have been handled too.
        await bus.Publish(new ProgressReported(id, Guid.Empty, Guid.NewGuid(), app.Clock.GetUtcNow()));
        var items = await ReferralTestApp.InboxAsync(fm, id, atLeast: 3);
        items.Count(i => i.GetProperty("kind").GetString() == "attendance").ShouldBe(1);
        (await app.CountAsync($"SELECT count(*) FROM workflows.handled_messages WHERE message_id = '{messageId}'")).ShouldBe(1);
    }

    [Fact]
    public async Task Feedback_consumed_at_the_same_moment_is_written_together_yet_each_message_counts_on_its_own()
    {
        var fm = await app.ClientFor("fm.mueller");
        var referrals = new[] { await AcceptedReferralAsync(), await AcceptedReferralAsync(), await AcceptedReferralAsync() };
        var writer = app.Services.GetRequiredService<Netzwerk.Referrals.Inbox.FeedbackInboxWriter>();
        var at = app.Clock.GetUtcNow();
        var drafts = referrals.Select(id => new Netzwerk.Referrals.Inbox.InboxDraft(Guid.NewGuid(), id, "progress", "Neue Verlaufsmeldung", null, at, null)).ToList();
        var unknown = new Netzwerk.Referrals.Inbox.InboxDraft(Guid.NewGuid(), Guid.NewGuid(), "progress", "Neue Verlaufsmeldung", null, at, null);

        // All at once, as concurrent consumers would: a redelivered twin of the first message and feedback about an unknown
        // referral among them.
        var writes = drafts.Append(drafts[0]).Append(unknown).Select(d => writer.WriteAsync(d, CancellationToken.None)).ToList();
        var unknownFails = await Should.ThrowAsync<InvalidOperationException>(() => writes[^1]);
        unknownFails.Message.ShouldContain("unbekannt");
        await Task.WhenAll(writes.Take(writes.Count - 1)); // the others are written in spite of it

        foreach (var d in drafts)
        {
            (await app.CountAsync($"SELECT count(*) FROM referrals.inbox_items WHERE source_message_id = '{d.MessageId}'")).ShouldBe(1);
            (await app.CountAsync($"SELECT count(*) FROM workflows.handled_messages WHERE message_id = '{d.MessageId}'")).ShouldBe(1);
            (await ReferralTestApp.InboxAsync(fm, d.ReferralId, atLeast: 2)).Count(i => i.GetProperty("kind").GetString() == "progress").ShouldBe(1);
        }
        // Nothing of the unknown one is kept, so a replay after the referral turns up is not taken for a duplicate.
        (await app.CountAsync($"SELECT count(*) FROM workflows.handled_messages WHERE message_id = '{unknown.MessageId}'")).ShouldBe(0);

        // Handled before: the same message again writes nothing.
        await writer.WriteAsync(drafts[1], CancellationToken.None);
        (await app.CountAsync($"SELECT count(*) FROM referrals.inbox_items WHERE source_message_id = '{drafts[1].MessageId}'")).ShouldBe(1);
    }

    [Fact]
    public async Task Messages_arriving_out_of_order_are_all_kept_and_listed_by_when_they_happened()
    {
        var fm = await app.ClientFor("fm.mueller");
        var id = await AcceptedReferralAsync();
        var bus = app.Services.GetRequiredService<IBus>();
        var t = app.Clock.GetUtcNow();
        await bus.Publish(new OutcomeReported(id, Guid.Empty, Guid.NewGuid(), ReasonCodes.CompletedWithResult, t.AddHours(3)));
        await bus.Publish(new AttendanceReported(id, Guid.Empty, Guid.NewGuid(), true, t.AddHours(1)));
        await bus.Publish(new AppointmentOffered(id, Guid.Empty, Guid.NewGuid(), t.AddDays(1), t.AddHours(2)));
        var items = await ReferralTestApp.InboxAsync(fm, id, atLeast: 4);
        items.Select(i => i.GetProperty("kind").GetString()).Take(3).ShouldBe(["outcome", "appointment-offered", "attendance"]);
    }

    [Fact]
    public async Task Poison_message_lands_in_the_error_queue_and_can_be_looked_at_and_replayed()
    {
        var admin = await app.ClientFor("admin");
        var fm = await app.ClientFor("fm.mueller");
        (await fm.GetAsync("/api/admin/dead-letters")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        // Feedback about a referral this system does not know: the consumer refuses it (after its retries).
        var unknown = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        await app.Services.GetRequiredService<IBus>().Publish(
            new ReferralWaitlisted(unknown, Guid.Empty, Guid.NewGuid(), app.Clock.GetUtcNow()), c => c.MessageId = messageId);

        var queues = await Eventually.UntilAsync(
            () => admin.GetFromJsonAsync<JsonElement[]>("/api/admin/dead-letters")!,
            q => q!.Any(x => x.GetProperty("queue").GetString() == "referrals-feedback-inbox_error" && x.GetProperty("messages").GetInt64() >= 1));
        var errorQueue = queues!.Single(x => x.GetProperty("queue").GetString() == "referrals-feedback-inbox_error");
        errorQueue.GetProperty("messages").GetInt64().ShouldBe(1);
        var sample = errorQueue.GetProperty("samples")[0];
        sample.GetProperty("messageId").GetString().ShouldBe(messageId.ToString());
        sample.GetProperty("faultMessage").GetString()!.ShouldContain("unbekannt");

        // The referral turns up (e.g. restored from a backup): replaying the message now succeeds, exactly once.
        var known = await AcceptedReferralAsync();
        await using (var db = await app.OpenDatabaseAsync())
        {
            await using var copy = db.CreateCommand();
            // A copy of a known referral under the unknown id (every column, whatever the table holds by now).
            copy.CommandText = $"""
                INSERT INTO referrals.referrals
                SELECT (jsonb_populate_record(r, jsonb_build_object('id', '{unknown}'))).* FROM referrals.referrals r WHERE id = '{known}'
                """;
            await copy.ExecuteNonQueryAsync();
        }
        var replay = await admin.PostAsJsonAsync("/api/admin/dead-letters/replay", new { queue = "referrals-feedback-inbox_error" });
        replay.StatusCode.ShouldBe(HttpStatusCode.OK, await replay.Content.ReadAsStringAsync());
        (await ReferralTestApp.ReadAsync(replay)).GetProperty("replayed").GetInt32().ShouldBe(1);
        var items = await ReferralTestApp.InboxAsync(fm, unknown);
        items.ShouldHaveSingleItem().GetProperty("kind").GetString().ShouldBe("waitlisted");
        // The management API refreshes its counters every few seconds.
        var after = await Eventually.UntilAsync(() => admin.GetFromJsonAsync<JsonElement[]>("/api/admin/dead-letters?samples=0")!,
            q => q!.Single(x => x.GetProperty("queue").GetString() == "referrals-feedback-inbox_error").GetProperty("messages").GetInt64() == 0);
        after!.Single(x => x.GetProperty("queue").GetString() == "referrals-feedback-inbox_error").GetProperty("messages").GetInt64().ShouldBe(0);

        (await admin.PostAsJsonAsync("/api/admin/dead-letters/replay", new { queue = "gibt-es-nicht_error" })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.PostAsJsonAsync("/api/admin/dead-letters/replay", new { queue = "referrals-consent-expiry" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}
