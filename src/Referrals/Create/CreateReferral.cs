using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Routes;
using Netzwerk.Referrals.Lifecycle;

namespace Netzwerk.Referrals.Create;

/// <summary>A Fallmanager drafts a referral of a client (pseudonymous case reference) to a catalogue service.</summary>
public static class CreateReferral
{
    public sealed record Request(
        string? CaseReference, Guid ServiceId, string? Reason, string? Urgency, string[]? SharedCategories,
        string? ContactDetails, string? HealthInformation, string? CooperationPlanGoal, string? Note,
        Dictionary<string, string?>? IntakeAnswers = null);

    public sealed record Response(Guid Id, string Status, string RouteCategory, int RouteVersion, string FeedbackLevel);

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(x => x.CaseReference).NotEmpty().WithMessage("Bitte geben Sie das Aktenzeichen (Fallnummer) an.")
                .MaximumLength(40).WithMessage("Das Aktenzeichen darf höchstens 40 Zeichen lang sein.")
                .Matches("^[A-Za-z0-9][A-Za-z0-9./-]*$").WithMessage("Das Aktenzeichen darf nur Buchstaben, Ziffern, Punkt, Schräg- und Bindestrich enthalten (keine Namen).");
            RuleFor(x => x.ServiceId).NotEmpty().WithMessage("Bitte wählen Sie ein Angebot aus.");
            RuleFor(x => x.Reason).NotEmpty().WithMessage("Bitte geben Sie den Anlass der Verweisung an.")
                .MaximumLength(2000).WithMessage("Der Anlass darf höchstens 2000 Zeichen lang sein.");
            RuleFor(x => x.Urgency).Must(u => u is null || Urgencies.German.ContainsKey(u))
                .WithMessage("Die Dringlichkeit muss „normal“, „soon“ oder „urgent“ sein.");
            RuleFor(x => x.SharedCategories).NotEmpty().WithMessage("Bitte wählen Sie die Datenkategorien, die weitergegeben werden.");
            RuleForEach(x => x.SharedCategories).Must(c => c is not null && DataCategories.IsKnown(c))
                .WithMessage("Unbekannte Datenkategorie.");
            RuleFor(x => x.ContactDetails).MaximumLength(500).WithMessage("Die Kontaktdaten dürfen höchstens 500 Zeichen lang sein.");
            RuleFor(x => x.HealthInformation).MaximumLength(2000).WithMessage("Die Gesundheitsangaben dürfen höchstens 2000 Zeichen lang sein.");
            RuleFor(x => x.CooperationPlanGoal).MaximumLength(500).WithMessage("Das Ziel aus dem Kooperationsplan darf höchstens 500 Zeichen lang sein.");
            RuleFor(x => x.Note).MaximumLength(2000).WithMessage("Die Notiz darf höchstens 2000 Zeichen lang sein.");
            RuleFor(x => x.ContactDetails).NotEmpty().When(x => x.SharedCategories?.Contains(DataCategories.Contact) == true)
                .WithMessage("Bitte geben Sie die Kontaktdaten an oder geben Sie die Kategorie Kontaktdaten nicht frei.");
            RuleFor(x => x.HealthInformation).Empty().When(x => x.SharedCategories?.Contains(DataCategories.HealthAddiction) != true)
                .WithMessage("Gesundheits- und Suchtinformationen nur mit freigegebener Kategorie (Art. 9 DSGVO) erfassen.");
        }
    }

    public sealed class Handler(ReferralsDb db, ReferralWorkflow workflow, IServiceLookup services, AuditLog audit)
    {
        // Built once: building the rules (expression trees) on every request showed in the profile.
        private static readonly Validator Rules = new();

        public async Task<Response> HandleAsync(ClaimsPrincipal principal, Request request, CancellationToken ct = default)
        {
            var user = principal.CurrentUser();
            if (user.Role != Roles.CaseManager)
                throw ReferralProblem.Forbidden("Nur Fallmanagerinnen und Fallmanager legen Verweisungen an.");
            var check = Rules.Validate(request);
            var service = request.ServiceId == Guid.Empty ? null : await services.FindAsync(request.ServiceId, ct);
            if (!check.IsValid && service is null) throw ReferralProblem.Invalid(check);
            if (service is null)
                throw ReferralProblem.Unprocessable("Das gewählte Angebot gibt es im Katalog nicht.",
                    new Dictionary<string, string[]> { ["serviceId"] = ["Unbekanntes Angebot."] });
            var route = await RouteCatalogue.CurrentForAsync(db, service, ct);
            // The answers depend on the route's questions: checked once the route is known, reported with the other fields.
            var errors = check.IsValid ? new Dictionary<string, string[]>() : new Dictionary<string, string[]>(ReferralProblem.Invalid(check).Errors!);
            foreach (var (field, messages) in IntakeAnswers.Check(route, request.IntakeAnswers)) errors[field] = messages;
            if (errors.Count > 0) throw new ReferralProblem(StatusCodes.Status400BadRequest, "Bitte prüfen Sie die markierten Felder.", errors);

            var referral = new Referral
            {
                Id = Guid.CreateVersion7(),
                CaseReference = request.CaseReference!.Trim(),
                ServiceId = service.ServiceId,
                OrganizationId = service.OrganizationId,
                CaseManagerId = user.Id,
                Team = user.Team,
                Reason = request.Reason!.Trim(),
                ContactDetails = request.ContactDetails?.Trim(),
                HealthInformation = request.HealthInformation?.Trim(),
                Urgency = request.Urgency ?? "normal",
                SharedCategories = request.SharedCategories!.Distinct().ToArray(),
                CooperationPlanGoal = request.CooperationPlanGoal?.Trim(),
                Note = request.Note?.Trim(),
                RouteCategory = route.CategoryCode,
                RouteVersion = route.Version,
                FeedbackLevel = route.DefaultFeedbackLevel,
                CreatedAt = workflow.Now,
                IntakeAnswers = IntakeAnswers.Write(IntakeAnswers.Take(route, request.IntakeAnswers)),
            };
            var state = await workflow.StartAsync(referral, Actor.Of(user), ct);
            await using (var tx = await db.Database.BeginTransactionAsync(ct))
            {
                await workflow.SaveAsync(referral, state, ct); // the new row carries the intake answers
                await RouteCatalogue.MarkUsedAsync(db, route, referral.CreatedAt, ct);
                await tx.CommitAsync(ct);
            }
            await audit.RecordAsync(new AuditEvent("referral.create", "referral", referral.Id.ToString()), ct);
            return new Response(referral.Id, referral.Status, referral.RouteCategory, referral.RouteVersion, referral.FeedbackLevel);
        }
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/", async (Request request, ClaimsPrincipal user, Handler handler, CancellationToken ct) =>
            {
                var created = await handler.HandleAsync(user, request, ct);
                return Results.Created($"/api/referrals/{created.Id}", created);
            })
            .WithName("CreateReferral")
            .WithSummary("Verweisung anlegen (Entwurf)")
            .Produces<Response>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}
