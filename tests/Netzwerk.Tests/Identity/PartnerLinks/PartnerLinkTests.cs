using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Npgsql;

namespace Netzwerk.Tests.Identity.PartnerLinks;

/// <summary>
/// Partner access without an account, end to end: message on the real RabbitMQ → link mailed through a real SMTP
/// server → opened in Chromium → scoped partner session → revoked by PartnerAccessEnded → link and session dead.
/// </summary>
public sealed class PartnerLinkTests(PartnerLinkApp app) : IClassFixture<PartnerLinkApp>
{
    private static readonly Guid Organization = DemoUsers.Organizations.DebtCounsellingKamenz;

    private async Task PublishAsync<T>(T message) where T : class
        => await app.Services.GetRequiredService<IBus>().Publish(message);

    private Task<ReceivedMail> MailAsync(Guid serviceId)
        => TestProcesses.EventuallyAsync(() => Task.FromResult(app.MailsTo(PartnerLinkApp.ReferralEmailFor(serviceId)).FirstOrDefault()),
            "access link mail");

    private string TokenFrom(ReceivedMail mail)
    {
        var match = Regex.Match(mail.Body, Regex.Escape(app.BaseUrl) + "/zugang/([A-Za-z0-9_-]+)");
        match.Success.ShouldBeTrue($"no link in: {mail.Body}");
        return match.Groups[1].Value;
    }

    private async Task<IPage> NewPageAsync()
    {
        var context = await app.Browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, Locale = "de-DE" });
        return await context.NewPageAsync();
    }

    private async Task<(Guid Referral, Guid Service, string Token, ReceivedMail Mail)> SendReferralAsync(string caseManager = "fm.mueller")
    {
        var referral = Guid.NewGuid();
        var service = Guid.NewGuid();
        await PublishAsync(new ReferralSentToPartner(referral, Organization, service, caseManager, DateTimeOffset.UtcNow));
        var mail = await MailAsync(service);
        return (referral, service, TokenFrom(mail), mail);
    }

    [Fact]
    public async Task Mailed_link_opens_a_scoped_partner_session_and_dies_when_partner_access_ends()
    {
        var referral = Guid.NewGuid();
        var service = Guid.NewGuid();
        var message = new ReferralSentToPartner(referral, Organization, service, "fm.mueller", DateTimeOffset.UtcNow);
        // At-least-once delivery: the same message twice.
        await PublishAsync(message);
        await PublishAsync(message);
        var mail = await MailAsync(service);

        // The mail: partner's name, a neutral reference and the link; nothing about the client or the case.
        mail.Subject.ShouldContain("Neue Verweisung");
        mail.Body.ShouldContain("Schuldner- und Insolvenzberatung Kamenz");
        var reference = Regex.Match(mail.Body, @"NZ-[A-Z0-9]{4}-[A-Z0-9]{4}").Value;
        reference.ShouldNotBeEmpty();
        var token = TokenFrom(mail);
        Base64Url(token).Length.ShouldBeGreaterThanOrEqualTo(32); // ≥ 256 bits
        foreach (var secret in new[] { referral.ToString(), referral.ToString("N"), service.ToString(), "fm.mueller", "Müller" })
            mail.Raw.ShouldNotContain(secret, Case.Insensitive);

        // Only the hash is stored; the token appears nowhere in the database.
        (await app.ScalarAsync<long>("SELECT count(*) FROM referrals.partner_access_links WHERE referral_id = $1", referral)).ShouldBe(1);
        (await app.ScalarAsync<byte[]>("SELECT token_hash FROM referrals.partner_access_links WHERE referral_id = $1", referral))
            .ShouldBe(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.audit_entries WHERE detail LIKE $1 OR object_id LIKE $1", $"%{token}%")).ShouldBe(0);

        // A later referral's mail has arrived, so the duplicate (queued before it) has been handled: still one mail.
        var later = await SendReferralAsync();
        later.Mail.ShouldNotBeNull();
        app.MailsTo(PartnerLinkApp.ReferralEmailFor(service)).Count.ShouldBe(1);

        // The partner opens the link in the browser.
        var page = await NewPageAsync();
        await page.GotoAsync($"{app.BaseUrl}/zugang/{token}");
        new Uri(page.Url).AbsolutePath.ShouldBe($"/partner/verweisungen/{referral}");
        var me = await MeAsync(page);
        me.ShouldNotBeNull();
        me.Value.GetProperty("role").GetString().ShouldBe(Roles.Partner);
        me.Value.GetProperty("organizationId").GetGuid().ShouldBe(Organization);
        me.Value.GetProperty("referralScope").GetGuid().ShouldBe(referral);
        var session = (await page.Context.CookiesAsync()).Single(c => c.Name == "netzwerk.session");
        session.HttpOnly.ShouldBeTrue();

        // Single-purpose: nothing but this one referral.
        (await page.APIRequest.GetAsync("/api/absences")).Status.ShouldBe(403);
        (await page.APIRequest.GetAsync($"/api/referrals/{later.Referral}")).Status.ShouldBe(403);
        await page.GotoAsync("/partner/angebote");
        new Uri(page.Url).AbsolutePath.ShouldBe("/zugriff-verweigert");

        // Consent revoked → PartnerAccessEnded → link revoked; the open session ends too.
        await PublishAsync(new PartnerAccessEnded(referral, Organization, "consent-revoked", DateTimeOffset.UtcNow));
        await TestProcesses.EventuallyAsync(async () =>
            await app.ScalarAsync<DateTime?>("SELECT revoked_at FROM referrals.partner_access_links WHERE referral_id = $1", referral) is { } at ? (object)at : null,
            "link revoked");
        (await MeAsync(page)).ShouldBeNull();
        var fresh = await NewPageAsync();
        await fresh.GotoAsync($"{app.BaseUrl}/zugang/{token}");
        new Uri(fresh.Url).AbsolutePath.ShouldBe("/zugang-ungueltig");
        (await fresh.TextContentAsync("h1"))!.ShouldContain("gilt nicht mehr");
        (await MeAsync(fresh)).ShouldBeNull();

        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.audit_entries WHERE action = 'revoke' AND object_type = 'partner-link' AND object_id = $1",
            referral.ToString())).ShouldBe(1);
        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.audit_entries WHERE action = 'sign-in' AND object_type = 'partner-link' AND outcome = 'ok' AND detail = $1",
            $"referral={referral}")).ShouldBe(1);
    }

    [Fact]
    public async Task Forged_and_expired_links_do_not_open_anything()
    {
        var (referral, _, token, _) = await SendReferralAsync();
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };

        var forged = token[..^2] + (token[^2] == 'A' ? "BB" : "AA");
        (await http.GetAsync($"/zugang/{forged}")).Headers.Location!.ToString().ShouldBe("/zugang-ungueltig");
        (await http.GetAsync("/zugang/kurz")).Headers.Location!.ToString().ShouldBe("/zugang-ungueltig");

        await using (var db = await app.OpenDatabaseAsync())
        await using (var expire = new NpgsqlCommand("UPDATE referrals.partner_access_links SET expires_at = now() - interval '1 minute' WHERE referral_id = $1", db))
        {
            expire.Parameters.AddWithValue(referral);
            await expire.ExecuteNonQueryAsync();
        }
        var expired = await http.GetAsync($"/zugang/{token}");
        expired.Headers.Location!.ToString().ShouldBe("/zugang-ungueltig");
        expired.Headers.TryGetValues("Set-Cookie", out var cookies);
        (cookies ?? []).ShouldNotContain(c => c.StartsWith("netzwerk.session="));
    }

    [Fact]
    public async Task Responsible_fallmanager_revokes_a_link_others_cannot()
    {
        var (referral, _, token, _) = await SendReferralAsync(caseManager: "fm.mueller");
        var url = $"/api/referrals/{referral}/access-links/revoke";
        (await (await app.ClientFor("fm.yilmaz")).PostAsync(url, null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await (await app.ClientFor("partner.schuldner")).PostAsync(url, null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await app.ClientFor("ds.becker")).PostAsync(url, null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await (await app.ClientFor("fm.mueller")).PostAsync($"/api/referrals/{Guid.NewGuid()}/access-links/revoke", null))
            .StatusCode.ShouldBe(HttpStatusCode.NotFound);

        var revoke = await (await app.ClientFor("fm.mueller")).PostAsync(url, null);
        revoke.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await revoke.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("revoked").GetInt32().ShouldBe(1);

        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(app.BaseUrl) };
        (await http.GetAsync($"/zugang/{token}")).Headers.Location!.ToString().ShouldBe("/zugang-ungueltig");
    }

    private static async Task<JsonElement?> MeAsync(IPage page)
    {
        var response = await page.APIRequest.GetAsync("/api/me");
        return response.Status == 200 ? JsonDocument.Parse(await response.TextAsync()).RootElement : null;
    }

    private static byte[] Base64Url(string s)
    {
        s = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(s.PadRight(s.Length + (4 - s.Length % 4) % 4, '='));
    }
}
