using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Consents;

namespace Netzwerk.Referrals.Pages.Verweisungen;

/// <summary>
/// /verweisungen/{id}/verweisungsschein: the client's slip — where to go (address, phone, opening hours), the appointment if
/// known, what the job centre shared with whom, and how to revoke; in the client's language beside German. Only with a valid
/// consent, and nothing beyond it: no reason, notes or health data, only the consented categories by name.
/// </summary>
[Authorize(Policy = Policies.CaseWork)]
public sealed class VerweisungsscheinModel(ReferralsDb db, ReferralAccess access, IServiceLookup services, ConsentTexts.Store texts,
    AuditLog audit, TimeProvider clock) : PageModel
{
    public Guid Id { get; private set; }
    public string? Refusal { get; private set; }
    public ServiceContactCard? Card { get; private set; }
    public DateTimeOffset? AppointmentAt { get; private set; }
    public string[] SharedCategories { get; private set; } = [];
    public ConsentLanguage Language { get; private set; } = ConsentTexts.Languages[0];
    public ConsentTexts.Version Texts { get; private set; } = null!;
    public ConsentTexts.Version GermanTexts { get; private set; } = null!;
    public DateOnly Today => DateOnly.FromDateTime(Ui.Local(clock.GetUtcNow()).DateTime);

    public static readonly string[] Weekdays = ["", "Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"];

    public async Task<IActionResult> OnGetAsync(Guid id, string? sprache, CancellationToken ct)
    {
        Id = id;
        Referral referral;
        try { referral = await access.ForCaseWorkAsync(User, id, ct); }
        catch (ReferralProblem p) when (p.Status == 404) { return NotFound(); }
        var consent = await db.ConsentOfAsync(referral, ct);
        if (consent is null || consent.RevokedAt is not null || consent.ExpiresOn < Today)
        {
            Refusal = "Einen Verweisungsschein gibt es nur mit einer gültigen Einwilligung: Er nennt, was mit ihr geteilt wurde.";
            return Page();
        }
        Language = ConsentTexts.Language(sprache ?? consent.TextLanguage ?? ConsentTexts.German) ?? ConsentTexts.Languages[0];
        Texts = (await texts.CurrentAsync(Language.Code, ct))!;
        GermanTexts = (await texts.CurrentAsync(ConsentTexts.German, ct))!;
        Card = await services.ContactCardAsync(referral.ServiceId, ct);
        AppointmentAt = referral.Workflow?.AppointmentAt;
        // what left the job centre: the referral's shared categories, as far as the consent covers them
        SharedCategories = DataCategories.German.Keys.Where(c => referral.SharedCategories.Contains(c) && consent.DataCategories.Contains(c)).ToArray();
        await audit.RecordAsync(new Netzwerk.Platform.Audit.AuditEvent("consent.slip", "referral", referral.Id.ToString(), Detail: Language.Code), ct);
        return Page();
    }
}
