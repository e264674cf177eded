using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Routes;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Lifecycle.Contracts;

namespace Netzwerk.Referrals.Send;

/// <summary>
/// Sends a drafted referral to the partner — only with a valid consent that covers what is shared. Where the route asks
/// for the Teamleitung's approval, it goes to the Teamleitung first (<see cref="ApproveReferral"/>).
/// </summary>
public static class SendReferral
{
    /// <param name="ResponseDueAt">The partner's response deadline; none while the referral waits for the Teamleitung.</param>
    public sealed record Response(Guid Id, string Status, DateTimeOffset SentAt, DateTimeOffset? ResponseDueAt);

    /// <summary>Why a consent does not (or no longer) allow data to go to the partner; null when it does.</summary>
    public static string? ConsentProblem(Referrals.Consent? consent, Referral referral, IEnumerable<string> requiredByRoute, DateOnly today,
        Consents.Guardianship? guardianship = null)
    {
        if (consent is null) return "Ohne Einwilligung der Person darf die Verweisung nicht gesendet werden. Bitte erfassen Sie zuerst die Einwilligung.";
        if (consent.RevokedAt is not null) return "Die Einwilligung wurde widerrufen. Die Verweisung darf nicht gesendet werden.";
        if (consent.ExpiresOn is { } expires && expires < today) return $"Die Einwilligung ist am {expires:dd.MM.yyyy} abgelaufen.";
        if (consent.OrganizationId != referral.OrganizationId) return "Die Einwilligung gilt für einen anderen Empfänger.";
        if (consent.CaseReference != referral.CaseReference) return "Die Einwilligung gehört zu einem anderen Fall.";
        if (consent.ClientIsMinor && string.IsNullOrWhiteSpace(consent.GuardianName))
            return "Bei Minderjährigen fehlt die Einwilligung der oder des Sorgeberechtigten.";
        // A Betreuung recorded after the consent counts too: the Betreuer/in's consent is needed like a parent's.
        if (guardianship is not null && string.IsNullOrWhiteSpace(consent.GuardianName))
            return $"Für die Person ist eine rechtliche Betreuung erfasst (Aufgabenkreis: {guardianship.Scope}). Es fehlt die Einwilligung der Betreuerin oder des Betreuers.";
        var missing = referral.SharedCategories.Concat(requiredByRoute).Distinct().Except(consent.DataCategories).ToList();
        if (missing.Count > 0)
            return "Die Einwilligung deckt nicht alle Datenkategorien ab. Es fehlt: "
                   + string.Join(", ", missing.Select(c => DataCategories.German.GetValueOrDefault(c, c))) + ".";
        return null;
    }

    public sealed class Handler(ReferralsDb db, ReferralAccess access, ReferralWorkflow workflow, RouteVersions routes, TimeProvider clock, AuditLog audit)
    {
        public async Task<Response> HandleAsync(ClaimsPrincipal principal, Guid referralId, CancellationToken ct = default)
        {
            var referral = await access.ForResponsibleAsync(principal, referralId, ct);
            var route = await routes.GetAsync(db, referral.RouteCategory, referral.RouteVersion, ct);
            var send = workflow.Machine.SendEventFor(route);
            if (!workflow.Machine.AllowedEvents(referral.Workflow!.CurrentState).Contains(send.Name))
                throw ReferralProblem.Conflict($"Die Verweisung wurde bereits gesendet (Status „{ReferralStatus.German[referral.Status]}“). Es wurde nichts geändert.");
            // The referral keeps its route version, so its questions are those the form asked; this catches an API draft
            // that left a required one out.
            if (Create.IntakeAnswers.Missing(route, referral) is { Count: > 0 } missing)
                throw ReferralProblem.Unprocessable("Vor dem Senden fehlen Antworten auf Pflichtfragen des Verweisungswegs: "
                                                    + string.Join(", ", missing.Select(q => $"„{q.Text}“")) + ".");
            await CheckConsentAsync(db, referral, route, clock.Today(), audit, ct);

            var user = principal.CurrentUser();
            var now = workflow.Now;
            if (send == workflow.Machine.Sent) referral.SentAt = now;
            await workflow.ApplyAsync(referral, send,
                new ReferralRequested(referral.Id, referral.OrganizationId, referral.ServiceId, referral.CaseManagerId,
                    referral.RouteCategory, referral.RouteVersion, now),
                Actor.Of(user), null, ct);
            await audit.RecordAsync(new AuditEvent("referral.send", "referral", referral.Id.ToString(),
                Detail: "categories " + string.Join(",", referral.SharedCategories)), ct);
            // The machine started the response deadline (unless the Teamleitung decides first); the referral's due date follows it.
            return new Response(referral.Id, referral.Status, now, referral.ResponseDueAt);
        }
    }

    /// <summary>Refuses (409/422, audited) unless the referral's consent allows its data to go to the partner today.</summary>
    public static async Task CheckConsentAsync(ReferralsDb db, Referral referral, ReferralRoute route, DateOnly today, AuditLog audit, CancellationToken ct)
    {
        var consent = await db.ConsentOfAsync(referral, ct);
        var guardianship = await Consents.Guardianships.ActiveAsync(db, referral.CaseReference, ct);
        if (ConsentProblem(consent, referral, route.RequiredCategories, today, guardianship) is not { } problem) return;
        await audit.RecordAsync(new AuditEvent("referral.send", "referral", referral.Id.ToString(), "refused", "consent"), ct);
        throw consent is null || consent.RevokedAt is not null || consent.ExpiresOn < today
            ? ReferralProblem.Conflict(problem)
            : ReferralProblem.Unprocessable(problem);
    }

    public static void Map(RouteGroupBuilder group) =>
        group.MapPost("/{id:guid}/send", async (Guid id, ClaimsPrincipal user, Handler handler, CancellationToken ct) =>
                Results.Ok(await handler.HandleAsync(user, id, ct)))
            .WithSummary("Verweisung an den Partner senden (prüft die Einwilligung)")
            .Produces<Response>()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}
