using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Referrals.Lifecycle;
using Npgsql;

namespace Netzwerk.Referrals.Suggestions;

/// <summary>
/// Partners ranked by fit for a referral to the kind of service given, in one query over the directory's catalogue
/// (read only) and the referral history. The score, highest first:
/// <list type="bullet">
/// <item>+50 per partner kind shared with the chosen service (only services of a shared kind are candidates),</item>
/// <item>+30 in the same district, +10 per shared target group (at most +30),</item>
/// <item>capacity: +15 with free places, −15 when full (nothing when the partner has not said),</item>
/// <item>waiting time: +10 up to two weeks, −10 beyond four weeks,</item>
/// <item>how the partner answers: up to +20 for its acceptance rate (+10 without answers yet), −1 per open referral (at most −20),</item>
/// <item>−100 when the service is not active (it is still listed: a Fallmanager may know why).</item>
/// </list>
/// </summary>
public static class SuggestPartners
{
    /// <param name="Explanation">The facts behind the score in German words ("gleiche Art, im selben Landkreis, 3 freie Plätze").</param>
    public sealed record Suggestion(Guid ServiceId, string ServiceName, Guid OrganizationId, string OrganizationName, string? District,
        int Score, int OpenReferrals, double? AcceptanceRate, int? CapacityFree, int? WaitingDays, string[] SharedTargetGroups,
        bool SameKind, bool SameDistrict, bool Active, string[] SharedTargetGroupNames, string Explanation);

    public sealed class Queries(NpgsqlDataSource dataSource)
    {
        public async Task<IReadOnlyList<Suggestion>> ForAsync(Guid serviceId, CancellationToken ct = default)
        {
            await using var conn = await dataSource.OpenConnectionAsync(ct);
            var rows = (await conn.QueryAsync<Row>(new CommandDefinition("""
                WITH anchor AS (
                    SELECT s.id,
                           array(SELECT tt.code FROM directory.service_taxonomy_term stt
                                 JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
                                 JOIN directory.taxonomy tx ON tx.id = tt.taxonomy_id AND tx.code = 'partnerart'
                                 WHERE stt.service_id = s.id) AS kinds,
                           array(SELECT tt.code FROM directory.service_taxonomy_term stt
                                 JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
                                 JOIN directory.taxonomy tx ON tx.id = tt.taxonomy_id AND tx.code = 'zielgruppe'
                                 WHERE stt.service_id = s.id) AS groups,
                           (SELECT l.district FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
                            WHERE sal.service_id = s.id ORDER BY sal.sort_order, sal.id LIMIT 1) AS district
                    FROM directory.service s WHERE s.id = @serviceId),
                -- The chosen service and up to 50 active services of a shared partner kind, those in its district first.
                candidate AS (
                    SELECT id FROM anchor
                    UNION
                    (SELECT s.id FROM anchor a
                     JOIN directory.taxonomy_term tt ON tt.code = ANY(a.kinds)
                     JOIN directory.taxonomy tx ON tx.id = tt.taxonomy_id AND tx.code = 'partnerart'
                     JOIN directory.service_taxonomy_term stt ON stt.taxonomy_term_id = tt.id
                     JOIN directory.service s ON s.id = stt.service_id AND s.status = 'active'
                     ORDER BY EXISTS (SELECT FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
                                      WHERE sal.service_id = s.id AND l.district = a.district) DESC, s.id
                     LIMIT 50))
                SELECT s.id AS ServiceId, s.name AS ServiceName, o.id AS OrganizationId, o.name AS OrganizationName,
                       d.district AS District, coalesce(d.district = a.district, false) AS SameDistrict,
                       s.capacity_free AS CapacityFree, s.waiting_days AS WaitingDays,
                       CASE WHEN o.status = 'retired' THEN 'retired'
                            WHEN o.status = 'temporarily_closed' AND s.status = 'active' THEN 'temporarily_closed'
                            ELSE s.status END AS Status,
                       (SELECT count(*) FROM directory.service_taxonomy_term stt
                        JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
                        JOIN directory.taxonomy tx ON tx.id = tt.taxonomy_id AND tx.code = 'partnerart'
                        WHERE stt.service_id = s.id AND tt.code = ANY(a.kinds))::int AS SharedKinds,
                       array(SELECT tt.code FROM directory.service_taxonomy_term stt
                             JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
                             JOIN directory.taxonomy tx ON tx.id = tt.taxonomy_id AND tx.code = 'zielgruppe'
                             WHERE stt.service_id = s.id AND tt.code = ANY(a.groups) ORDER BY tt.code) AS SharedTargetGroups,
                       array(SELECT tt.name FROM directory.service_taxonomy_term stt
                             JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
                             JOIN directory.taxonomy tx ON tx.id = tt.taxonomy_id AND tx.code = 'zielgruppe'
                             WHERE stt.service_id = s.id AND tt.code = ANY(a.groups) ORDER BY tt.code) AS SharedTargetGroupNames,
                       coalesce(r.open, 0)::int AS OpenReferrals, coalesce(r.answered, 0)::int AS Answered,
                       coalesce(r.rejected, 0)::int AS Rejected
                FROM candidate c
                CROSS JOIN anchor a
                JOIN directory.service s ON s.id = c.id
                JOIN directory.organization o ON o.id = s.organization_id
                LEFT JOIN LATERAL (
                    SELECT l.district FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
                    WHERE sal.service_id = s.id ORDER BY sal.sort_order, sal.id LIMIT 1) d ON true
                LEFT JOIN (
                    SELECT service_id,
                           count(*) FILTER (WHERE status IN ('requested', 'accepted', 'in-progress')) AS open,
                           count(*) FILTER (WHERE status NOT IN ('requested', 'cancelled')) AS answered,
                           count(*) FILTER (WHERE status = 'rejected') AS rejected
                    FROM referrals.referrals WHERE service_id IN (SELECT id FROM candidate) AND status <> 'draft'
                    GROUP BY service_id) r ON r.service_id = s.id
                """, new { serviceId }, cancellationToken: ct))).ToList();
            if (rows.Count == 0) throw ReferralProblem.NotFound();
            return rows.Select(ToSuggestion).OrderByDescending(x => x.Score).ThenBy(x => x.ServiceName).ToList();
        }

        private static Suggestion ToSuggestion(Row r)
        {
            double? acceptance = r.Answered > 0 ? 1.0 - (double)r.Rejected / r.Answered : null;
            var score = 50 * r.SharedKinds
                        + (r.SameDistrict ? 30 : 0)
                        + Math.Min(30, 10 * r.SharedTargetGroups.Length)
                        + r.CapacityFree switch { null => 0, 0 => -15, _ => 15 }
                        + r.WaitingDays switch { null => 0, <= 14 => 10, <= 28 => 0, _ => -10 }
                        + (int)Math.Round(20 * (acceptance ?? 0.5))
                        - Math.Min(20, r.OpenReferrals)
                        + (r.Status == "active" ? 0 : -100);
            return new Suggestion(r.ServiceId, r.ServiceName, r.OrganizationId, r.OrganizationName, r.District, score, r.OpenReferrals,
                acceptance, r.CapacityFree, r.WaitingDays, r.SharedTargetGroups,
                r.SharedKinds > 0, r.SameDistrict, r.Status == "active", r.SharedTargetGroupNames,
                Explain(r.SharedKinds > 0, r.SameDistrict, r.District, r.SharedTargetGroupNames, r.CapacityFree, r.WaitingDays, r.OpenReferrals, r.Status == "active"));
        }
    }

    /// <summary>
    /// Why a partner is suggested, in the words a Fallmanager uses, built from the same facts as the score (a bare score
    /// such as "Eignung 145" told users nothing). Singular and plural follow the numbers.
    /// </summary>
    public static string Explain(bool sameKind, bool sameDistrict, string? district, IReadOnlyList<string> sharedGroups,
        int? capacityFree, int? waitingDays, int openReferrals, bool active)
    {
        var parts = new List<string>();
        if (!active) parts.Add("derzeit nicht aktiv");
        if (sameKind) parts.Add("gleiche Art");
        parts.Add(sameDistrict ? "im selben Landkreis" : district is null ? "Landkreis unbekannt" : $"anderer Landkreis ({district})");
        if (sharedGroups.Count > 0) parts.Add((sharedGroups.Count == 1 ? "gleiche Zielgruppe: " : "gleiche Zielgruppen: ") + string.Join(", ", sharedGroups));
        parts.Add(capacityFree switch
        {
            null => "freie Plätze unbekannt", 0 => "derzeit keine freien Plätze", 1 => "1 freier Platz", var n => $"{n} freie Plätze",
        });
        parts.Add(waitingDays switch
        {
            null => "Wartezeit unbekannt", 0 => "keine Wartezeit", 1 => "Wartezeit ca. 1 Tag", var d => $"Wartezeit ca. {d} Tage",
        });
        parts.Add(openReferrals switch
        {
            0 => "keine offenen Verweisungen", 1 => "1 offene Verweisung", var n => $"{n} offene Verweisungen",
        });
        return string.Join(", ", parts);
    }

    private sealed class Row
    {
        public Guid ServiceId { get; set; }
        public string ServiceName { get; set; } = "";
        public Guid OrganizationId { get; set; }
        public string OrganizationName { get; set; } = "";
        public string? District { get; set; }
        public int? CapacityFree { get; set; }
        public int? WaitingDays { get; set; }
        public string Status { get; set; } = "";
        public int SharedKinds { get; set; }
        public string[] SharedTargetGroups { get; set; } = [];
        public string[] SharedTargetGroupNames { get; set; } = [];
        public bool SameDistrict { get; set; }
        public int OpenReferrals { get; set; }
        public int Answered { get; set; }
        public int Rejected { get; set; }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapGet("/suggestions", async (Guid serviceId, Queries q, CancellationToken ct) => Results.Ok(await q.ForAsync(serviceId, ct)))
            .WithSummary("Passende Partner für eine Verweisung, nach Eignung sortiert (Art, Kreis, Zielgruppen, Kapazität, Wartezeit, Antwortverhalten)");
}
