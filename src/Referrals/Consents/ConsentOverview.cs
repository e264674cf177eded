using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;

namespace Netzwerk.Referrals.Consents;

/// <summary>
/// Every consent of one person (case reference), reached through one of their referrals so that the case reference never
/// appears in a URL: scope, status, the referrals it covers. Only referrals the caller may see count (own, deputised, team).
/// </summary>
public static class ConsentOverview
{
    public sealed record CoveredReferral(Guid Id, string Status, string StatusText, DateTimeOffset CreatedAt);
    public sealed record Item(Guid ConsentId, Guid OrganizationId, string? OrganizationName, string Purpose, string[] DataCategories,
        string FeedbackLevel, string Form, DateOnly GivenOn, DateOnly? ExpiresOn, string Status, DateTimeOffset? RevokedAt,
        string? RevokedByParty, string? FormNumber, bool UnderGuardianship, IReadOnlyList<CoveredReferral> Referrals);

    public static class Statuses
    {
        public const string Valid = "valid";
        public const string Expired = "expired";
        public const string Revoked = "revoked";
        public static readonly IReadOnlyDictionary<string, string> German = new Dictionary<string, string>
        {
            [Valid] = "gültig", [Expired] = "abgelaufen", [Revoked] = "widerrufen",
        };
    }

    public sealed class Queries(ReferralsDb db, ReferralAccess access, Deputies deputies, IServiceLookup services, TimeProvider clock, AuditLog audit)
    {
        public async Task<IReadOnlyList<Item>> ForCaseOfAsync(ClaimsPrincipal principal, Guid referralId, CancellationToken ct = default)
        {
            var anchor = await access.ForCaseWorkAsync(principal, referralId, ct);
            var user = principal.CurrentUser();
            var visible = db.Referrals.AsNoTracking().Where(r => r.CaseReference == anchor.CaseReference && r.ConsentId != null);
            if (user.Role == Roles.TeamLead) visible = visible.Where(r => r.Team == user.Team);
            else
            {
                var ids = (await deputies.DeputisedByAsync(user.Id, ct)).Append(user.Id).ToArray();
                visible = visible.Where(r => ids.Contains(r.CaseManagerId));
            }
            var referrals = await visible.Select(r => new { r.Id, r.Status, r.ConsentId, r.CreatedAt }).ToListAsync(ct);
            var consentIds = referrals.Select(r => r.ConsentId!.Value).Distinct().ToArray();
            var consents = await db.Consents.AsNoTracking().Where(c => consentIds.Contains(c.Id)).OrderByDescending(c => c.RecordedAt).ToListAsync(ct);
            var today = clock.Today();
            var items = new List<Item>();
            foreach (var c in consents)
            {
                var status = c.RevokedAt is not null ? Statuses.Revoked : c.ExpiresOn < today ? Statuses.Expired : Statuses.Valid;
                items.Add(new Item(c.Id, c.OrganizationId, await services.OrganizationNameAsync(c.OrganizationId, ct), c.Purpose, c.DataCategories,
                    c.FeedbackLevel, c.Form, c.GivenOn, c.ExpiresOn, status, c.RevokedAt, c.RevokedByParty, c.FormNumber, c.UnderGuardianship,
                    referrals.Where(r => r.ConsentId == c.Id).OrderBy(r => r.CreatedAt)
                        .Select(r => new CoveredReferral(r.Id, r.Status, ReferralStatus.German.GetValueOrDefault(r.Status, r.Status), r.CreatedAt)).ToList()));
            }
            await audit.RecordAsync(new AuditEvent("consent.overview", "referral", referralId.ToString(), Detail: $"{items.Count} consents"), ct);
            return items;
        }
    }

    public static void Map(RouteGroupBuilder referrals) =>
        referrals.MapGet("/{id:guid}/consents", async (Guid id, ClaimsPrincipal user, Queries q, CancellationToken ct) =>
                Results.Ok(await q.ForCaseOfAsync(user, id, ct)))
            .WithSummary("Alle Einwilligungen der Person dieser Verweisung (Umfang, Status, erfasste Verweisungen)");
}
