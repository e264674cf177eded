using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Lifecycle.Contracts;

namespace Netzwerk.Referrals.Lifecycle;

/// <summary>What only the responsible Fallmanager (or today's deputy) may do: cancel, mark entered-in-error, close.</summary>
public static class CaseManagerActions
{
    public sealed record CancelRequest(string? Reason);
    public sealed record CloseRequest(string? Outcome, string? ReasonCode);
    public sealed record Changed(Guid Id, string Status);

    public sealed class Handler(ReferralAccess access, ReferralWorkflow workflow, AuditLog audit)
    {
        public async Task<Changed> CancelAsync(ClaimsPrincipal principal, Guid id, CancelRequest request, CancellationToken ct = default)
        {
            if (request.Reason is { Length: > 500 })
                throw Invalid("reason", "Der Grund darf höchstens 500 Zeichen lang sein.");
            var referral = await access.ForResponsibleAsync(principal, id, ct);
            var user = principal.CurrentUser();
            await workflow.ApplyAsync(referral, workflow.Machine.CancelledByCaseManager,
                new ReferralCancelled(referral.Id, referral.OrganizationId, CancellationReasons.ByCaseManager, user.Id, workflow.Now), Actor.Of(user), request.Reason?.Trim(), ct);
            await audit.RecordAsync(new AuditEvent("referral.cancel", "referral", id.ToString()), ct);
            return new Changed(id, referral.Status);
        }

        public async Task<Changed> MarkEnteredInErrorAsync(ClaimsPrincipal principal, Guid id, CancellationToken ct = default)
        {
            var referral = await access.ForResponsibleAsync(principal, id, ct);
            var user = principal.CurrentUser();
            await workflow.ApplyAsync(referral, workflow.Machine.MarkedEnteredInError,
                new ReferralEnteredInError(referral.Id, referral.OrganizationId, user.Id, workflow.Now), Actor.Of(user), null, ct);
            await audit.RecordAsync(new AuditEvent("referral.entered-in-error", "referral", id.ToString()), ct);
            return new Changed(id, referral.Status);
        }

        /// <summary>Outcome "completed" (with reason completed-with-result) or "failed" (with one of the other reason codes).</summary>
        public async Task<Changed> CloseAsync(ClaimsPrincipal principal, Guid id, CloseRequest request, CancellationToken ct = default)
        {
            if (request.Outcome is not ("completed" or "failed"))
                throw Invalid("outcome", "Das Ergebnis muss „completed“ (erfolgreich) oder „failed“ (ohne Erfolg) sein.");
            if (!ReasonCodes.IsKnown(request.ReasonCode))
                throw Invalid("reasonCode", "Bitte wählen Sie einen Grund: " + string.Join(", ", ReasonCodes.German.Keys) + ".");
            var successful = request.Outcome == "completed";
            if (successful != (request.ReasonCode == ReasonCodes.CompletedWithResult))
                throw Invalid("reasonCode", successful
                    ? "Ein erfolgreicher Abschluss hat den Grund „completed-with-result“."
                    : "„completed-with-result“ passt nicht zu einem Abschluss ohne Erfolg.");
            var referral = await access.ForResponsibleAsync(principal, id, ct);
            var user = principal.CurrentUser();
            await workflow.ApplyAsync(referral, workflow.Machine.Closed,
                new ReferralClosed(referral.Id, referral.OrganizationId, successful, request.ReasonCode!, user.Id, workflow.Now), Actor.Of(user), request.ReasonCode, ct);
            await audit.RecordAsync(new AuditEvent("referral.close", "referral", id.ToString(), Detail: request.ReasonCode), ct);
            return new Changed(id, referral.Status);
        }

        private static ReferralProblem Invalid(string field, string message)
            => new(400, "Bitte prüfen Sie die markierten Felder.", new Dictionary<string, string[]> { [field] = [message] });
    }

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/{id:guid}/cancel", async (Guid id, CancelRequest? request, ClaimsPrincipal user, Handler h, CancellationToken ct) =>
                Results.Ok(await h.CancelAsync(user, id, request ?? new CancelRequest(null), ct)))
            .WithSummary("Verweisung stornieren (Partner verliert den Zugriff)");
        group.MapPost("/{id:guid}/entered-in-error", async (Guid id, ClaimsPrincipal user, Handler h, CancellationToken ct) =>
                Results.Ok(await h.MarkEnteredInErrorAsync(user, id, ct)))
            .WithSummary("Als irrtümlich erfasst markieren");
        group.MapPost("/{id:guid}/close", async (Guid id, CloseRequest request, ClaimsPrincipal user, Handler h, CancellationToken ct) =>
                Results.Ok(await h.CloseAsync(user, id, request, ct)))
            .WithSummary("Verweisung abschließen (nur zuständige Fallmanager:in oder Vertretung)");
    }
}
