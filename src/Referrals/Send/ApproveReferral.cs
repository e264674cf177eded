using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Referrals.Routes;

namespace Netzwerk.Referrals.Send;

/// <summary>
/// The Teamleitung of the referral's team approves a referral whose route asks for it (paid measures, Zuweisungen) — it then
/// goes to the partner exactly as if it had been sent — or gives it back to the Fallmanager with a reason.
/// </summary>
public static class ApproveReferral
{
    public sealed record RefuseRequest(string? Reason);

    public sealed class Handler(ReferralsDb db, ReferralAccess access, ReferralWorkflow workflow, RouteVersions routes, TimeProvider clock, AuditLog audit)
    {
        public async Task<SendReferral.Response> ApproveAsync(ClaimsPrincipal principal, Guid id, CancellationToken ct = default)
        {
            var (referral, user) = await TeamLeadsAsync(principal, id, ReferralStateMachine.EventNames.Approved, ct);
            // The consent may have been revoked or have run out while the referral waited.
            var route = await routes.GetAsync(db, referral.RouteCategory, referral.RouteVersion, ct);
            await SendReferral.CheckConsentAsync(db, referral, route, clock.Today(), audit, ct);
            var now = workflow.Now;
            referral.SentAt = now;
            await workflow.ApplyAsync(referral, workflow.Machine.Approved, new ReferralApproved(referral.Id, user.Id, now), Actor.Of(user), null, ct);
            await audit.RecordAsync(new AuditEvent("referral.approve", "referral", id.ToString()), ct);
            return new SendReferral.Response(referral.Id, referral.Status, now, referral.ResponseDueAt);
        }

        public async Task<SendReferral.Response> RefuseAsync(ClaimsPrincipal principal, Guid id, RefuseRequest request, CancellationToken ct = default)
        {
            // Who may decide first: nobody else learns from a validation message that the referral exists.
            var (referral, user) = await TeamLeadsAsync(principal, id, ReferralStateMachine.EventNames.ApprovalRefused, ct);
            if (string.IsNullOrWhiteSpace(request.Reason))
                throw ReferralProblem.Field("reason", "Bitte geben Sie an, warum Sie die Verweisung nicht freigeben.");
            if (request.Reason.Length > 500)
                throw ReferralProblem.Field("reason", "Der Grund darf höchstens 500 Zeichen lang sein.");
            var now = workflow.Now;
            await workflow.ApplyAsync(referral, workflow.Machine.ApprovalRefused, new ReferralApprovalRefused(referral.Id, user.Id, now),
                Actor.Of(user), request.Reason.Trim(), ct);
            await audit.RecordAsync(new AuditEvent("referral.refuse-approval", "referral", id.ToString()), ct);
            return new SendReferral.Response(referral.Id, referral.Status, now, null);
        }

        // Only the Teamleitung of the referral's own team (ForCaseWork finds nothing for other teams), only while it waits.
        private async Task<(Referral, CurrentUser)> TeamLeadsAsync(ClaimsPrincipal principal, Guid id, string eventName, CancellationToken ct)
        {
            var referral = await access.ForCaseWorkAsync(principal, id, ct);
            var user = principal.CurrentUser();
            if (user.Role != Roles.TeamLead)
                throw ReferralProblem.Forbidden("Über die Freigabe entscheidet die Teamleitung.");
            if (!workflow.Machine.AllowedEvents(referral.Workflow!.CurrentState).Contains(eventName))
                throw ReferralProblem.Conflict($"Die Verweisung wartet nicht auf eine Freigabe (Status „{ReferralStatus.German[referral.Status]}“). Es wurde nichts geändert.");
            return (referral, user);
        }
    }

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/{id:guid}/approve", async (Guid id, ClaimsPrincipal user, Handler handler, CancellationToken ct) =>
                Results.Ok(await handler.ApproveAsync(user, id, ct)))
            .WithSummary("Verweisung freigeben (Teamleitung) – sie geht damit an den Partner")
            .Produces<SendReferral.Response>()
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id:guid}/refuse-approval", async (Guid id, RefuseRequest request, ClaimsPrincipal user, Handler handler, CancellationToken ct) =>
                Results.Ok(await handler.RefuseAsync(user, id, request, ct)))
            .WithSummary("Freigabe verweigern (Teamleitung) – die Verweisung geht mit Begründung an die Fallmanagerin / den Fallmanager zurück")
            .Produces<SendReferral.Response>()
            .ProducesProblem(StatusCodes.Status409Conflict);
    }
}
