using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Workflows;

namespace Netzwerk.Referrals.Suggestions;

/// <summary>
/// Partners ranked by fit for a referral to the kind of service given: same category first, then same district,
/// then how the partner answered recent referrals (acceptance, open load). Built on <see cref="IServiceLookup"/>
/// and the referral history; the directory's own search adds target groups, capacity and waiting time.
/// </summary>
public static class SuggestPartners
{
    public sealed record Suggestion(Guid ServiceId, string ServiceName, Guid OrganizationId, string OrganizationName, string? District,
        int Score, int OpenReferrals, double? AcceptanceRate);

    public sealed class Queries(ReferralsDb db, IServiceLookup services, ICandidateServices candidates)
    {
        public async Task<IReadOnlyList<Suggestion>> ForAsync(Guid serviceId, CancellationToken ct = default)
        {
            var anchor = await services.FindAsync(serviceId, ct) ?? throw ReferralProblem.NotFound();
            var ids = await candidates.CandidatesAsync(anchor.CategoryCodes, ct);
            var result = new List<Suggestion>();
            foreach (var id in ids.Append(serviceId).Distinct().Take(50))
            {
                var s = await services.FindAsync(id, ct);
                if (s is null) continue;
                var stats = await db.Referrals.AsNoTracking().Where(r => r.ServiceId == id && r.Status != ReferralStatus.Draft)
                    .GroupBy(_ => 1)
                    .Select(g => new
                    {
                        Open = g.Count(r => r.Status == ReferralStatus.Requested || r.Status == ReferralStatus.Accepted || r.Status == ReferralStatus.InProgress),
                        Answered = g.Count(r => r.Status != ReferralStatus.Requested && r.Status != ReferralStatus.Cancelled),
                        Rejected = g.Count(r => r.Status == ReferralStatus.Rejected),
                    }).SingleOrDefaultAsync(ct);
                double? acceptance = stats is { Answered: > 0 } ? 1.0 - (double)stats.Rejected / stats.Answered : null;
                var score = 50 * s.CategoryCodes.Intersect(anchor.CategoryCodes).Count()
                            + (s.District is not null && s.District == anchor.District ? 30 : 0)
                            + (int)Math.Round(20 * (acceptance ?? 0.5))
                            - Math.Min(20, stats?.Open ?? 0)
                            + (s.Status == "active" ? 0 : -100);
                result.Add(new Suggestion(s.ServiceId, s.ServiceName, s.OrganizationId, s.OrganizationName, s.District, score, stats?.Open ?? 0, acceptance));
            }
            return result.OrderByDescending(x => x.Score).ThenBy(x => x.ServiceName).ToList();
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/suggestions", async (Guid serviceId, Queries q, CancellationToken ct) => Results.Ok(await q.ForAsync(serviceId, ct)))
            .WithSummary("Passende Partner für eine Verweisung, nach Eignung sortiert");
}

/// <summary>Services of the given categories (the directory provides a richer implementation).</summary>
public interface ICandidateServices
{
    Task<IReadOnlyList<Guid>> CandidatesAsync(IReadOnlyList<string> categoryCodes, CancellationToken ct);
}
