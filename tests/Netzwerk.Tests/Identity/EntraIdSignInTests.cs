using Microsoft.Playwright;

namespace Netzwerk.Tests.Identity;

/// <summary>
/// <c>Identity:Provider=EntraId</c>: the sign-in goes through Microsoft.Identity.Web against a provider that issues tokens
/// the way Entra ID does (issuer <c>…/{tenant}/v2.0</c>, <c>tid</c>, <c>oid</c>, app roles in <c>roles</c>, group ids).
/// The refusals of <see cref="ProviderSignInTests"/> run here as well.
/// </summary>
public sealed class EntraIdSignInTests(EntraIdBrowserFixture fx) : ProviderSignInTests(fx), IClassFixture<EntraIdBrowserFixture>
{
    [Fact]
    public async Task App_role_maps_to_our_role_the_user_is_known_by_oid_and_signs_out_at_the_provider()
    {
        var page = await NewPageAsync();
        await SignInAtProviderAsync(page, "anna.fm");
        await ArriveAsync(page, u => u == $"{App.BaseUrl}/");
        var me = (await MeAsync(page))!.Value;
        me.GetProperty("id").GetString().ShouldBe(OidcTestProvider.AnnaOid.ToString());
        me.GetProperty("role").GetString().ShouldBe("Fallmanager");
        (await CountAuditAsync("sign-in", "ok", OidcTestProvider.AnnaOid.ToString())).ShouldBeGreaterThan(0);

        var visited = new List<string>();
        page.Request += (_, r) => { lock (visited) visited.Add(r.Url); };
        await page.ClickAsync("form[action='/abmelden'] button");
        await page.WaitForLoadStateAsync();
        await TestProcesses.EventuallyAsync(() => Task.FromResult(visited.ToList()
            .FirstOrDefault(u => u.StartsWith(App.Provider.Origin + "/session/end") && u.Contains("id_token_hint="))),
            "end_session_endpoint visited; seen: " + string.Join(" | ", visited), 30);
        (await MeAsync(page)).ShouldBeNull();
    }

    [Fact]
    public async Task Group_id_maps_to_a_role_by_configuration()
    {
        var page = await NewPageAsync();
        await SignInAtProviderAsync(page, "tom.tl");
        await ArriveAsync(page, u => u == $"{App.BaseUrl}/");
        (await MeAsync(page))!.Value.GetProperty("role").GetString().ShouldBe("Teamleitung");
    }
}
