using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Netzwerk.Directory.Demo;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Referrals.Ui;

/// <summary>The app on Kestrel for Chromium, with the outbox polled often so feedback reaches the inbox quickly.</summary>
public sealed class ReferralUiApp : NetzwerkWebApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Workflows:Outbox:PollInterval"] = "00:00:00.300",
    };

    /// <summary>The demo catalogue's Schuldnerberatung Kamenz (organisation of partner.schuldner).</summary>
    public static Guid DebtService => DemoCatalogue.Services.DebtCounsellingKamenz;

    /// <summary>A sent referral created through the API (for tests whose subject is a later step).</summary>
    public async Task<Guid> SentReferralAsync(string fm, string caseReference, string feedbackLevel = "attendance")
    {
        var client = await ClientFor(fm);
        var created = await client.PostAsJsonAsync("/api/referrals", new
        {
            caseReference, serviceId = DebtService, reason = "Mietschulden, Stromsperre droht", urgency = "soon",
            sharedCategories = new[] { "contact-data", "referral-reason" }, contactDetails = "Tel. 0151 000000",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var consent = await client.PostAsJsonAsync($"/api/referrals/{id}/consent", new
        {
            purpose = "Vermittlung in die Schuldnerberatung", dataCategories = new[] { "contact-data", "referral-reason" },
            feedbackLevel, form = "signed-paper", givenOn = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)),
        });
        consent.StatusCode.ShouldBe(HttpStatusCode.OK, await consent.Content.ReadAsStringAsync());
        var sent = await client.PostAsync($"/api/referrals/{id}/send", null);
        sent.StatusCode.ShouldBe(HttpStatusCode.OK, await sent.Content.ReadAsStringAsync());
        return id;
    }

    /// <summary>A page whose confirm() dialogs (data-confirm) are accepted, as a user would click "OK".</summary>
    public static IPage AcceptingDialogs(IPage page)
    {
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        return page;
    }
}
