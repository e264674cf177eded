using System.Net;
using Netzwerk.Directory.Demo;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Directory.Maintenance;

/// <summary>The maintenance pages render for coordinators and are closed to others.</summary>
public sealed class MaintenancePageTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    [Theory]
    [InlineData("/pflege", "Katalogpflege")]
    [InlineData("/pflege?faellig=true", "Prüfung fällig")]
    [InlineData("/pflege/angebote/neu", "Neues Angebot")]
    [InlineData("/pflege/traeger/neu", "Neuer Träger")]
    [InlineData("/pflege/vorschlaege", "Vorschläge der Partner")]
    [InlineData("/pflege/import", "Liste importieren")]
    [InlineData("/pflege/begriffe", "Suchsynonyme")]
    public async Task Coordinator_pages_render(string url, string text)
    {
        var client = await app.ClientFor("nk.hoffmann");
        var response = await client.GetAsync(url);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()).ShouldContain(text);
    }

    [Fact]
    public async Task Entry_page_shows_the_service_and_others_are_kept_out()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var html = await coordinator.GetStringAsync($"/pflege/angebote/{DemoCatalogue.Services.DebtCounsellingKamenz}");
        html.ShouldContain("Änderungshistorie");
        html.ShouldContain("Als geprüft markieren");
        (await coordinator.GetAsync($"/pflege/angebote/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        foreach (var user in new[] { "fm.mueller", "partner.schuldner" })
        {
            var client = await app.ClientFor(user);
            (await client.GetAsync("/pflege")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Redirect);
        }
        var partner = await (await app.ClientFor("partner.sucht")).GetStringAsync("/partner/angebote");
        partner = WebUtility.HtmlDecode(partner);
        partner.ShouldContain("Suchtberatung");
        partner.ShouldNotContain("Schuldner- und Insolvenzberatung der Diakonie Kamenz");
        (await (await app.ClientFor("fm.mueller")).GetAsync("/partner/angebote")).StatusCode.ShouldBeOneOf(HttpStatusCode.Forbidden, HttpStatusCode.Redirect);
    }
}
