using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Routes;

namespace Netzwerk.Referrals.Consents;

/// <summary>
/// The Einwilligungserklärung of one referral: what the client is asked to sign (printed) or confirm (on screen), generated
/// from the referral's draft scope. Its form number is derived from exactly that scope and the text version, so a consent
/// recorded with the number must carry the same scope — anything else is refused (<see cref="RecordConsent"/>).
/// </summary>
public static class ConsentDeclaration
{
    /// <summary>What a consent covers. Categories in the order of <see cref="DataCategories.German"/>, whatever order they came in.</summary>
    public sealed record Scope(Guid ReferralId, Guid OrganizationId, string Purpose, string[] Categories, string FeedbackLevel, DateOnly? ExpiresOn)
    {
        public Scope Canonical() => this with
        {
            Purpose = Purpose.Trim(),
            Categories = DataCategories.German.Keys.Where(Categories.Contains).ToArray(),
        };
    }

    public static string DraftPurpose(string? serviceName, string? organizationName) =>
        $"Verweisung an {serviceName ?? "den Partner"} ({organizationName ?? "Partnerorganisation"})";

    /// <summary>
    /// EW-{language}-{text version}-{German text version}-{10 hex digits of SHA-256 over scope, language and both versions}.
    /// The German version is part of it because the German text beside a translation is the binding one. No personal data in it.
    /// </summary>
    public static string FormNumber(Scope scope, string language, int version, int germanVersion)
    {
        var s = scope.Canonical();
        var canonical = string.Join('\n', s.ReferralId.ToString("N"), s.OrganizationId.ToString("N"), s.Purpose,
            string.Join(',', s.Categories), s.FeedbackLevel, s.ExpiresOn?.ToString("yyyy-MM-dd") ?? "-", language, version, germanVersion);
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..10];
        return $"EW-{language.ToUpperInvariant()}-{version}-{germanVersion}-{hash}";
    }

    /// <summary>The language and text versions a form number names; null when it is not one of ours.</summary>
    public static (string Language, int Version, int GermanVersion)? ParseFormNumber(string? formNumber)
    {
        var parts = formNumber?.Trim().ToUpperInvariant().Split('-');
        if (parts is not ["EW", var language, var version, var germanVersion, { Length: 10 } hash]) return null;
        if (ConsentTexts.Language(language.ToLowerInvariant()) is null) return null;
        if (!int.TryParse(version, out var v) || v < 1 || !int.TryParse(germanVersion, out var gv) || gv < 1) return null;
        if (language == "DE" && gv != v) return null;
        return hash.All(Uri.IsHexDigit) ? (language.ToLowerInvariant(), v, gv) : null;
    }

    /// <summary>The declaration as a page renders it: texts in the chosen language and in German (binding), and the scope.</summary>
    public sealed record View(
        Guid ReferralId, string CaseReference, ConsentLanguage Language, ConsentTexts.Version Texts, ConsentTexts.Version GermanTexts,
        string FormNumber, string Recipient, string? ServiceName, string Purpose, string[] Categories, string FeedbackLevel,
        DateOnly? ExpiresOn, bool GuardianNeeded, string? GuardianshipScope, bool Consented)
    {
        public bool Bilingual => Language.Code != ConsentTexts.German;
        public string Expiry(ConsentTexts.Version texts) => ExpiresOn is { } d
            ? string.Format(texts["expiry.until"], d.ToString("dd.MM.yyyy"))
            : texts["expiry.none"];
    }

    /// <summary>Builds the declaration of a referral the caller works on; categories, level and expiry default to its draft.</summary>
    public sealed class Builder(ReferralsDb db, ReferralAccess access, IServiceLookup services, RouteVersions routes,
        ConsentTexts.Store texts, TimeProvider clock, AuditLog audit)
    {
        public async Task<View> BuildAsync(ClaimsPrincipal principal, Guid referralId, string? language, string[]? categories,
            string? feedbackLevel, DateOnly? expiresOn, CancellationToken ct)
        {
            var referral = await access.ForCaseWorkAsync(principal, referralId, ct);
            var lang = ConsentTexts.Language(language ?? ConsentTexts.German)
                       ?? throw ReferralProblem.Field("sprache", "Diese Sprache wird nicht angeboten.");
            if (categories is { Length: > 0 } && categories.Any(c => !DataCategories.IsKnown(c)))
                throw ReferralProblem.Field("kategorien", "Unbekannte Datenkategorie.");
            if (feedbackLevel is not null && !FeedbackLevels.IsKnown(feedbackLevel))
                throw ReferralProblem.Field("rueckmeldung", "Unbekannte Rückmeldestufe.");
            if (expiresOn is { } e && (e <= clock.Today() || e > clock.Today().AddYears(RecordConsent.MaxYears)))
                throw ReferralProblem.Field("bis", $"Das Ablaufdatum muss in der Zukunft und höchstens {RecordConsent.MaxYears} Jahre entfernt liegen.");

            var consent = await db.ConsentOfAsync(referral, ct);
            var service = await services.FindAsync(referral.ServiceId, ct);
            var route = await routes.GetAsync(db, referral.RouteCategory, referral.RouteVersion, ct);
            var guardianship = await Guardianships.ActiveAsync(db, referral.CaseReference, ct);
            Scope scope;
            ConsentTexts.Version chosen, german;
            if (consent is not null)
            {
                // Once consented, the declaration is the one given: its scope and, where recorded, its text versions.
                scope = new Scope(referral.Id, consent.OrganizationId, consent.Purpose, consent.DataCategories, consent.FeedbackLevel, consent.ExpiresOn);
                if (consent is { TextLanguage: { } signedLanguage, TextVersion: { } signedVersion })
                {
                    lang = ConsentTexts.Language(signedLanguage)!;
                    chosen = (await texts.GetAsync(signedLanguage, signedVersion, ct))!;
                    german = (await texts.GetAsync(ConsentTexts.German, consent.GermanTextVersion ?? signedVersion, ct))!;
                }
                else
                {
                    chosen = (await texts.CurrentAsync(lang.Code, ct))!;
                    german = (await texts.CurrentAsync(ConsentTexts.German, ct))!;
                }
            }
            else
            {
                scope = new Scope(referral.Id, referral.OrganizationId, DraftPurpose(service?.ServiceName, service?.OrganizationName),
                    categories is { Length: > 0 } ? categories : referral.SharedCategories.Union(route.RequiredCategories).ToArray(),
                    feedbackLevel ?? referral.FeedbackLevel, expiresOn);
                chosen = await texts.CurrentAsync(lang.Code, ct) ?? throw new ReferralProblem(404, "Für diese Sprache ist kein Text hinterlegt.");
                german = (await texts.CurrentAsync(ConsentTexts.German, ct))!;
            }
            scope = scope.Canonical();
            await audit.RecordAsync(new AuditEvent("consent.declaration", "referral", referral.Id.ToString(), Detail: $"{lang.Code}/{chosen.Number}"), ct);
            return new View(referral.Id, referral.CaseReference, lang, chosen, german,
                consent?.FormNumber ?? FormNumber(scope, lang.Code, chosen.Number, german.Number),
                service?.OrganizationName ?? "Partnerorganisation", service?.ServiceName, scope.Purpose, scope.Categories, scope.FeedbackLevel,
                scope.ExpiresOn, consent?.ClientIsMinor == true || guardianship is not null, guardianship?.Scope, consent is not null);
        }
    }
}
