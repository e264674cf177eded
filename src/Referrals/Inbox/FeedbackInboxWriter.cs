using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Database;
using Netzwerk.Platform.Identity;
using Netzwerk.Workflows.Inbox;

namespace Netzwerk.Referrals.Inbox;

/// <summary>An inbox item to be written for one consumed message (who reads it is decided when it is written).</summary>
public sealed record InboxDraft(Guid MessageId, Guid ReferralId, string Kind, string Title, Guid? FeedbackId, DateTimeOffset OccurredAt,
    string? EscalateTo);

/// <summary>
/// Group commit (<see cref="GroupCommit{T}"/>, as for the audit log) for the feedback inbox: the items of all messages
/// consumed at the same moment are written in one transaction — their message ids claimed, the referrals and absences
/// read once for the whole group, one commit. Each consumer waits for its own item, so a message is still acknowledged only after its item is
/// committed, and an item that cannot be delivered (unknown referral) fails alone: only its message is retried and, in
/// the end, moved to the error queue. Per message this saves a transaction and four of five round trips under load.
/// </summary>
public sealed class FeedbackInboxWriter(IServiceScopeFactory scopes, Deputies deputies)
{
    private sealed record Addressee(Guid Id, string CaseManagerId, string? Team);

    private static readonly Func<ReferralsDb, Guid[], IAsyncEnumerable<Addressee>> AddresseesOf = EF.CompileAsyncQuery(
        (ReferralsDb db, Guid[] ids) => db.Referrals.AsNoTracking().Where(r => ids.Contains(r.Id)).Select(r => new Addressee(r.Id, r.CaseManagerId, r.Team)));

    private readonly GroupCommit<InboxDraft> _group = new(group => WriteGroupAsync(scopes, deputies, group), maxGroup: 64);

    /// <summary>
    /// Completes once the item is committed, or at once when the message was handled before. Cancelled (shutdown), the
    /// message is not acknowledged; if the item got written anyway, the redelivery is a duplicate.
    /// </summary>
    public Task WriteAsync(InboxDraft draft, CancellationToken ct) => _group.WriteAsync(draft, ct);

    private static async Task WriteGroupAsync(IServiceScopeFactory scopes, Deputies deputies, IReadOnlyList<GroupCommit<InboxDraft>.Pending> group)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ReferralsDb>();
        var referralIds = group.Select(p => p.Item.ReferralId).Distinct().ToArray();
        var referrals = new Dictionary<Guid, Addressee>();
        await foreach (var r in AddresseesOf(db, referralIds)) referrals[r.Id] = r;
        var absences = await deputies.ForCaseManagersAsync(referrals.Values.Select(r => r.CaseManagerId).Distinct().ToArray());

        // Feedback about an unknown referral cannot be delivered to anyone: after the retries it goes to the error
        // queue, where an administrator can look at it and replay it.
        var deliverable = new List<GroupCommit<InboxDraft>.Pending>(group.Count);
        foreach (var p in group)
        {
            if (referrals.ContainsKey(p.Item.ReferralId)) deliverable.Add(p);
            else p.Done.TrySetException(InboxRecipients.UnknownReferral());
        }
        if (deliverable.Count == 0) return;

        db.Database.AutoSavepointsEnabled = false;
        await using var tx = await db.Database.BeginTransactionAsync();
        var messageIds = deliverable.Select(p => p.Item.MessageId).Distinct().ToArray();
        var claimed = await HandledMessages.ClaimAsync(db, FeedbackInboxConsumer.Name, messageIds);
        var items = new List<InboxItem>(deliverable.Count);
        foreach (var p in deliverable)
        {
            // A duplicate (handled before, or twice in this group) finds its id taken or claimed by the first one.
            if (!claimed.Remove(p.Item.MessageId)) continue;
            var referral = referrals[p.Item.ReferralId];
            items.Add(InboxRecipients.Address(p.Item, referral.CaseManagerId, referral.Team, absences.GetValueOrDefault(referral.CaseManagerId)));
        }
        if (items.Count > 0) await InsertAsync(db, items);
        await tx.CommitAsync();
    }

    // The group's items as one statement over arrays: one executor start instead of one per item.
    private static Task InsertAsync(ReferralsDb db, List<InboxItem> items) => db.Database.ExecuteSqlAsync($"""
        INSERT INTO referrals.inbox_items
            (id, referral_id, source_message_id, kind, title, recipient_user_id, recipient_team, recipient_role, case_manager_id,
             feedback_id, occurred_at)
        SELECT * FROM unnest({items.Select(i => i.Id).ToArray()}::uuid[], {items.Select(i => i.ReferralId).ToArray()}::uuid[],
            {items.Select(i => i.SourceMessageId).ToArray()}::uuid[], {items.Select(i => i.Kind).ToArray()}::text[],
            {items.Select(i => i.Title).ToArray()}::text[], {items.Select(i => i.RecipientUserId).ToArray()}::text[],
            {items.Select(i => i.RecipientTeam).ToArray()}::text[], {items.Select(i => i.RecipientRole).ToArray()}::text[],
            {items.Select(i => i.CaseManagerId).ToArray()}::text[], {items.Select(i => i.FeedbackId).ToArray()}::uuid[],
            {items.Select(i => i.OccurredAt).ToArray()}::timestamptz[])
        """);
}

/// <summary>Who reads an inbox item.</summary>
public static class InboxRecipients
{
    /// <summary>Feedback about a referral this system does not know cannot be delivered to anyone.</summary>
    public static InvalidOperationException UnknownReferral() => new("Verweisung unbekannt – Rückmeldung kann niemandem zugestellt werden.");

    /// <summary>
    /// The responsible Fallmanager; while absent the deputy, else the team inbox. Escalations go to the route's target
    /// (Teamleitung of the team, or Netzwerkkoordination).
    /// </summary>
    public static InboxItem Address(InboxDraft draft, string caseManagerId, string? team, (bool Absent, string? Deputy) absence)
    {
        var item = new InboxItem
        {
            Id = Guid.CreateVersion7(), ReferralId = draft.ReferralId, SourceMessageId = draft.MessageId, Kind = draft.Kind,
            Title = draft.Title, CaseManagerId = caseManagerId, FeedbackId = draft.FeedbackId, OccurredAt = draft.OccurredAt,
        };
        if (draft.EscalateTo == Roles.NetworkCoordinator)
            item.RecipientRole = Roles.NetworkCoordinator;
        else if (draft.EscalateTo is not null)
            (item.RecipientTeam, item.RecipientRole) = (team, Roles.TeamLead);
        else if (!absence.Absent)
            item.RecipientUserId = caseManagerId;
        else if (absence.Deputy is not null)
            item.RecipientUserId = absence.Deputy;
        else
            (item.RecipientTeam, item.RecipientRole) = (team, Roles.CaseManager);
        return item;
    }
}
