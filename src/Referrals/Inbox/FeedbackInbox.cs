using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Referrals.Inbox;

/// <summary>The feedback inbox: items addressed to me, or to my team (and role) when nobody was named.</summary>
public static class FeedbackInbox
{
    /// <summary>
    /// One item. <paramref name="CaseReference"/> and <paramref name="PartnerName"/> are filled only for someone who may open the
    /// referral (<see cref="ReferralAccess.ForCaseWorkAsync"/>: the responsible Fallmanager, today's deputy, the team's
    /// Teamleitung); a team colleague or the Netzwerkkoordination sees the item without them.
    /// </summary>
    public sealed record Item(Guid Id, Guid ReferralId, string Kind, string Title, Guid? FeedbackId, DateTimeOffset OccurredAt,
        DateTimeOffset CreatedAt, bool Read, bool ViaTeamOrDeputy, string? CaseReference = null, string? PartnerName = null);

    public sealed record Page(int Unread, IReadOnlyList<Item> Items);

    public sealed class Queries(ReferralsDb db, TimeProvider clock, Deputies deputies, IServiceLookup services, AuditLog audit)
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
            var rows = await query.OrderByDescending(i => i.OccurredAt).Take(Math.Clamp(take, 1, 500))
                .Join(db.Referrals, i => i.ReferralId, r => r.Id, (i, r) => new { Item = i, r.CaseReference, r.OrganizationId, r.Team })
                .OrderByDescending(x => x.Item.OccurredAt) // a join keeps no order of its own
                .ToListAsync(ct);

            // The same rule as opening the referral: own, deputised today, or (Teamleitung) the own team's.
            var actingFor = user.Role == Roles.CaseManager ? (await deputies.DeputisedByAsync(user.Id, ct)).Append(user.Id).ToHashSet() : [];
            bool MayOpen(string caseManagerId, string? team) => user.Role == Roles.CaseManager
                ? actingFor.Contains(caseManagerId)
                : user.Role == Roles.TeamLead && user.Team is not null && team == user.Team;
            var names = new Dictionary<Guid, string?>();
            var items = new List<Item>(rows.Count);
            foreach (var row in rows)
            {
                var i = row.Item;
                string? reference = null, partner = null;
                if (MayOpen(i.CaseManagerId, row.Team))
                {
                    reference = row.CaseReference;
                    if (!names.TryGetValue(row.OrganizationId, out partner))
                        names[row.OrganizationId] = partner = await services.OrganizationNameAsync(row.OrganizationId, ct);
                }
                items.Add(new Item(i.Id, i.ReferralId, i.Kind, i.Title, i.FeedbackId, i.OccurredAt, i.CreatedAt, i.ReadAt is not null,
                    i.RecipientUserId != user.Id || i.CaseManagerId != user.Id, reference, partner));
            }
            // Case references are client data: their display is audited like the referral list (count only, no references).
            var shown = items.Count(i => i.CaseReference is not null);
            if (shown > 0) await audit.RecordAsync(new AuditEvent("inbox.list", "referral", "*", Detail: $"{shown} rows"), ct);
            return new Page(unread, items);
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

        /// <summary>
        /// The caller opened the referral (its detail page; access already checked there): the caller's unread items about it are
        /// read now. Returns how many were marked.
        /// </summary>
        public async Task<int> MarkReferralReadAsync(ClaimsPrincipal principal, Guid referralId, CancellationToken ct = default)
        {
            var now = clock.GetUtcNow();
            var marked = await Mine(principal.CurrentUser()).Where(i => i.ReferralId == referralId && i.ReadAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.ReadAt, now), ct);
            if (marked > 0) await audit.RecordAsync(new AuditEvent("inbox.read", "referral", referralId.ToString(), Detail: $"{marked} items"), ct);
            return marked;
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
