using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Netzwerk.Tests.Security;

/// <summary>
/// Every endpoint of the app (read from its EndpointDataSource, so new endpoints are covered automatically) is called
/// anonymously and with every demo role. Roles not entitled by <see cref="Entitled"/> must be refused (401/403/404 or
/// the redirect to sign-in / access denied) — never 2xx with data. Entitled roles calling with ids of objects that are
/// not theirs (unknown ids, another team's or organisation's objects) must not get 2xx either.
/// An endpoint missing from the table fails the test: whoever adds an endpoint decides here who may call it.
/// </summary>
public sealed class RoleEndpointMatrixTests(NetzwerkApp app, ITestOutputHelper output) : IClassFixture<NetzwerkApp>
{
    private const string Public = "öffentlich";
    private static readonly string[] Everyone = Roles.All;
    private static readonly string[] CaseWork = [Roles.CaseManager, Roles.TeamLead];
    private static readonly string[] Coordination = [Roles.NetworkCoordinator, Roles.Administrator];
    private static readonly string[] StaffRoles = Roles.All.Where(r => r != Roles.Partner).ToArray();

    /// <summary>
    /// "METHOD pattern" → roles entitled (or <see cref="Public"/>). Patterns as the endpoint declares them; pages by GET
    /// (their authorisation covers their POST handlers). Object-level rules are the endpoint's own (tested below).
    /// </summary>
    public static readonly Dictionary<string, string[]> Entitled = new()
    {
        // Host and identity
        ["GET /"] = [Public],
        ["GET /anmelden"] = [Public],
        ["GET /abmelden"] = Everyone,
        ["GET /zugriff-verweigert"] = [Public],
        ["GET /zugang-ungueltig"] = [Public],
        ["GET /zugang/{token}"] = [Public],
        ["GET /anmelden/oidc"] = [Public],
        ["GET /health/live"] = [Public],
        ["GET /health/ready"] = [Public],
        ["GET /openapi/{documentName}.json"] = [Public],
        ["GET /api/demo/users"] = [Public],
        ["POST /api/demo/token"] = [Public],
        ["GET /api/me"] = Everyone,
        ["GET /api/audit"] = [Roles.DataProtection],
        ["GET /api/audit/verify"] = [Roles.DataProtection],
        ["GET /datenschutz/protokoll"] = [Roles.DataProtection],
        ["GET /api/absences"] = CaseWork,
        ["POST /api/absences"] = CaseWork,
        ["DELETE /api/absences/{id:guid}"] = CaseWork,
        ["GET /abwesenheiten"] = CaseWork,
        ["POST /api/referrals/{id:guid}/access-links/revoke"] = [Roles.CaseManager, Roles.TeamLead, Roles.NetworkCoordinator, Roles.Administrator],
        // Directory: the catalogue is organisation data (no client data), readable by every signed-in role;
        // HSDS is the public interface; maintenance is Netzwerkkoordination/Administration; partners keep their own listing.
        ["GET /api/directory/search"] = Everyone,
        ["GET /katalog"] = Everyone,
        ["GET /katalog/angebote/{id:guid}"] = Everyone,
        // Catalogue maintenance (coordinators), partner self-service, HSDS interface (public, public fields only)
        ["GET /api/directory/entries"] = Coordination,
        ["GET /api/directory/verification-due"] = Coordination,
        ["POST /api/directory/organizations"] = Coordination,
        ["GET /api/directory/organizations/{id:guid}"] = Coordination,
        ["PUT /api/directory/organizations/{id:guid}"] = Coordination,
        ["GET /api/directory/organizations/{id:guid}/history"] = Coordination,
        ["POST /api/directory/services"] = Coordination,
        ["PUT /api/directory/services/{id:guid}"] = Coordination,
        ["GET /api/directory/services/{id:guid}/entry"] = Coordination,
        ["POST /api/directory/services/{id:guid}/verify"] = Coordination,
        ["POST /api/directory/services/{id:guid}/retire"] = Coordination,
        ["GET /api/directory/services/{id:guid}/history"] = Coordination,
        ["GET /api/directory/taxonomy-terms"] = Coordination,
        ["POST /api/directory/taxonomy-terms"] = Coordination,
        ["PUT /api/directory/taxonomy-terms/{id:guid}"] = Coordination,
        ["GET /api/directory/synonyms"] = Coordination,
        ["POST /api/directory/synonyms"] = Coordination,
        ["PUT /api/directory/synonyms/{id:guid}"] = Coordination,
        ["DELETE /api/directory/synonyms/{id:guid}"] = Coordination,
        ["GET /api/directory/proposals"] = Coordination,
        ["GET /api/directory/proposals/{id:guid}"] = Coordination,
        ["POST /api/directory/proposals/{id:guid}/accept"] = Coordination,
        ["POST /api/directory/proposals/{id:guid}/reject"] = Coordination,
        ["POST /api/directory/imports"] = Coordination,
        ["GET /api/directory/exports"] = Coordination,
        ["GET /pflege"] = Coordination,
        ["GET /pflege/angebote/{id}"] = Coordination,
        ["GET /pflege/traeger/{id}"] = Coordination,
        ["GET /pflege/vorschlaege"] = Coordination,
        ["GET /pflege/import"] = Coordination,
        ["GET /pflege/begriffe"] = Coordination,
        ["GET /api/directory/partner/services"] = [Roles.Partner],
        ["POST /api/directory/services/{id:guid}/proposals"] = [Roles.Partner],
        ["GET /partner/angebote"] = [Roles.Partner],
        ["PUT /api/directory/services/{id:guid}/availability"] = [Roles.Partner, Roles.NetworkCoordinator, Roles.Administrator],
        ["GET /hsds"] = [Public],
        ["GET /hsds/services"] = [Public],
        ["GET /hsds/services/{id}"] = [Public],
        ["GET /hsds/organizations"] = [Public],
        ["GET /hsds/organizations/{id}"] = [Public],
        ["GET /hsds/service_at_locations"] = [Public],
        ["GET /hsds/taxonomies"] = [Public],
        ["GET /hsds/taxonomies/{id}"] = [Public],
        ["GET /hsds/taxonomy_terms"] = [Public],
        ["GET /hsds/taxonomy_terms/{id}"] = [Public],
        ["GET /hsds/service_at_locations/{id}"] = [Public],
        // Verification campaigns (issue 17): coordination runs them; the partner answers through its link (the token is the key).
        ["POST /api/directory/campaigns"] = Coordination,
        ["GET /api/directory/campaigns"] = Coordination,
        ["GET /api/directory/campaigns/{id:guid}"] = Coordination,
        ["POST /api/directory/campaigns/{id:guid}/entries/{serviceId:guid}/review"] = Coordination,
        ["POST /api/directory/campaigns/{id:guid}/requests/{requestId:guid}/phone"] = Coordination,
        ["POST /api/directory/services/{id:guid}/confirm"] = [Roles.Partner],
        ["GET /api/directory/freshness"] = Coordination,
        ["POST /api/directory/services/verify-batch"] = Coordination,
        ["GET /pflege/pruefaktionen"] = Coordination,
        ["GET /pflege/pruefaktionen/{id:guid}"] = Coordination,
        ["GET /api/pruefung/{token}"] = [Public],
        ["POST /api/pruefung/{token}"] = [Public],
        ["GET /pruefung/{token}"] = [Public],
        // Referrals: client data. Fallmanager/Teamleitung (object level: own, deputised, team), partners only their organisation's.
        // Referrals (client data: case work, the partner for its own organisation, coordination for routes and figures)
        ["POST /api/referrals"] = CaseWork,
        ["GET /api/referrals"] = CaseWork,
        ["GET /api/referrals/{id:guid}"] = CaseWork,
        ["POST /api/referrals/{id:guid}/consent"] = CaseWork,
        ["POST /api/referrals/{id:guid}/send"] = CaseWork,
        // the Teamleitung of the referral's team decides on an approval (a Fallmanager gets a 403)
        ["POST /api/referrals/{id:guid}/approve"] = [Roles.TeamLead],
        ["POST /api/referrals/{id:guid}/refuse-approval"] = [Roles.TeamLead],
        ["POST /api/referrals/{id:guid}/cancel"] = CaseWork,
        ["POST /api/referrals/{id:guid}/entered-in-error"] = CaseWork,
        ["POST /api/referrals/{id:guid}/close"] = CaseWork,
        ["GET /api/referrals/suggestions"] = CaseWork,
        ["POST /api/consents/{id:guid}/revoke"] = CaseWork,
        // Consent papers: guardianship and the consent overview through a referral; declaration texts (no client data)
        ["GET /api/referrals/{id:guid}/guardianship"] = CaseWork,
        ["POST /api/referrals/{id:guid}/guardianship"] = CaseWork,
        ["POST /api/referrals/{id:guid}/guardianship/end"] = CaseWork,
        ["GET /api/referrals/{id:guid}/consents"] = CaseWork,
        ["GET /api/consent-texts/{language}"] = StaffRoles,
        ["GET /api/consent-texts/{language}/{version:int}"] = StaffRoles,
        ["POST /api/consent-texts/{language}"] = [Roles.NetworkCoordinator, Roles.DataProtection, Roles.Administrator],
        ["GET /verweisungen/{id:guid}/erklaerung"] = CaseWork,
        ["GET /verweisungen/{id:guid}/einwilligung-digital"] = CaseWork,
        ["GET /verweisungen/{id:guid}/verweisungsschein"] = CaseWork,
        ["GET /verweisungen/{id:guid}/einwilligungen"] = CaseWork,
        ["GET /einwilligungstexte"] = [Roles.NetworkCoordinator, Roles.DataProtection, Roles.Administrator],
        ["GET /api/partner/referrals"] = [Roles.Partner],
        ["GET /api/partner/referrals/{id:guid}"] = [Roles.Partner],
        ["POST /api/partner/referrals/{id:guid}/accept"] = [Roles.Partner],
        ["POST /api/partner/referrals/{id:guid}/decline"] = [Roles.Partner],
        ["POST /api/partner/referrals/{id:guid}/waitlist"] = [Roles.Partner],
        ["POST /api/partner/referrals/{id:guid}/forward"] = [Roles.Partner],
        ["POST /api/partner/referrals/{id:guid}/appointment"] = [Roles.Partner],
        ["POST /api/partner/referrals/{id:guid}/attendance"] = [Roles.Partner],
        ["POST /api/partner/referrals/{id:guid}/progress"] = [Roles.Partner],
        ["POST /api/partner/referrals/{id:guid}/outcome"] = [Roles.Partner],
        // The feedback inbox is the Fallmanager's; other staff roles reach the endpoint but must get nothing.
        ["GET /api/inbox"] = StaffRoles,
        ["GET /api/inbox/unread-count"] = StaffRoles,
        ["POST /api/inbox/{id:guid}/read"] = StaffRoles,
        // The unread-feedback notice is a setting of the case workers' own inbox.
        ["GET /api/inbox/notice"] = CaseWork,
        ["PUT /api/inbox/notice"] = CaseWork,
        // Referral routes are configuration (no client data): staff read them, coordination changes them.
        ["GET /api/routes"] = StaffRoles,
        ["GET /api/routes/{key}/versions/{version:int}"] = StaffRoles,
        ["GET /api/routes/{key}/versions/{version:int}/picture.svg"] = StaffRoles,
        ["PUT /api/routes/{categoryCode}"] = Coordination,
        // Moving running referrals to a newer version: coordination only; it shows ids, partner names and status, no client data.
        ["GET /api/routes/{key}/running"] = Coordination,
        ["POST /api/routes/{key}/migrations/preview"] = Coordination,
        ["POST /api/routes/{key}/migrations"] = Coordination,
        // Figures (aggregates, small groups hidden): every role but Datenschutz, each for its scope (FiguresTests checks the scopes)
        ["GET /api/figures"] = [Roles.NetworkCoordinator, Roles.Administrator, Roles.TeamLead, Roles.CaseManager, Roles.Partner],
        ["GET /api/figures/csv"] = [Roles.NetworkCoordinator, Roles.Administrator, Roles.TeamLead, Roles.CaseManager, Roles.Partner],
        ["GET /api/figures/xlsx"] = [Roles.NetworkCoordinator, Roles.Administrator, Roles.TeamLead, Roles.CaseManager, Roles.Partner],
        ["GET /api/admin/dead-letters"] = [Roles.Administrator],
        ["POST /api/admin/dead-letters/replay"] = [Roles.Administrator],
        ["GET /api/admin/mails"] = [Roles.Administrator],
        // Referral pages (feat/referral-ui): case work, partner, coordination; figures (aggregates) for every role but Datenschutz
        ["GET /verweisungen"] = CaseWork,
        ["GET /verweisungen/neu"] = CaseWork,
        ["GET /verweisungen/{id:guid}"] = CaseWork,
        ["GET /rueckmeldungen"] = CaseWork,
        ["GET /partner/verweisungen"] = [Roles.Partner],
        ["GET /partner/verweisungen/{id:guid}"] = [Roles.Partner],
        ["GET /partner/verweisungen/{id:guid}/teilnahme"] = [Roles.Partner],
        ["GET /kennzahlen"] = [Roles.NetworkCoordinator, Roles.Administrator, Roles.TeamLead, Roles.CaseManager, Roles.Partner],
        ["GET /wege"] = Coordination,
        ["GET /wege/bearbeiten"] = Coordination,
        ["GET /wege/weg"] = Coordination,
        ["GET /wege/umstellen"] = Coordination,
        // Partner prompts (issue 16): coordination edits the texts; a partner chooses its own delivery; referral addresses are
        // edited by coordination for any entry and by a partner for its own organisation (another's answers 404).
        ["GET /api/prompt-templates"] = Coordination,
        ["GET /api/prompt-templates/{kind}"] = Coordination,
        ["PUT /api/prompt-templates/{kind}"] = Coordination,
        ["POST /api/prompt-templates/{kind}/preview"] = Coordination,
        ["GET /wege/e-mail-texte"] = Coordination,
        ["GET /api/partner/mail-delivery"] = [Roles.Partner],
        ["PUT /api/partner/mail-delivery"] = [Roles.Partner],
        ["GET /partner/e-mail-zustellung"] = [Roles.Partner],
        ["GET /api/directory/organizations/{id:guid}/referral-addresses"] = [Roles.NetworkCoordinator, Roles.Administrator, Roles.Partner],
        ["PUT /api/directory/organizations/{id:guid}/referral-addresses"] = [Roles.NetworkCoordinator, Roles.Administrator, Roles.Partner],
        ["GET /api/directory/services/{id:guid}/referral-addresses"] = [Roles.NetworkCoordinator, Roles.Administrator, Roles.Partner],
        ["PUT /api/directory/services/{id:guid}/referral-addresses"] = [Roles.NetworkCoordinator, Roles.Administrator, Roles.Partner],
        ["GET /pflege/verweisungsadressen"] = [Roles.NetworkCoordinator, Roles.Administrator, Roles.Partner],
    };

    public sealed record Call(string Method, string Pattern, string Url);

    private IReadOnlyList<Call> Endpoints()
    {
        var calls = new List<Call>();
        foreach (var e in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (e.RoutePattern.RawText ?? "").Trim('/');
            var isPage = e.Metadata.GetMetadata<PageActionDescriptor>() is not null
                         || e.Metadata.Any(m => m.GetType().Name == "PageRouteMetadata");
            // A page's authorisation covers all its handlers, so GET stands for the page's POST handlers too.
            var methods = isPage ? ["GET"] : e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            foreach (var method in methods)
                calls.Add(new Call(method, pattern, Fill(e.RoutePattern)));
        }
        return calls.DistinctBy(c => $"{c.Method} {c.Pattern}").ToList();
    }

    /// <summary>Route values: a fresh id for every id, a well-formed but unknown access token, "x" otherwise.</summary>
    private static string Fill(RoutePattern pattern)
    {
        var sb = new StringBuilder();
        foreach (var segment in pattern.PathSegments)
        {
            sb.Append('/');
            foreach (var part in segment.Parts)
                sb.Append(part switch
                {
                    RoutePatternLiteralPart l => l.Content,
                    RoutePatternSeparatorPart s => s.Content,
                    RoutePatternParameterPart p when p.Name == "token" => new string('Q', 43),
                    RoutePatternParameterPart p when p.Name == "documentName" => "v1",
                    RoutePatternParameterPart p when p.ParameterPolicies.Any(x => x.Content == "int") => "987654",
                    RoutePatternParameterPart => Guid.NewGuid().ToString(),
                    _ => "",
                });
        }
        return sb.Length == 0 ? "/" : sb.ToString();
    }

    private async Task<HttpResponseMessage> SendAsync(string? user, Call call)
    {
        var client = user is null ? app.Anonymous() : await app.ClientFor(user);
        var request = new HttpRequestMessage(new HttpMethod(call.Method), call.Url);
        if (call.Method is "POST" or "PUT" or "PATCH")
            request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        return await client.SendAsync(request);
    }

    /// <summary>Refused, or answered without any data (an empty list, a zero count): nothing leaked either way.</summary>
    private static async Task<bool> IsRefusalAsync(HttpResponseMessage r)
    {
        if (Hostile.IsRefusal(r)) return true;
        if (r.StatusCode != HttpStatusCode.OK || r.Content.Headers.ContentType?.MediaType != "application/json") return false;
        return Hostile.IsEmptyJson(await r.Content.ReadAsStringAsync());
    }

    [Fact]
    public void Every_endpoint_is_classified()
    {
        var unclassified = Endpoints().Select(c => $"{c.Method} {c.Pattern}").Where(k => !Entitled.ContainsKey(k)).ToList();
        unclassified.ShouldBeEmpty("Endpoints without an entry in RoleEndpointMatrixTests.Entitled: " + string.Join(", ", unclassified));
    }

    [Fact]
    public async Task Roles_that_are_not_entitled_are_refused_everywhere()
    {
        var leaks = new List<string>();
        var checkedCalls = 0;
        foreach (var call in Endpoints())
        {
            if (!Entitled.TryGetValue($"{call.Method} {call.Pattern}", out var entitled) || entitled.Contains(Public)) continue;
            var anonymous = await SendAsync(null, call);
            if (!await IsRefusalAsync(anonymous)) leaks.Add($"anonym: {call.Method} {call.Url} → {(int)anonymous.StatusCode}");
            foreach (var user in DemoUsers.All.Where(u => !entitled.Contains(u.Role)))
            {
                var response = await SendAsync(user.UserName, call);
                checkedCalls++;
                if (!await IsRefusalAsync(response)) leaks.Add($"{user.UserName} ({user.Role}): {call.Method} {call.Url} → {(int)response.StatusCode}");
            }
        }
        output.WriteLine($"{checkedCalls} refused calls checked");
        checkedCalls.ShouldBeGreaterThan(40); // the test must not silently skip everything
        leaks.ShouldBeEmpty(string.Join("\n", leaks));
    }

    [Fact]
    public async Task Entitled_roles_get_nothing_for_ids_that_are_not_theirs()
    {
        var leaks = new List<string>();
        foreach (var call in Endpoints().Where(c => c.Pattern.Contains('{') && !c.Pattern.Contains("{token}") && !c.Pattern.Contains("{documentName}")))
        {
            if (!Entitled.TryGetValue($"{call.Method} {call.Pattern}", out var entitled) || entitled.Contains(Public)) continue;
            foreach (var user in DemoUsers.All.Where(u => entitled.Contains(u.Role)))
            {
                var response = await SendAsync(user.UserName, call);
                if (response.IsSuccessStatusCode) leaks.Add($"{user.UserName}: {call.Method} {call.Url} → {(int)response.StatusCode}");
            }
        }
        leaks.ShouldBeEmpty(string.Join("\n", leaks));
    }

    /// <summary>Objects that exist but belong to someone else: another team's absence, another Fallmanager's access link.</summary>
    [Fact]
    public async Task Objects_of_another_team_or_fallmanager_are_not_reachable()
    {
        var yilmaz = await app.ClientFor("fm.yilmaz");
        var created = await yilmaz.PostAsJsonAsync("/api/absences", new
        {
            startsOn = GermanTime.Today.ToString("yyyy-MM-dd"),
            endsOn = GermanTime.Today.AddDays(2).ToString("yyyy-MM-dd"),
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var absence = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();

        foreach (var user in new[] { "fm.mueller", "fm.schmidt", "tl.weber" })
        {
            var client = await app.ClientFor(user);
            (await client.DeleteAsync($"/api/absences/{absence}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
            (await client.GetFromJsonAsync<JsonElement[]>("/api/absences"))!.ShouldNotContain(a => a.GetProperty("id").GetGuid() == absence);
        }
        (await yilmaz.DeleteAsync($"/api/absences/{absence}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }
}
