using System.Net.Http.Json;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Npgsql;

namespace Netzwerk.Tests.Identity.PartnerLinks;

/// <summary>
/// Mail through MailKit to the real test SMTP server, from the outbox: a mail that cannot be sent waits, visible to
/// administrators, and goes out once the server is back — once, not twice.
/// </summary>
public sealed class MailDeliveryTests(PartnerLinkApp app) : IClassFixture<PartnerLinkApp>
{
    private static readonly Guid Organization = DemoUsers.Organizations.DebtCounsellingKamenz;

    private async Task<Guid> SendReferralAsync()
    {
        var service = Guid.NewGuid();
        await app.Services.GetRequiredService<IBus>().Publish(
            new ReferralSentToPartner(Guid.NewGuid(), Organization, service, "fm.mueller", DateTimeOffset.UtcNow));
        return service;
    }

    private Task<ReceivedMail> MailAsync(Guid service)
        => TestProcesses.EventuallyAsync(() => Task.FromResult(app.MailsTo(PartnerLinkApp.ReferralEmailFor(service)).FirstOrDefault()), "mail");

    [Fact]
    public async Task A_mail_goes_out_through_MailKit_with_its_outbox_id_as_Message_ID_and_its_body_is_then_cleared()
    {
        var service = await SendReferralAsync();
        var mail = await MailAsync(service);

        var id = (await app.ScalarAsync<Guid>("SELECT id FROM platform.mail_outbox WHERE recipient = $1", PartnerLinkApp.ReferralEmailFor(service)));
        mail.Raw.ShouldContain($"Message-Id: <{id:N}@jobcenter-test.example>", Case.Insensitive);
        await TestProcesses.EventuallyAsync(async () => await app.ScalarAsync<DateTime?>(
            "SELECT sent_at FROM platform.mail_outbox WHERE id = $1 AND body IS NULL", id) is { } at ? (object)at : null, "marked sent");
    }

    [Fact]
    public async Task While_the_mail_server_is_down_mails_wait_visibly_and_each_arrives_exactly_once_when_it_is_back()
    {
        var admin = await app.ClientFor("admin");
        var addresses = new List<string>();
        app.StopSmtp();
        try
        {
            for (var i = 0; i < 3; i++) addresses.Add(PartnerLinkApp.ReferralEmailFor(await SendReferralAsync()));

            // Tried, failed, waiting, and shown to administrators (without the recipient's mailbox or the body).
            await TestProcesses.EventuallyAsync(async () => await app.ScalarAsync<long>(
                "SELECT count(*) FROM platform.mail_outbox WHERE recipient = ANY($1) AND sent_at IS NULL AND attempts >= 2 AND last_error IS NOT NULL",
                new object[] { addresses.ToArray() }) == 3 ? "" : null, "failed attempts", seconds: 30);
            var pending = await admin.GetFromJsonAsync<JsonElement>("/api/admin/mails");
            var shown = pending.EnumerateArray().Where(m => m.GetProperty("kind").GetString() == "partner-access-link").ToList();
            shown.Count.ShouldBeGreaterThanOrEqualTo(3);
            shown.ShouldAllBe(m => m.GetProperty("recipientDomain").GetString() == "schuldnerberatung.example");
            pending.GetRawText().ShouldNotContain("eingang-");
            app.MailsTo(addresses[0]).ShouldBeEmpty();
        }
        finally
        {
            await app.StartSmtpAsync();
        }

        await TestProcesses.EventuallyAsync(async () => await app.ScalarAsync<long>(
            "SELECT count(*) FROM platform.mail_outbox WHERE sent_at IS NULL") == 0 ? "" : null, "outbox empty", seconds: 30);
        await Task.Delay(TimeSpan.FromSeconds(2)); // time for a duplicate, if there were one
        foreach (var address in addresses) app.MailsTo(address).Count.ShouldBe(1);
        (await admin.GetFromJsonAsync<JsonElement>("/api/admin/mails")).GetArrayLength().ShouldBe(0);
    }
}
