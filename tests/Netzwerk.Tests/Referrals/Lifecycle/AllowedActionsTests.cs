using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using E = Netzwerk.Referrals.Lifecycle.ReferralStateMachine.EventNames;

namespace Netzwerk.Tests.Referrals.Lifecycle;

/// <summary>The detail APIs list what the state machine allows now — for the Fallmanager and for the partner — and pages offer only that.</summary>
public sealed class AllowedActionsTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    private static async Task<string[]> AllowedAsync(HttpClient client, string url)
        => (await client.GetFromJsonAsync<JsonElement>(url)).GetProperty("allowedActions").EnumerateArray().Select(a => a.GetString()!).ToArray();

    [Fact]
    public async Task Each_side_sees_the_events_its_referral_allows_in_its_current_state()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.DraftAsync(fm);
        (await AllowedAsync(fm, $"/api/referrals/{id}")).ShouldBe([E.Sent, E.CancelledByCaseManager, E.MarkedEnteredInError], ignoreOrder: true);

        await app.ConsentAsync(fm, id); // feedback level "attendance": no progress reports, no outcome
        await app.SendAsync(fm, id);
        (await AllowedAsync(fm, $"/api/referrals/{id}")).ShouldBe([E.CancelledByCaseManager, E.MarkedEnteredInError, E.Closed], ignoreOrder: true);
        var asked = await AllowedAsync(partner, $"/api/partner/referrals/{id}");
        asked.ShouldContain(E.PartnerAccepted);
        asked.ShouldContain(E.PartnerDeclined);
        asked.ShouldNotContain(E.PartnerOfferedAppointment);
        asked.ShouldNotContain(E.PartnerReportedProgress);

        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var accepted = await AllowedAsync(partner, $"/api/partner/referrals/{id}");
        accepted.ShouldNotContain(E.PartnerAccepted);
        accepted.ShouldContain(E.PartnerOfferedAppointment);
        accepted.ShouldContain(E.PartnerReportedAttendance);
        accepted.ShouldNotContain(E.PartnerReportedProgress); // the machine allows it; the consented feedback level does not

        // The page offers the same: no second "accept" for an accepted referral.
        var page = await partner.GetStringAsync($"/partner/verweisungen/{id}");
        page.ShouldNotContain("handler=Accept");
        page.ShouldContain("handler=Appointment");

        (await ReferralTestApp.PostAsync(fm, $"/api/referrals/{id}/cancel")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await AllowedAsync(fm, $"/api/referrals/{id}")).ShouldBe([E.MarkedEnteredInError]);
        (await AllowedAsync(partner, $"/api/partner/referrals/{id}")).ShouldBeEmpty();
    }
}
