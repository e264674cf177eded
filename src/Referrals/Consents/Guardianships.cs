using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Referrals.Consents;

/// <summary>
/// Rechtliche Betreuung of an adult ("Betreuung mit Aufgabenkreis …", § 1814 BGB), recorded per case reference through one
/// of the client's referrals. While it is active, a consent needs the Betreuer/in's consent as well, as a parent's for a
/// minor (<see cref="Send.SendReferral.ConsentProblem"/>); either of them may revoke.
/// </summary>
public static class Guardianships
{
    public sealed record Request(string? Scope);
    public sealed record Response(Guid Id, string Scope, DateTimeOffset RecordedAt, DateTimeOffset? EndedAt);

    public static async Task<Guardianship?> ActiveAsync(ReferralsDb db, string caseReference, CancellationToken ct) =>
        await db.Guardianships.AsNoTracking().Where(g => g.CaseReference == caseReference && g.EndedAt == null)
            .OrderByDescending(g => g.RecordedAt).FirstOrDefaultAsync(ct);

    public sealed class Validator : AbstractValidator<Request>
    {
        public Validator()
        {
            RuleFor(x => x.Scope).NotEmpty().WithMessage("Bitte geben Sie den Aufgabenkreis der Betreuung an (z. B. „Vermögenssorge, Behördenangelegenheiten“).")
                .MaximumLength(300).WithMessage("Der Aufgabenkreis darf höchstens 300 Zeichen lang sein.");
        }
    }

    public sealed class Handler(ReferralsDb db, ReferralAccess access, TimeProvider clock, AuditLog audit)
    {
        private static readonly Validator Rules = new();

        public async Task<Response> RecordAsync(ClaimsPrincipal principal, Guid referralId, Request request, CancellationToken ct = default)
        {
            var referral = await access.ForResponsibleAsync(principal, referralId, ct);
            var check = Rules.Validate(request);
            if (!check.IsValid) throw ReferralProblem.Invalid(check);
            if (await ActiveAsync(db, referral.CaseReference, ct) is not null)
                throw ReferralProblem.Conflict("Für diese Person ist bereits eine Betreuung erfasst. Beenden Sie sie zuerst, um sie zu ändern.");
            var g = new Guardianship
            {
                Id = Guid.CreateVersion7(), CaseReference = referral.CaseReference, Scope = request.Scope!.Trim(),
                RecordedBy = principal.CurrentUser().Id, RecordedAt = clock.GetUtcNow(),
            };
            db.Guardianships.Add(g);
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(new AuditEvent("guardianship.record", "guardianship", g.Id.ToString(), Detail: $"referral {referral.Id}"), ct);
            return new Response(g.Id, g.Scope, g.RecordedAt, null);
        }

        public async Task<Response> EndAsync(ClaimsPrincipal principal, Guid referralId, CancellationToken ct = default)
        {
            var referral = await access.ForResponsibleAsync(principal, referralId, ct);
            var g = await db.Guardianships.Where(x => x.CaseReference == referral.CaseReference && x.EndedAt == null).FirstOrDefaultAsync(ct)
                    ?? throw new ReferralProblem(404, "Für diese Person ist keine Betreuung erfasst.");
            g.EndedAt = clock.GetUtcNow();
            g.EndedBy = principal.CurrentUser().Id;
            await db.SaveChangesAsync(ct);
            await audit.RecordAsync(new AuditEvent("guardianship.end", "guardianship", g.Id.ToString(), Detail: $"referral {referral.Id}"), ct);
            return new Response(g.Id, g.Scope, g.RecordedAt, g.EndedAt);
        }

        public async Task<Response?> GetAsync(ClaimsPrincipal principal, Guid referralId, CancellationToken ct = default)
        {
            var referral = await access.ForCaseWorkAsync(principal, referralId, ct);
            var g = await ActiveAsync(db, referral.CaseReference, ct);
            await audit.RecordAsync(new AuditEvent("guardianship.read", "referral", referral.Id.ToString()), ct);
            return g is null ? null : new Response(g.Id, g.Scope, g.RecordedAt, g.EndedAt);
        }
    }

    public static void Map(RouteGroupBuilder referrals)
    {
        referrals.MapGet("/{id:guid}/guardianship", async (Guid id, ClaimsPrincipal user, Handler h, CancellationToken ct) =>
                await h.GetAsync(user, id, ct) is { } g ? Results.Ok(g) : Results.NoContent())
            .WithSummary("Aktive rechtliche Betreuung der Person dieser Verweisung (204: keine)");
        referrals.MapPost("/{id:guid}/guardianship", async (Guid id, Request request, ClaimsPrincipal user, Handler h, CancellationToken ct) =>
                Results.Ok(await h.RecordAsync(user, id, request, ct)))
            .WithSummary("Rechtliche Betreuung mit Aufgabenkreis erfassen: danach willigt auch die Betreuerin / der Betreuer ein")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        referrals.MapPost("/{id:guid}/guardianship/end", async (Guid id, ClaimsPrincipal user, Handler h, CancellationToken ct) =>
                Results.Ok(await h.EndAsync(user, id, ct)))
            .WithSummary("Rechtliche Betreuung beenden");
    }
}

public sealed class Guardianship
{
    public Guid Id { get; set; }
    public string CaseReference { get; set; } = "";
    public string Scope { get; set; } = "";
    public string RecordedBy { get; set; } = "";
    public DateTimeOffset RecordedAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public string? EndedBy { get; set; }
}
