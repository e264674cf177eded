using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;

namespace Netzwerk.Tests.Referrals;

/// <summary>Object-level authorisation: partners see their organisation's referrals only, Fallmanager their own or deputised ones.</summary>
public sealed class AuthorisationTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    [Fact]
    public async Task Partner_of_another_organisation_gets_404_and_cannot_answer()
    {
        var fm = await app.ClientFor("fm.mueller");
        var id = await app.SentReferralAsync(fm, ReferralTestApp.DebtService);
        var other = await app.ClientFor("partner.sucht");
        (await other.GetAsync($"/api/partner/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await ReferralTestApp.PostAsync(other, $"/api/partner/referrals/{id}/accept")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await other.GetFromJsonAsync<JsonElement[]>("/api/partner/referrals"))!.Select(r => r.GetProperty("id").GetGuid()).ShouldNotContain(id);
        (await ReferralTestApp.StatusOfAsync(fm, id)).ShouldBe("requested");
    }

    [Fact]
    public async Task Other_fallmanager_gets_404_team_lead_of_the_team_may_read_but_not_close()
    {
        var fm = await app.ClientFor("fm.mueller");
        var id = await app.SentReferralAsync(fm);
        var yilmaz = await app.ClientFor("fm.yilmaz");
        (await yilmaz.GetAsync($"/api/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await yilmaz.PostAsJsonAsync($"/api/referrals/{id}/cancel", new { })).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await yilmaz.GetFromJsonAsync<JsonElement[]>("/api/referrals"))!.Select(r => r.GetProperty("id").GetGuid()).ShouldNotContain(id);

        var schmidt = await app.ClientFor("fm.schmidt"); // same team, not deputy
        (await schmidt.GetAsync($"/api/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var lead = await app.ClientFor("tl.weber");
        (await lead.GetAsync($"/api/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await lead.PostAsJsonAsync($"/api/referrals/{id}/close", new { outcome = "failed", reasonCode = "not-reached" }))
            .StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var partner = await app.ClientFor("partner.schuldner");
        (await partner.GetAsync($"/api/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden); // wrong role altogether
        (await fm.GetAsync($"/api/partner/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Access_link_session_reaches_only_its_one_referral()
    {
        var fm = await app.ClientFor("fm.mueller");
        var first = await app.SentReferralAsync(fm);
        var second = await app.SentReferralAsync(fm);
        // A partner session opened from an e-mailed link carries the referral claim (built the way the link helper will).
        var scoped = await ScopedClientAsync(first);
        (await scoped.GetAsync($"/api/partner/referrals/{first}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        // Refused by the session guard (403) or, behind it, by the handler's own check (404).
        (await scoped.GetAsync($"/api/partner/referrals/{second}")).StatusCode.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        (await ReferralTestApp.PostAsync(scoped, $"/api/partner/referrals/{second}/accept")).StatusCode.ShouldBeOneOf(HttpStatusCode.NotFound, HttpStatusCode.Forbidden);
        (await ReferralTestApp.StatusOfAsync(fm, second)).ShouldBe("requested");

        // The handlers enforce the scope themselves too (for callers that bypass the HTTP guard, e.g. Razor pages).
        using var scope = app.Services.CreateScope();
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim("sub", "partner.schuldner"), new Claim("role", "Partner"),
            new Claim("org", DemoUsers.Organizations.DebtCounsellingKamenz.ToString()), new Claim("referral", first.ToString()),
        ], "link"));
        var queries = scope.ServiceProvider.GetRequiredService<Netzwerk.Referrals.Partner.PartnerReferrals.Queries>();
        (await queries.ListAsync(principal, null)).Select(r => r.Id).ShouldBe([first]);
        (await Should.ThrowAsync<Netzwerk.Referrals.ReferralProblem>(() => queries.GetAsync(principal, second))).Status.ShouldBe(404);
    }

    private Task<HttpClient> ScopedClientAsync(Guid referralId)
    {
        var keys = app.Services.GetRequiredService<TokenSigningKeys>();
        var token = new JwtSecurityToken(TokenSigningKeys.Issuer, TokenSigningKeys.Audience,
        [
            new Claim("sub", "partner.schuldner"), new Claim("name", "Zugang per Link"), new Claim("role", "Partner"),
            new Claim("org", DemoUsers.Organizations.DebtCounsellingKamenz.ToString()), new Claim("referral", referralId.ToString()),
        ], DateTime.UtcNow.AddSeconds(-5), DateTime.UtcNow.AddHours(1), new SigningCredentials(keys.Key, SecurityAlgorithms.RsaSha256));
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new("Bearer", new JwtSecurityTokenHandler().WriteToken(token));
        return Task.FromResult(client);
    }
}

/// <summary>Own fixture: the absence recorded here must not leak into the other authorisation tests.</summary>
public sealed class DeputyTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    [Fact]
    public async Task Deputy_acts_and_receives_feedback_while_the_fallmanager_is_absent_else_the_team_inbox()
    {
        var mueller = await app.ClientFor("fm.mueller");
        var schmidt = await app.ClientFor("fm.schmidt");
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.SentReferralAsync(mueller);
        var today = app.Clock.Today();
        await using (var db = await app.OpenDatabaseAsync())
        {
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "INSERT INTO platform.absences (id, case_manager_id, deputy_id, starts_on, ends_on, recorded_by) VALUES ($1, 'fm.mueller', 'fm.schmidt', $2, $3, 'fm.mueller')";
            cmd.Parameters.AddWithValue(Guid.NewGuid());
            cmd.Parameters.AddWithValue(today);
            cmd.Parameters.AddWithValue(today.AddDays(1));
            await cmd.ExecuteNonQueryAsync();
        }
        (await schmidt.GetAsync($"/api/referrals/{id}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await schmidt.GetFromJsonAsync<JsonElement[]>("/api/referrals"))!.Single(r => r.GetProperty("id").GetGuid() == id)
            .GetProperty("deputised").GetBoolean().ShouldBeTrue();

        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var items = await ReferralTestApp.InboxAsync(schmidt, id);
        items.ShouldHaveSingleItem().GetProperty("kind").GetString().ShouldBe("accepted");
        (await ReferralTestApp.InboxAsync(mueller, id, timeout: TimeSpan.Zero)).ShouldBeEmpty();

        // The deputy may close on the absent Fallmanager's behalf.
        (await schmidt.PostAsJsonAsync($"/api/referrals/{id}/close", new { outcome = "failed", reasonCode = "not-reached" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

/// <summary>Own fixture: the Fallmanager is absent without a deputy, so feedback goes to the team inbox.</summary>
public sealed class TeamInboxTests(ReferralTestApp app) : IClassFixture<ReferralTestApp>
{
    [Fact]
    public async Task Without_a_deputy_feedback_goes_to_the_team_inbox()
    {
        var mueller = await app.ClientFor("fm.mueller");
        var schmidt = await app.ClientFor("fm.schmidt");   // same team
        var yilmaz = await app.ClientFor("fm.yilmaz");     // other team
        var partner = await app.ClientFor("partner.schuldner");
        var id = await app.SentReferralAsync(mueller);
        var today = app.Clock.Today();
        await using (var db = await app.OpenDatabaseAsync())
        {
            await using var cmd = db.CreateCommand();
            cmd.CommandText = "INSERT INTO platform.absences (id, case_manager_id, deputy_id, starts_on, ends_on, recorded_by) VALUES ($1, 'fm.mueller', NULL, $2, $2, 'fm.mueller')";
            cmd.Parameters.AddWithValue(Guid.NewGuid());
            cmd.Parameters.AddWithValue(today);
            await cmd.ExecuteNonQueryAsync();
        }
        (await ReferralTestApp.PostAsync(partner, $"/api/partner/referrals/{id}/accept")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var item = (await ReferralTestApp.InboxAsync(schmidt, id)).ShouldHaveSingleItem();
        item.GetProperty("viaTeamOrDeputy").GetBoolean().ShouldBeTrue();
        (await ReferralTestApp.InboxAsync(yilmaz, id, timeout: TimeSpan.Zero)).ShouldBeEmpty();

        // Marking read works for whoever the item reaches, and only for them.
        var itemId = item.GetProperty("id").GetGuid();
        (await yilmaz.PostAsync($"/api/inbox/{itemId}/read", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await schmidt.PostAsync($"/api/inbox/{itemId}/read", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await ReferralTestApp.InboxAsync(schmidt, id)).Single().GetProperty("read").GetBoolean().ShouldBeTrue();
    }
}
