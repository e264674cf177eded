using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Netzwerk.Directory.Demo;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Security;

/// <summary>
/// Objects the fuzz test's valid calls need, created through the API: referrals in each state (of fm.mueller, sent to
/// partner.schuldner's organisation), a consent, an inbox item, a catalogue service and organisation, a proposal, a term,
/// a synonym, an absence — and "foreign" ones (another team's referral, another organisation's service). A fixture that a
/// successful state change used up is created anew on the next use.
/// </summary>
public sealed class FuzzFixtures(NetzwerkApp app)
{
    public static readonly Guid DebtService = DemoCatalogue.Services.DebtCounsellingKamenz;           // partner.schuldner
    public static readonly Guid AddictionService = DemoCatalogue.Services.AddictionCounsellingBautzen; // partner.sucht
    public static readonly Guid InsolvencyService = DemoCatalogue.Services.InsolvencyCounsellingKamenz;

    private readonly Dictionary<string, string> _current = new();
    private int _absenceOffset = 200;
    private int _serial;
    public List<string> Problems { get; } = [];

    private Task<HttpClient> Client(string user) => app.ClientFor(user);

    public static object ReferralBody(Guid serviceId) => new
    {
        caseReference = "AZ-2026/4711",
        serviceId,
        reason = "Mietschulden, Stromsperre droht",
        urgency = "soon",
        sharedCategories = new[] { "contact-data", "referral-reason" },
        contactDetails = "Tel. 0151 000000",
        cooperationPlanGoal = "Schuldenregulierung einleiten",
        note = "Bitte zeitnah melden",
    };

    public static object ConsentBody() => new
    {
        purpose = "Vermittlung in die Schuldnerberatung",
        dataCategories = new[] { "contact-data", "referral-reason" },
        feedbackLevel = "full", // progress notes and outcome notes are allowed at this level only
        form = "signed-paper",
        givenOn = GermanTime.Today.ToString("yyyy-MM-dd"),
    };

    /// <summary>The current id (or literal) of a fixture kind, creating it if needed.</summary>
    public async Task<string> GetAsync(string kind)
    {
        if (_current.TryGetValue(kind, out var id)) return id;
        id = await CreateAsync(kind);
        _current[kind] = id;
        return id;
    }

    /// <summary>A state change succeeded on this fixture: the next use gets a fresh one.</summary>
    public void Consume(string kind)
    {
        if (kind is "inbox") return; // reading an item again is fine, and a new one takes a RabbitMQ round trip
        _current.Remove(kind);
    }

    private async Task<string> CreateAsync(string kind)
    {
        switch (kind)
        {
            case "draft": return (await DraftAsync("fm.mueller", DebtService)).ToString();
            case "ready": return (await ReadyAsync("fm.mueller", DebtService)).Referral.ToString();
            case "ready-consent": return (await ReadyAsync("fm.mueller", DebtService)).Consent.ToString();
            case "sent": return (await SentAsync("fm.mueller", DebtService)).ToString();
            case "accepted":
            {
                var id = await SentAsync("fm.mueller", DebtService);
                await PartnerAcceptAsync("partner.schuldner", id);
                return id.ToString();
            }
            case "inbox": return await InboxItemAsync();
            case "service": return (await CreatedAsync("nk.hoffmann", "/api/directory/services", ServiceBody(Guid.Parse(await GetAsync("org")), $"Fuzz-Angebot {++_serial}"))).ToString();
            case "org": return (await CreatedAsync("nk.hoffmann", "/api/directory/organizations", OrganizationBody($"Fuzz-Träger {++_serial}"))).ToString();
            case "proposal": return (await CreatedAsync("partner.schuldner", $"/api/directory/services/{DebtService}/proposals",
                new { changes = new { description = $"Beratung bei Mietschulden {++_serial}" }, note = "Fuzz" })).ToString();
            case "term": return (await CreatedAsync("nk.hoffmann", "/api/directory/taxonomy-terms", new { taxonomy = "partnerart", name = $"Fuzzbegriff {++_serial}" })).ToString();
            case "synonym": return (await CreatedAsync("nk.hoffmann", "/api/directory/synonyms", new { term = $"fuzzwort{++_serial}", expansions = new[] { "Schulden" } })).ToString();
            case "absence": return (await AbsenceAsync("fm.mueller")).ToString();
            case "hsds-taxonomy":
            {
                var list = JsonDocument.Parse(await app.Anonymous().GetStringAsync("/hsds/taxonomies")).RootElement;
                var items = list.ValueKind == JsonValueKind.Array ? list : list.GetProperty("contents");
                return items.EnumerateArray().First().GetProperty("id").GetString()!;
            }
            case "foreign-referral": return (await ReadyAsync("fm.yilmaz", AddictionService)).Referral.ToString();
            case "foreign-consent": return (await ReadyAsync("fm.yilmaz", AddictionService)).Consent.ToString();
            case "foreign-partner-referral": return (await SentAsync("fm.mueller", AddictionService)).ToString();
            case "foreign-absence": return (await AbsenceAsync("fm.yilmaz")).ToString();
            default: throw new ArgumentException(kind);
        }
    }

    public static object ServiceBody(Guid organizationId, string name) => new
    {
        organizationId,
        name,
        description = "Beratung bei Mietschulden und Energieschulden",
        url = "www.beispiel-traeger.de/angebot",
        email = "beratung@beispiel-traeger.de",
        phones = new[] { new { number = "03578 123456", type = "voice" } },
        location = new { address1 = "Markt 1", postalCode = "01917", city = "Kamenz", stepFree = true },
        openingHours = new[] { new { weekday = 1, opens = "09:00", closes = "12:00" } },
        languages = new[] { "de" },
        categories = new[] { "schuldnerberatung" },
        targetGroups = new[] { "u25" },
        minimumAge = 18,
        capacityFree = 3,
        waitingDays = 7,
    };

    public static object OrganizationBody(string name) => new
    {
        name, description = "Freier Träger", email = "info@beispiel-traeger.de", phone = "03578 99887",
        cooperationAgreement = true, cooperationSince = "2024-01-01",
    };

    private async Task<Guid> CreatedAsync(string user, string url, object body)
    {
        var response = await (await Client(user)).PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Fixture POST {url} as {user} → {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid();
    }

    public async Task<Guid> DraftAsync(string user, Guid service) => await CreatedAsync(user, "/api/referrals", ReferralBody(service));

    public async Task<(Guid Referral, Guid Consent)> ReadyAsync(string user, Guid service)
    {
        var id = await DraftAsync(user, service);
        var response = await (await Client(user)).PostAsJsonAsync($"/api/referrals/{id}/consent", ConsentBody());
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Fixture consent → {(int)response.StatusCode}: {text}");
        return (id, JsonDocument.Parse(text).RootElement.GetProperty("consentId").GetGuid());
    }

    public async Task<Guid> SentAsync(string user, Guid service)
    {
        var (id, _) = await ReadyAsync(user, service);
        var response = await (await Client(user)).PostAsync($"/api/referrals/{id}/send", null);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Fixture send → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return id;
    }

    /// <summary>Accepts as the partner, waiting for the routing (RabbitMQ) if the referral is not visible yet.</summary>
    public async Task PartnerAcceptAsync(string partner, Guid id)
    {
        var client = await Client(partner);
        var until = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var response = await client.PostAsJsonAsync($"/api/partner/referrals/{id}/accept",
                new { appointmentAt = DateTimeOffset.UtcNow.AddDays(3).ToString("yyyy-MM-ddTHH:mm:ssZ") });
            if (response.IsSuccessStatusCode) return;
            if (DateTime.UtcNow > until)
                throw new InvalidOperationException($"Fixture accept → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            await Task.Delay(200);
        }
    }

    private async Task<string> InboxItemAsync()
    {
        var accepted = Guid.Parse(await GetAsync("accepted"));
        _current.Remove("accepted"); // its feedback is this item's; the accepted fixture for the partner calls stays untouched
        var fm = await Client("fm.mueller");
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var page = await fm.GetFromJsonAsync<JsonElement>($"/api/inbox?referralId={accepted}");
            var items = page.GetProperty("items").EnumerateArray().ToArray();
            if (items.Length > 0) return items[0].GetProperty("id").GetGuid().ToString();
            if (DateTime.UtcNow > until)
            {
                Problems.Add("Kein Eintrag im Rückmeldungs-Posteingang nach 30 s (RabbitMQ?) — /api/inbox/{id}/read wird mit einer zufälligen Id geprüft.");
                return Guid.NewGuid().ToString();
            }
            await Task.Delay(250);
        }
    }

    private async Task<Guid> AbsenceAsync(string user)
    {
        var from = GermanTime.Today.AddDays(_absenceOffset);
        _absenceOffset += 5;
        return await CreatedAsync(user, "/api/absences", new { startsOn = from.ToString("yyyy-MM-dd"), endsOn = from.AddDays(1).ToString("yyyy-MM-dd") });
    }

    /// <summary>
    /// Which fixture a path parameter of an operation takes, and which foreign object stands in for "not yours"
    /// (null: none; "=literal" for a fixed value).
    /// </summary>
    public static (string? Kind, string? Foreign) KindFor(ApiOperation op, ApiParameter p)
    {
        var path = op.Path;
        if (p.Name == "categoryCode") return ("=fuzz-route", null);
        if (path.StartsWith("/api/routes/{key}") && p.Name == "key") return ("=schuldnerberatung", null);
        if (path.StartsWith("/api/routes/{key}") && p.Name == "version") return ("=1", null);
        if (p.Name == "token") return ("=" + new string('Q', 43), null);
        if (p.Name == "documentName") return ("=v1", null);
        if (path.StartsWith("/api/referrals/{id}"))
        {
            var kind = path["/api/referrals/{id}".Length..] switch
            {
                "" => "ready",
                "/consent" => "draft",
                "/send" => "ready",
                "/cancel" => "sent",
                "/entered-in-error" => "ready",
                "/close" => "accepted",
                "/access-links/revoke" => "sent",
                _ => "ready",
            };
            return (kind, "foreign-referral");
        }
        if (path.StartsWith("/api/consents/{id}")) return ("ready-consent", "foreign-consent");
        if (path.StartsWith("/api/partner/referrals/{id}"))
        {
            var suffix = path["/api/partner/referrals/{id}".Length..];
            return (suffix is "" or "/accept" or "/decline" or "/waitlist" or "/forward" ? "sent" : "accepted", "foreign-partner-referral");
        }
        if (path.StartsWith("/api/inbox/{id}")) return ("inbox", null);
        if (path is "/api/directory/services/{id}/availability" or "/api/directory/services/{id}/proposals")
            return ("=" + DebtService, "=" + AddictionService);
        if (path.StartsWith("/api/directory/services/{id}")) return ("service", null);
        if (path.StartsWith("/api/directory/organizations/{id}")) return ("org", null);
        if (path.StartsWith("/api/directory/proposals/{id}")) return ("proposal", null);
        if (path.StartsWith("/api/directory/taxonomy-terms/{id}")) return ("term", null);
        if (path.StartsWith("/api/directory/synonyms/{id}")) return ("synonym", null);
        if (path.StartsWith("/api/absences/{id}")) return ("absence", "foreign-absence");
        if (path.StartsWith("/hsds/services/{id}")) return ("=" + DebtService, null);
        if (path.StartsWith("/hsds/organizations/{id}")) return ("=" + DemoUsers.Organizations.DebtCounsellingKamenz, null);
        if (path.StartsWith("/hsds/taxonomy_terms/{id}")) return ("term", null);
        if (path.StartsWith("/hsds/taxonomies/{id}")) return ("hsds-taxonomy", null);
        return (null, null);
    }
}
