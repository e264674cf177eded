using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using MimeKit;
using Netzwerk.Directory.Demo;
using Netzwerk.Platform.Identity;
using Netzwerk.Tests.Identity;
using Netzwerk.Tests.Infrastructure;
using Npgsql;

namespace Netzwerk.Tests.Referrals.Prompts;

/// <summary>
/// Referral addresses with ordered fallbacks (issue 16): a mail the SMTP server refuses for good moves on to the next address;
/// only when none is left is the referral flagged "Partner per E-Mail nicht erreichbar".
/// </summary>
public sealed class FallbackAddressTests(PromptApp app) : IClassFixture<PromptApp>
{
    private const string Refused = "unzustellbar@schuldnerberatung-kamenz.example";
    private const string AlsoRefused = "unzustellbar@zweite-adresse.example";
    private const string Fallback = "beratung@ausweich.example";
    private static readonly Guid Service = DemoCatalogue.Services.DebtCounsellingKamenz;

    private async Task SetServiceReferralEmailAsync(string email)
    {
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand("UPDATE directory.service SET referral_email = $2 WHERE id = $1", db);
        cmd.Parameters.AddWithValue(Service);
        cmd.Parameters.AddWithValue(email);
        (await cmd.ExecuteNonQueryAsync()).ShouldBe(1);
    }

    private static Task<JsonElement> DetailWhenAsync(HttpClient fm, Guid referral, Func<JsonElement, bool> done, string what)
        => TestProcesses.EventuallyAsync(async () =>
        {
            var d = await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{referral}");
            return done(d) ? (object)d : null;
        }, what).ContinueWith(t => (JsonElement)t.Result);

    [Fact]
    public async Task A_refused_address_moves_the_mail_to_the_next_fallback_and_only_when_all_fail_is_the_partner_unreachable()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partner = await app.ClientFor("partner.schuldner");
        var coordinator = await app.ClientFor("nk.hoffmann");

        // Bad input is a German 422; other roles do not see the addresses.
        var bad = await coordinator.PutAsJsonAsync($"/api/directory/services/{Service}/referral-addresses", new { fallbacks = new[] { "keine-adresse", Fallback, Fallback } });
        bad.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var detail = (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!;
        detail.ShouldContain("„keine-adresse“ ist keine gültige E-Mail-Adresse");
        detail.ShouldContain("mehrfach");
        (await fm.GetAsync($"/api/directory/services/{Service}/referral-addresses")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        // The partner keeps its own list: first a second refused address, then one that works.
        await SetServiceReferralEmailAsync(Refused);
        var saved = await partner.PutAsJsonAsync($"/api/directory/services/{Service}/referral-addresses", new { fallbacks = new[] { AlsoRefused, Fallback } });
        saved.StatusCode.ShouldBe(HttpStatusCode.OK, await saved.Content.ReadAsStringAsync());
        (await partner.GetFromJsonAsync<JsonElement>($"/api/directory/services/{Service}/referral-addresses"))
            .GetProperty("fallbacks").EnumerateArray().Select(a => a.GetString()).ShouldBe([AlsoRefused, Fallback]);

        var (referral, _) = await PartnerPromptTests.SendAsync(app, fm);
        var delivered = await TestProcesses.EventuallyAsync(() => Task.FromResult(app.MailsTo(Fallback).FirstOrDefault(m => m.Subject.Contains("Neue Verweisung"))),
            "access-link mail at the fallback address");
        var link = Regex.Match(delivered.Body, Regex.Escape(app.BaseUrl) + "/zugang/[A-Za-z0-9_-]{43}").Value;
        link.ShouldNotBeEmpty(delivered.Body);
        var log = await DetailWhenAsync(fm, referral, d => d.GetProperty("mails").EnumerateArray().Any(m => m.GetProperty("sentAt").ValueKind == JsonValueKind.String),
            "sent-mail log");
        log.GetProperty("mails").EnumerateArray().Select(m => (m.GetProperty("recipient").GetString(), m.GetProperty("sentAt").ValueKind == JsonValueKind.String))
            .ShouldBe([(Refused, false), (AlsoRefused, false), (Fallback, true)]);
        log.GetProperty("partnerUnreachable").GetBoolean().ShouldBeFalse();

        // The re-issued link of the delivered mail opens the referral.
        var session = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(app.BaseUrl) };
        var opened = await session.GetAsync(link);
        opened.StatusCode.ShouldBe(HttpStatusCode.OK);
        opened.RequestMessage!.RequestUri!.AbsolutePath.ShouldBe($"/partner/verweisungen/{referral}");

        // No address left: flagged, and the coordinator gets the task.
        (await coordinator.PutAsJsonAsync($"/api/directory/services/{Service}/referral-addresses", new { fallbacks = new[] { AlsoRefused } }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var (second, _) = await PartnerPromptTests.SendAsync(app, fm);
        var flagged = await DetailWhenAsync(fm, second, d => d.GetProperty("partnerUnreachable").GetBoolean(), "referral flagged unreachable");
        flagged.GetProperty("mails").EnumerateArray().Select(m => m.GetProperty("recipient").GetString()).ShouldBe([Refused, AlsoRefused]);
        await TestProcesses.EventuallyAsync(async () => (await ReferralTestApp.InboxAsync(coordinator, second))
            .Any(i => i.GetProperty("kind").GetString() == "partner-unreachable") ? "" : null, "coordinator task");
    }

    [Fact]
    public async Task Coordinator_and_partner_edit_the_fallbacks_on_their_pages()
    {
        var page = await app.Browser.NewPageAsync(new Uri(app.BaseUrl), demoUser: "nk.hoffmann");
        await page.GotoAsync($"/pflege/traeger/{DemoUsers.Organizations.DebtCounsellingKamenz}");
        await page.GetByRole(AriaRole.Link, new() { Name = "Ausweichadressen für Verweisungen" }).ClickAsync();
        await page.WaitForURLAsync(u => u.Contains("/pflege/verweisungsadressen"), Browser.DomReady);
        await page.GetByLabel("Ausweichadressen", new() { Exact = false }).FillAsync("kaputt");
        await page.GetByRole(AriaRole.Button, new() { Name = "Speichern" }).ClickAsync();
        await page.WaitForSelectorAsync("#fallbacks-error");
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty("/pflege/verweisungsadressen with an error");
        await page.GetByLabel("Ausweichadressen", new() { Exact = false }).FillAsync("zentrale@schuldnerberatung-kamenz.example\nvertretung@schuldnerberatung-kamenz.example");
        await page.GetByRole(AriaRole.Button, new() { Name = "Speichern" }).ClickAsync();
        await page.WaitForSelectorAsync("[data-message]");
        (await Axe.ViolationsAsync(page)).ShouldBeEmpty("/pflege/verweisungsadressen");

        var partnerPage = await app.Browser.NewPageAsync(new Uri(app.BaseUrl), demoUser: "partner.schuldner");
        await partnerPage.GotoAsync("/partner/angebote");
        await partnerPage.GetByRole(AriaRole.Link, new() { Name = "Ausweichadressen für Verweisungen an Ihre Organisation" }).ClickAsync();
        await partnerPage.WaitForURLAsync(u => u.Contains("/pflege/verweisungsadressen"), Browser.DomReady);
        (await partnerPage.InputValueAsync("#fallbacks")).ShouldBe("zentrale@schuldnerberatung-kamenz.example\nvertretung@schuldnerberatung-kamenz.example");

        // Another organisation's addresses are not the partner's: 404.
        var other = await partnerPage.GotoAsync($"/pflege/verweisungsadressen?traeger={Guid.NewGuid()}");
        other!.Status.ShouldBe(404);
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM directory.change_history WHERE entity_id = $1 AND field = 'referralFallbackEmails'", db);
        cmd.Parameters.AddWithValue(DemoUsers.Organizations.DebtCounsellingKamenz);
        ((long)(await cmd.ExecuteScalarAsync())!).ShouldBe(1);
    }

    [Fact]
    public async Task A_bounce_piped_in_by_the_mail_server_counts_as_a_permanent_failure()
    {
        var fm = await app.ClientFor("fm.mueller");
        var coordinator = await app.ClientFor("nk.hoffmann");
        await SetServiceReferralEmailAsync(DemoCatalogue.DebtCounsellingKamenzReferralEmail);
        (await coordinator.PutAsJsonAsync($"/api/directory/services/{Service}/referral-addresses", new { fallbacks = Array.Empty<string>() }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var (referral, _) = await PartnerPromptTests.SendAsync(app, fm);
        var sent = await DetailWhenAsync(fm, referral, d => d.GetProperty("mails").EnumerateArray().Any(m => m.GetProperty("sentAt").ValueKind == JsonValueKind.String),
            "access-link mail sent");
        var mailId = sent.GetProperty("mails")[0].GetProperty("mailId").GetGuid();
        sent.GetProperty("partnerUnreachable").GetBoolean().ShouldBeFalse();

        var anonymous = new HttpClient { BaseAddress = new Uri(app.BaseUrl) };
        async Task<HttpResponseMessage> PostAsync(byte[] body, string? token)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/mail/bounces") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("message/rfc822");
            if (token is not null) request.Headers.Add("X-Bounce-Token", token);
            return await anonymous.SendAsync(request);
        }
        var bounce = Bounce(mailId);
        (await PostAsync(bounce, null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await PostAsync(bounce, "falsch")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var notADsn = await PostAsync("Subject: hallo\r\n\r\nkein Rückläufer\r\n"u8.ToArray(), "bounce-secret");
        notADsn.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await notADsn.Content.ReadAsStringAsync()).ShouldContain("RFC 3464");

        (await PostAsync(bounce, "bounce-secret")).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var flagged = await DetailWhenAsync(fm, referral, d => d.GetProperty("partnerUnreachable").GetBoolean(), "flagged after the bounce");
        flagged.GetProperty("mails")[0].GetProperty("failedAt").ValueKind.ShouldBe(JsonValueKind.String);
        (await PostAsync(bounce, "bounce-secret")).StatusCode.ShouldBe(HttpStatusCode.Accepted); // a repeated bounce changes nothing
        var tasks = await ReferralTestApp.InboxAsync(coordinator, referral);
        tasks.Count(i => i.GetProperty("kind").GetString() == "partner-unreachable").ShouldBe(1);
    }

    /// <summary>An RFC 3464 delivery status notification for one of our mails, as a mail server writes it.</summary>
    private static byte[] Bounce(Guid mailId)
    {
        var status = new MessageDeliveryStatus();
        var server = new HeaderList { { "Reporting-MTA", "dns; mx.schuldnerberatung-kamenz.example" } };
        var recipient = new HeaderList
        {
            { "Final-Recipient", "rfc822; " + DemoCatalogue.DebtCounsellingKamenzReferralEmail }, { "Action", "failed" }, { "Status", "5.1.1" },
        };
        status.StatusGroups.Add(server);
        status.StatusGroups.Add(recipient);
        var original = new MimeMessage { MessageId = $"{mailId:N}@jobcenter.example", Subject = "Neue Verweisung", Body = new TextPart("plain") { Text = "" } };
        var report = new MultipartReport("delivery-status") { new TextPart("plain") { Text = "Die Nachricht konnte nicht zugestellt werden." }, status,
            new MessagePart { Message = original } };
        var message = new MimeMessage { Subject = "Undelivered Mail Returned to Sender", Body = report };
        message.From.Add(MailboxAddress.Parse("mailer-daemon@mx.schuldnerberatung-kamenz.example"));
        message.To.Add(MailboxAddress.Parse("netzwerk@jobcenter.example"));
        using var stream = new MemoryStream();
        message.WriteTo(stream);
        return stream.ToArray();
    }
}
