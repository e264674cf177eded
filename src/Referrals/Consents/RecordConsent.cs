using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;

namespace Netzwerk.Referrals.Consents;

/// <summary>
/// The Fallmanager records the client's consent for a drafted referral: recipient (the referral's partner
/// organisation), purpose, data categories, what may flow back, form, date, optional expiry, optional
/// evidence scan and, for minors, the guardian.
/// </summary>
public static class RecordConsent
{
    public const int MaxEvidenceBytes = 5 * 1024 * 1024;
    /// <summary>How far back a consent's date and how far ahead its expiry may lie.</summary>
    public const int MaxYears = 10;

    public sealed record Request(
        string? Purpose, string[]? DataCategories, string? FeedbackLevel, string? Form, DateOnly? GivenOn,
        DateOnly? ExpiresOn, bool ClientIsMinor, string? GuardianName, string? EvidenceBase64,
        string? FormNumber = null, string? ConfirmedName = null);

    public sealed record Response(Guid ConsentId, Guid ReferralId, string[] DataCategories, string FeedbackLevel, DateOnly? ExpiresOn,
        string? EvidenceContentType, string? FormNumber = null, string? TextLanguage = null, int? TextVersion = null);

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator(TimeProvider clock)
        {
            RuleFor(x => x.Purpose).NotEmpty().WithMessage("Bitte geben Sie den Zweck der Einwilligung an.")
                .MaximumLength(500).WithMessage("Der Zweck darf höchstens 500 Zeichen lang sein.");
            RuleFor(x => x.DataCategories).NotEmpty().WithMessage("Bitte wählen Sie die Datenkategorien der Einwilligung (keine Pauschaleinwilligung).");
            RuleForEach(x => x.DataCategories).Must(c => c is not null && Referrals.DataCategories.IsKnown(c)).WithMessage("Unbekannte Datenkategorie.");
            RuleFor(x => x.FeedbackLevel).Must(l => l is not null && FeedbackLevels.IsKnown(l))
                .WithMessage("Bitte wählen Sie, was zurückgemeldet werden darf („attendance“, „outcome“ oder „full“).");
            RuleFor(x => x.Form).Must(f => f is not null && ConsentForms.German.ContainsKey(f))
                .WithMessage("Die Form muss „signed-paper“, „in-person“ oder „digital“ sein.");
            RuleFor(x => x.GivenOn).NotNull().WithMessage("Bitte geben Sie das Datum der Einwilligung an.")
                .LessThanOrEqualTo(_ => clock.Today()).WithMessage("Das Datum der Einwilligung darf nicht in der Zukunft liegen.")
                .GreaterThanOrEqualTo(_ => clock.Today().AddYears(-MaxYears)).WithMessage($"Eine Einwilligung, die älter als {MaxYears} Jahre ist, kann nicht erfasst werden.");
            RuleFor(x => x.ExpiresOn).GreaterThan(_ => clock.Today()).When(x => x.ExpiresOn is not null)
                .WithMessage("Das Ablaufdatum muss in der Zukunft liegen.")
                // Deadlines are counted from the expiry: a year 9999 would overflow them.
                .LessThanOrEqualTo(_ => clock.Today().AddYears(MaxYears)).When(x => x.ExpiresOn is not null)
                .WithMessage($"Das Ablaufdatum darf höchstens {MaxYears} Jahre in der Zukunft liegen.");
            RuleFor(x => x.GuardianName).NotEmpty().When(x => x.ClientIsMinor)
                .WithMessage("Bei Minderjährigen ist die Einwilligung der oder des Sorgeberechtigten erforderlich.");
            RuleFor(x => x.GuardianName).MaximumLength(200).WithMessage("Der Name der oder des Sorgeberechtigten darf höchstens 200 Zeichen lang sein.");
            RuleFor(x => x.FormNumber).NotEmpty().When(x => x.Form == "digital")
                .WithMessage("Eine digitale Einwilligung wird auf der Bildschirmfassung der Erklärung erteilt (Formular-Nr. fehlt).");
            RuleFor(x => x.FormNumber).Must(n => ConsentDeclaration.ParseFormNumber(n) is not null).When(x => !string.IsNullOrWhiteSpace(x.FormNumber))
                .WithMessage("Die Formular-Nummer ist nicht lesbar (Beispiel: EW-DE-1-1-3F9A0C12BE).");
            RuleFor(x => x.ConfirmedName).NotEmpty().When(x => x.Form == "digital")
                .WithMessage("Bei einer digitalen Einwilligung bestätigt die Person mit ihrem Namen.");
            RuleFor(x => x.ConfirmedName).MaximumLength(200).WithMessage("Der Name darf höchstens 200 Zeichen lang sein.");
            RuleFor(x => x.EvidenceBase64).MaximumLength((MaxEvidenceBytes + 2) / 3 * 4)
                .WithMessage("Der Nachweis darf höchstens 5 MB groß sein.");
        }
    }

    /// <summary>PDF, PNG or JPEG by their first bytes, never by a name or a declared type.</summary>
    public static string? SniffEvidenceType(byte[] bytes) => bytes switch
    {
        [0x25, 0x50, 0x44, 0x46, 0x2D, ..] => "application/pdf",
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        _ => null,
    };

    public sealed class Handler(ReferralsDb db, ReferralAccess access, ReferralWorkflow workflow, ConsentTexts.Store texts, TimeProvider clock, AuditLog audit)
    {
        // Built once per clock: building the rules (expression trees) on every request showed in the profile.
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<TimeProvider, Validator> Validators = new();

        public async Task<Response> HandleAsync(ClaimsPrincipal principal, Guid referralId, Request request, CancellationToken ct = default)
        {
            var referral = await access.ForResponsibleAsync(principal, referralId, ct);
            var check = Validators.GetValue(clock, c => new Validator(c)).Validate(request);
            if (!check.IsValid) throw ReferralProblem.Invalid(check);
            // A consent is what sending needs: it is recorded while the machine still allows sending.
            if (!workflow.Machine.AllowedEvents(referral.Workflow!.CurrentState).Contains(ReferralStateMachine.EventNames.Sent))
                throw ReferralProblem.Conflict("Eine Einwilligung wird vor dem Senden erfasst; diese Verweisung ist kein Entwurf mehr.");

            byte[]? evidence = null;
            string? evidenceType = null;
            if (!string.IsNullOrEmpty(request.EvidenceBase64))
            {
                try { evidence = Convert.FromBase64String(request.EvidenceBase64); }
                catch (FormatException)
                {
                    throw ReferralProblem.Unprocessable("Der Nachweis ist nicht lesbar (Base64 erwartet).",
                        new Dictionary<string, string[]> { ["evidenceBase64"] = ["Keine gültige Base64-Kodierung."] });
                }
                evidenceType = SniffEvidenceType(evidence);
                if (evidence.Length > MaxEvidenceBytes || evidenceType is null)
                    throw ReferralProblem.Unprocessable("Als Nachweis sind nur PDF-, PNG- oder JPEG-Dateien bis 5 MB erlaubt.",
                        new Dictionary<string, string[]> { ["evidenceBase64"] = ["Nur PDF, PNG oder JPEG bis 5 MB."] });
            }

            var guardianship = await Guardianships.ActiveAsync(db, referral.CaseReference, ct);
            if (guardianship is not null && string.IsNullOrWhiteSpace(request.GuardianName))
                throw ReferralProblem.Field("guardianName",
                    $"Für die Person ist eine rechtliche Betreuung erfasst (Aufgabenkreis: {guardianship.Scope}). Bitte erfassen Sie auch die Einwilligung der Betreuerin oder des Betreuers.");
            var declared = await CheckDeclarationAsync(referral, request, ct);

            var user = principal.CurrentUser();
            var consent = new Referrals.Consent
            {
                Id = Guid.CreateVersion7(),
                CaseReference = referral.CaseReference,
                OrganizationId = referral.OrganizationId,
                Purpose = request.Purpose!.Trim(),
                DataCategories = request.DataCategories!.Distinct().ToArray(),
                FeedbackLevel = request.FeedbackLevel!,
                Form = request.Form!,
                GivenOn = request.GivenOn!.Value,
                ExpiresOn = request.ExpiresOn,
                ClientIsMinor = request.ClientIsMinor,
                GuardianName = request.GuardianName?.Trim(),
                EvidenceContentType = evidenceType,
                FormNumber = declared?.FormNumber,
                TextLanguage = declared?.Language,
                TextVersion = declared?.Version,
                GermanTextVersion = declared?.GermanVersion,
                ConfirmedName = string.IsNullOrWhiteSpace(request.ConfirmedName) ? null : request.ConfirmedName.Trim(),
                UnderGuardianship = guardianship is not null,
                RecordedBy = user.Id,
                RecordedAt = clock.GetUtcNow(),
            };
            referral.Consent = consent;
            referral.ConsentId = consent.Id;
            referral.FeedbackLevel = consent.FeedbackLevel;
            referral.UpdatedAt = clock.GetUtcNow();
            workflow.Record(referral, ReferralWorkflow.ConsentRecorded, Actor.Of(user));
            // The consent and the history entry go with the referral's row, which is guarded against a concurrent change
            // (e.g. a send at the same moment: the send and this consent must not interleave).
            if (evidence is null) await workflow.SaveAsync(referral, referral.Workflow!, ct, newConsent: consent);
            else
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await workflow.SaveAsync(referral, referral.Workflow!, ct, newConsent: consent);
                await db.Database.ExecuteSqlAsync($"UPDATE referrals.consents SET evidence = {evidence} WHERE id = {consent.Id}", ct);
                await tx.CommitAsync(ct);
            }
            await audit.RecordAsync(new AuditEvent("consent.record", "consent", consent.Id.ToString(), Detail: $"referral {referral.Id}"), ct);
            return new Response(consent.Id, referral.Id, consent.DataCategories, consent.FeedbackLevel, consent.ExpiresOn, evidenceType,
                consent.FormNumber, consent.TextLanguage, consent.TextVersion);
        }

        private sealed record Declared(string FormNumber, string Language, int Version, int GermanVersion);

        /// <summary>
        /// A consent recorded with a form number must cover exactly what that declaration printed (or showed): the number is
        /// derived from the scope and the text versions, so it is recomputed from what is being recorded and compared.
        /// </summary>
        private async Task<Declared?> CheckDeclarationAsync(Referral referral, Request request, CancellationToken ct)
        {
            if (string.IsNullOrWhiteSpace(request.FormNumber)) return null;
            var (language, version, germanVersion) = ConsentDeclaration.ParseFormNumber(request.FormNumber)!.Value;
            if (await texts.GetAsync(language, version, ct) is null || await texts.GetAsync(ConsentTexts.German, germanVersion, ct) is null)
                throw ReferralProblem.Unprocessable("Zu dieser Formular-Nummer gibt es keine Textfassung.",
                    new Dictionary<string, string[]> { ["formNumber"] = ["Unbekannte Textfassung."] });
            var scope = new ConsentDeclaration.Scope(referral.Id, referral.OrganizationId, request.Purpose!, request.DataCategories!,
                request.FeedbackLevel!, request.ExpiresOn);
            var expected = ConsentDeclaration.FormNumber(scope, language, version, germanVersion);
            var given = request.FormNumber.Trim().ToUpperInvariant();
            if (expected != given)
                throw ReferralProblem.Unprocessable(
                    $"Die Angaben entsprechen nicht der Erklärung mit der Formular-Nr. {given}: Zweck, Datenkategorien, Rückmeldung und Gültigkeit "
                    + "müssen genau so erfasst werden, wie sie auf der Erklärung stehen. Andernfalls drucken Sie eine neue Erklärung.",
                    new Dictionary<string, string[]> { ["formNumber"] = ["Die Erklärung mit dieser Nummer hat einen anderen Umfang."] });
            return new Declared(expected, language, version, germanVersion);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id:guid}/consent", async (Guid id, Request request, ClaimsPrincipal user, Handler handler, CancellationToken ct) =>
                Results.Ok(await handler.HandleAsync(user, id, request, ct)))
            .WithSummary("Einwilligung der Person für diese Verweisung erfassen")
            .Produces<Response>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}
