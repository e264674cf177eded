using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Netzwerk.Tests.Referrals;

/// <summary>Suggested partners: ranked by partner kind, district, target groups, capacity, waiting time and answers.</summary>
public sealed class SuggestionTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private async Task<JsonElement[]> SuggestionsAsync(HttpClient fm, Guid serviceId)
        => (await fm.GetFromJsonAsync<JsonElement[]>($"/api/referrals/suggestions?serviceId={serviceId}"))!;

    private static JsonElement Of(JsonElement[] suggestions, Guid serviceId)
        => suggestions.Single(s => s.GetProperty("serviceId").GetGuid() == serviceId);

    [Fact]
    public async Task Capacity_and_waiting_time_move_a_partner_up_or_down()
    {
        var fm = await app.ClientFor("fm.mueller");
        var before = Of(await SuggestionsAsync(fm, ReferralTestApp.DebtService), ReferralTestApp.InsolvencyService);

        // Full, and a short wait: −30 for capacity (free places +15 → full −15); the wait moves from beyond four weeks
        // (−10) to within two (+10).
        (await app.CountAsync($"""
            WITH u AS (UPDATE directory.service SET capacity_free = 0, waiting_days = 7 WHERE id = '{ReferralTestApp.InsolvencyService}' RETURNING 1)
            SELECT count(*) FROM u
            """)).ShouldBe(1);
        var after = Of(await SuggestionsAsync(fm, ReferralTestApp.DebtService), ReferralTestApp.InsolvencyService);

        before.GetProperty("capacityFree").GetInt32().ShouldBeGreaterThan(0);
        before.GetProperty("waitingDays").GetInt32().ShouldBeGreaterThan(28);
        after.GetProperty("capacityFree").GetInt32().ShouldBe(0);
        after.GetProperty("waitingDays").GetInt32().ShouldBe(7);
        after.GetProperty("score").GetInt32().ShouldBe(before.GetProperty("score").GetInt32() - 30 + 20);
    }

    [Fact]
    public async Task Shared_target_groups_and_district_count_and_the_list_is_ranked()
    {
        var fm = await app.ClientFor("fm.mueller");
        var suggestions = await SuggestionsAsync(fm, ReferralTestApp.DebtService);
        var groups = (await app.CountAsync($"""
            SELECT count(*) FROM directory.service_taxonomy_term stt
            JOIN directory.taxonomy_term tt ON tt.id = stt.taxonomy_term_id
            JOIN directory.taxonomy tx ON tx.id = tt.taxonomy_id AND tx.code = 'zielgruppe'
            WHERE stt.service_id = '{ReferralTestApp.DebtService}'
            """));
        groups.ShouldBeGreaterThan(0);
        // The chosen service shares all its target groups with itself.
        Of(suggestions, ReferralTestApp.DebtService).GetProperty("sharedTargetGroups").GetArrayLength().ShouldBe((int)groups);
        suggestions.Select(s => s.GetProperty("score").GetInt32()).ShouldBeInOrder(SortDirection.Descending);
        suggestions.ShouldNotContain(s => s.GetProperty("serviceId").GetGuid() == ReferralTestApp.AddictionService);

        // Unknown service: 404 in German, no 500.
        var unknown = await fm.GetAsync($"/api/referrals/suggestions?serviceId={Guid.NewGuid()}");
        unknown.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        // Not an id at all, or none: a 400, no 500.
        (await fm.GetAsync("/api/referrals/suggestions?serviceId=kein-angebot")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await fm.GetAsync("/api/referrals/suggestions")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        // Partners do not get suggestions (case work only).
        (await (await app.ClientFor("partner.schuldner")).GetAsync($"/api/referrals/suggestions?serviceId={ReferralTestApp.DebtService}"))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
