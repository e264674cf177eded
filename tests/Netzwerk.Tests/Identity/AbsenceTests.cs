using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Identity;

/// <summary>Absences and deputies through the API, read back through the Deputies service the referral module uses.</summary>
public sealed class AbsenceTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    private static string Day(int offset) => GermanTime.Today.AddDays(offset).ToString("yyyy-MM-dd");

    [Fact]
    public async Task Fallmanager_records_own_absence_and_the_deputy_may_act_meanwhile()
    {
        var mueller = await app.ClientFor("fm.mueller");
        var response = await mueller.PostAsJsonAsync("/api/absences", new { deputyId = "fm.schmidt", startsOn = Day(0), endsOn = Day(3) });
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        var deputies = app.Services.GetRequiredService<Deputies>();
        (await deputies.DeputisedByAsync("fm.schmidt")).ShouldContain("fm.mueller");
        (await deputies.ForCaseManagerAsync("fm.mueller")).ShouldBe((true, "fm.schmidt"));
        (await deputies.MayActForAsync("fm.schmidt", "fm.mueller")).ShouldBeTrue();
        (await deputies.MayActForAsync("fm.yilmaz", "fm.mueller")).ShouldBeFalse();

        // The deputy and the Teamleitung see it; a Fallmanager of another team does not.
        (await (await app.ClientFor("fm.schmidt")).GetFromJsonAsync<JsonElement[]>("/api/absences"))!.ShouldContain(a => a.GetProperty("id").GetGuid() == id);
        (await (await app.ClientFor("tl.weber")).GetFromJsonAsync<JsonElement[]>("/api/absences"))!.ShouldContain(a => a.GetProperty("id").GetGuid() == id);
        var yilmaz = await app.ClientFor("fm.yilmaz");
        (await yilmaz.GetFromJsonAsync<JsonElement[]>("/api/absences"))!.ShouldNotContain(a => a.GetProperty("id").GetGuid() == id);
        (await yilmaz.DeleteAsync($"/api/absences/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await mueller.DeleteAsync($"/api/absences/{id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await deputies.MayActForAsync("fm.schmidt", "fm.mueller")).ShouldBeFalse();
    }

    [Fact]
    public async Task Teamleitung_records_for_a_team_member_but_not_for_another_team()
    {
        var weber = await app.ClientFor("tl.weber");
        (await weber.PostAsJsonAsync("/api/absences", new { caseManagerId = "fm.schmidt", deputyId = "fm.mueller", startsOn = Day(1), endsOn = Day(2) }))
            .StatusCode.ShouldBe(HttpStatusCode.Created);
        (await weber.PostAsJsonAsync("/api/absences", new { caseManagerId = "fm.yilmaz", startsOn = Day(1), endsOn = Day(2) }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Invalid_absences_get_german_validation_problems_and_nothing_is_stored()
    {
        var mueller = await app.ClientFor("fm.mueller");
        var otherTeam = await mueller.PostAsJsonAsync("/api/absences", new { deputyId = "fm.yilmaz", startsOn = Day(0), endsOn = Day(1) });
        otherTeam.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await otherTeam.Content.ReadAsStringAsync()).ShouldContain("selben Team");

        var backwards = await mueller.PostAsJsonAsync("/api/absences", new { startsOn = Day(3), endsOn = Day(1) });
        backwards.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await backwards.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").GetProperty("endsOn")[0].GetString()!.ShouldContain("nicht vor");

        (await mueller.PostAsJsonAsync("/api/absences", new { caseManagerId = "fm.schmidt", startsOn = Day(0), endsOn = Day(1) }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await mueller.PostAsync("/api/absences", new StringContent("{\"startsOn\": 5", System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        (await app.Services.GetRequiredService<Deputies>().DeputisedByAsync("fm.yilmaz")).ShouldNotContain("fm.mueller");
    }

    [Fact]
    public async Task Partner_and_coordination_roles_cannot_use_absences()
    {
        foreach (var user in new[] { "partner.schuldner", "nk.hoffmann", "ds.becker", "admin" })
            (await (await app.ClientFor(user)).GetAsync("/api/absences")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
