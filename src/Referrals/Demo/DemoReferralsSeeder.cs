using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Netzwerk.Directory.Demo;
using Netzwerk.Platform;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Consents;
using Netzwerk.Referrals.Create;
using Netzwerk.Referrals.Send;

namespace Netzwerk.Referrals.Demo;

/// <summary>
/// A few referrals for the demo (deploy/run.sh sets <c>Demo:SeedReferrals</c>), made through the same handlers
/// a Fallmanager uses, so lists, the partner inbox and the figures have something to show. Tests leave it off:
/// they count referrals themselves.
/// </summary>
public sealed class DemoReferralsSeeder(
    IConfiguration configuration, ReferralsDb db,
    CreateReferral.Handler create, RecordConsent.Handler consent, SendReferral.Handler send) : IDemoDataSeeder
{
    public int Order => 50; // after the catalogue

    private sealed record Demo(string CaseManager, string CaseReference, Guid ServiceId, string Reason, bool Send);

    private static readonly Demo[] Referrals =
    [
        new("fm.mueller", "BG-40211-03", DemoCatalogue.Services.DebtCounsellingKamenz, "Mietschulden und Pfändung; Haushaltsplan erstellen.", true),
        new("fm.mueller", "BG-40377-01", DemoCatalogue.Services.DebtCounsellingKamenz, "Überschuldung nach Trennung, Kontopfändung.", true),
        new("fm.mueller", "BG-40590-02", DemoCatalogue.Services.AddictionCounsellingBautzen, "Alkoholkonsum gefährdet die Arbeitsaufnahme.", true),
        new("fm.schmidt", "BG-41102-01", DemoCatalogue.Services.InsolvencyCounsellingKamenz, "Verbraucherinsolvenz vorbereiten.", true),
        new("fm.schmidt", "BG-41230-04", DemoCatalogue.Services.AddictionCounsellingBautzen, "Cannabiskonsum, Termin zur Erstberatung.", false),
    ];

    public async Task SeedAsync(CancellationToken ct)
    {
        if (!configuration.GetValue<bool>("Demo:SeedReferrals") || await db.Referrals.AnyAsync(ct)) return;
        foreach (var demo in Referrals)
        {
            var fm = Principal(demo.CaseManager);
            var categories = new[] { DataCategories.Contact, DataCategories.Reason };
            var referral = await create.HandleAsync(fm, new CreateReferral.Request(
                demo.CaseReference, demo.ServiceId, demo.Reason, "normal", categories,
                "Telefon 03578 000000 (Demo)", null, "Schulden regulieren, Arbeitsaufnahme sichern", null), ct);
            await consent.HandleAsync(fm, referral.Id, new RecordConsent.Request(
                "Beratung und Rückmeldung zur Teilnahme", categories, FeedbackLevels.Attendance, "signed-paper",
                DateOnly.FromDateTime(DateTime.Today), null, false, null, null), ct);
            if (demo.Send) await send.HandleAsync(fm, referral.Id, ct);
        }
    }

    private static ClaimsPrincipal Principal(string userName) =>
        new(new ClaimsIdentity(DemoTokens.Claims(DemoUsers.Find(userName)!), "demo-seed", NetzwerkClaims.Name, NetzwerkClaims.Role));
}
