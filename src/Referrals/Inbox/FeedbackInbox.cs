using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Referrals.Inbox;

/// <summary>The feedback inbox: items addressed to me, or to my team (and role) when nobody was named.</summary>
public static class FeedbackInbox
{
    public sealed record Item(Guid Id, Guid ReferralId, string Kind, string Title, Guid? FeedbackId, DateTimeOffset OccurredAt,
        DateTimeOffset CreatedAt, bool Read, bool ViaTeamOrDeputy);

    public sealed record Page(int Unread, IReadOnlyList<Item> Items);

    public sealed class Queries(ReferralsDb db, TimeProvider clock)
    {
        private IQueryable<InboxItem> Mine(CurrentUser user) => db.InboxItems.AsNoTracking().Where(i =>
            i.RecipientUserId == user.Id
            || (i.RecipientUserId == null && i.RecipientRole == user.Role && (i.RecipientTeam == null || i.RecipientTeam == user.Team)));

        public async Task<Page> ListAsync(ClaimsPrincipal principal, bool unreadOnly = false, Guid? referralId = null, int take = 100, CancellationToken ct = default)
        {
            var user = principal.CurrentUser();
            var query = Mine(user);
            var unread = await query.CountAsync(i => i.ReadAt == null, ct);
            if (unreadOnly) query = query.Where(i => i.ReadAt == null);
            if (referralId is { } rid) query = query.Where(i => i.ReferralId == rid);
            var items = await query.OrderByDescending(i => i.OccurredAt).Take(Math.Clamp(take, 1, 500)).ToListAsync(ct);
            return new Page(unread, items.Select(i => new Item(i.Id, i.ReferralId, i.Kind, i.Title, i.FeedbackId, i.OccurredAt, i.CreatedAt,
                i.ReadAt is not null, i.RecipientUserId != user.Id || i.CaseManagerId != user.Id)).ToList());
        }

        public async Task<int> UnreadCountAsync(ClaimsPrincipal principal, CancellationToken ct = default)
            => await Mine(principal.CurrentUser()).CountAsync(i => i.ReadAt == null, ct);

        public async Task MarkReadAsync(ClaimsPrincipal principal, Guid itemId, CancellationToken ct = default)
        {
            var user = principal.CurrentUser();
            if (!await Mine(user).AnyAsync(i => i.Id == itemId, ct))
                throw new ReferralProblem(404, "Die Rückmeldung existiert nicht oder ist nicht an Sie gerichtet.");
            var now = clock.GetUtcNow();
            await db.InboxItems.Where(i => i.Id == itemId && i.ReadAt == null).ExecuteUpdateAsync(s => s.SetProperty(i => i.ReadAt, now), ct);
        }
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/inbox").WithTags("Rückmeldungen").RequireAuthorization(Policies.Staff)
            .AddEndpointFilter<ReferralProblemFilter>();
        group.MapGet("/", async (ClaimsPrincipal user, Queries q, bool? unreadOnly, Guid? referralId, int? take, CancellationToken ct) =>
                Results.Ok(await q.ListAsync(user, unreadOnly ?? false, referralId, take ?? 100, ct)))
            .WithSummary("Rückmeldungen, Erinnerungen und Eskalationen für mich (bzw. mein Team)");
        group.MapGet("/unread-count", async (ClaimsPrincipal user, Queries q, CancellationToken ct) =>
                Results.Ok(new { unread = await q.UnreadCountAsync(user, ct) }))
            .WithSummary("Anzahl ungelesener Rückmeldungen (zum Aktualisieren ohne Neuladen)");
        group.MapPost("/{id:guid}/read", async (Guid id, ClaimsPrincipal user, Queries q, CancellationToken ct) =>
            {
                await q.MarkReadAsync(user, id, ct);
                return Results.NoContent();
            })
            .WithSummary("Als gelesen markieren");
    }
}
