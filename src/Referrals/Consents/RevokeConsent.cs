using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Workflows.Outbox;

namespace Netzwerk.Referrals.Consents;

/// <summary>
/// The client revokes a consent: every open referral relying on it is cancelled (the partner loses access,
/// no further feedback is accepted), <see cref="ConsentRevoked"/> is published, the audit keeps the fact.
/// All in one transaction.
/// </summary>
public static class RevokeConsent
{
    public sealed record Response(Guid ConsentId, DateTimeOffset RevokedAt, IReadOnlyList<Guid> CancelledReferralIds);

    /// <summary>Who declared the revocation: the client ("client", the default) or the Sorgeberechtigte/Betreuer/in ("guardian").</summary>
    public sealed record Request(string? RevokedBy);

    public static readonly IReadOnlyDictionary<string, string> Parties = new Dictionary<string, string>
    {
        ["client"] = "die Klientin bzw. der Klient selbst",
        ["guardian"] = "die oder der Sorgeberechtigte bzw. die Betreuerin oder der Betreuer",
    };

    public sealed class Handler(ReferralsDb db, Deputies deputies, ReferralWorkflow workflow, AuditLog audit)
    {
        public async Task<Response> HandleAsync(ClaimsPrincipal principal, Guid consentId, CancellationToken ct = default, string? revokedBy = null)
        {
            var user = principal.CurrentUser();
            revokedBy ??= "client";
            if (!Parties.ContainsKey(revokedBy))
                throw ReferralProblem.Field("revokedBy", "Widerrufen hat „client“ (die Klientin bzw. der Klient) oder „guardian“ (Sorgeberechtigte/r, Betreuer/in).");
            if (user.Role != Roles.CaseManager)
                throw ReferralProblem.Forbidden("Einen Widerruf erfasst die zuständige Fallmanagerin oder der zuständige Fallmanager.");
            var consent = await db.Consents.SingleOrDefaultAsync(c => c.Id == consentId, ct)
                ?? throw new ReferralProblem(404, "Die Einwilligung existiert nicht oder ist für Sie nicht sichtbar.");
            var referrals = await db.Referrals.AsNoTracking().Include(r => r.Workflow).Where(r => r.ConsentId == consentId).ToListAsync(ct);
            var mayAct = false;
            foreach (var cm in referrals.Select(r => r.CaseManagerId).Distinct())
                mayAct |= await deputies.MayActForAsync(user.Id, cm, ct);
            if (!mayAct && consent.RecordedBy != user.Id)
                throw new ReferralProblem(404, "Die Einwilligung existiert nicht oder ist für Sie nicht sichtbar.");
            if (consent.RevokedAt is not null)
                throw ReferralProblem.Conflict("Die Einwilligung ist bereits widerrufen.");
            if (revokedBy == "guardian" && string.IsNullOrWhiteSpace(consent.GuardianName) && !consent.UnderGuardianship && !consent.ClientIsMinor)
                throw ReferralProblem.Field("revokedBy", "Für diese Einwilligung ist keine gesetzliche Vertretung erfasst.");

            var now = workflow.Now;
            db.Database.AutoSavepointsEnabled = false;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            consent.RevokedAt = now;
            consent.RevokedBy = user.Id;
            consent.RevokedByParty = revokedBy;
            var cancelled = new List<Guid>();
            foreach (var referral in referrals.Where(r => workflow.Machine.AllowedEvents(r.Workflow!.CurrentState).Contains(ReferralStateMachine.EventNames.ConsentEnded)))
            {
                var state = referral.Workflow!;
                await workflow.RaiseAsync(referral, state, workflow.Machine.ConsentEnded,
                    new ConsentWithdrawn(referral.Id, consentId, CancellationReasons.ConsentRevoked, now), Actor.Of(user), CancellationReasons.ConsentRevoked, ct);
                await workflow.SaveAsync(referral, state, ct);
                cancelled.Add(referral.Id);
            }
            await db.SaveChangesAsync(ct);
            await OutboxWriter.WriteAsync(db, new ConsentRevoked(consentId, consent.OrganizationId, cancelled, now), ct);
            await tx.CommitAsync(ct);
            await audit.RecordAsync(new AuditEvent("consent.revoke", "consent", consentId.ToString(),
                Detail: $"{cancelled.Count} referrals cancelled, by {revokedBy}"), ct);
            return new Response(consentId, now, cancelled);
        }
    }

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapPost("/api/consents/{id:guid}/revoke", async (Guid id, HttpContext http, ClaimsPrincipal user, Handler h, CancellationToken ct) =>
            {
                // The body is optional (who revoked; the client by default): a call without one, or with another type, keeps working.
                Request? request = null;
                try
                {
                    if (http.Request.HasJsonContentType() && http.Request.ContentLength is not 0)
                        request = await http.Request.ReadFromJsonAsync<Request>(ct);
                }
                catch (System.Text.Json.JsonException)
                {
                    throw ReferralProblem.Field("revokedBy", "Der Inhalt ist kein gültiges JSON.");
                }
                return Results.Ok(await h.HandleAsync(user, id, ct, request?.RevokedBy));
            })
            .Accepts<Request>("application/json")
            .RequireAuthorization(Policies.CaseWork)
            .AddEndpointFilter<ReferralProblemFilter>()
            .WithTags("Einwilligungen")
            .WithSummary("Einwilligung widerrufen: offene Verweisungen werden storniert, der Partner verliert den Zugriff");
}
