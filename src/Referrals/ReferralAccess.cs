using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Lifecycle;

namespace Netzwerk.Referrals;

/// <summary>Object-level authorisation: which referrals a user may see and act on.</summary>
public sealed class ReferralAccess(ReferralsDb db, Deputies deputies)
{
    /// <summary>
    /// The referral with its workflow state (same row) and its consent in one round trip, untracked: nearly every caller goes on
    /// to check the consent (<see cref="ReferralsDb.ConsentOfAsync"/>) or to raise a workflow event, which
    /// <see cref="ReferralWorkflow"/> writes by hand. Compiled once, as every API call on a referral starts here: building the
    /// expression and finding its cached plan each time showed in the profile.
    /// </summary>
    private static readonly Func<ReferralsDb, Guid, CancellationToken, Task<Referral?>> Load = EF.CompileAsyncQuery(
        (ReferralsDb db, Guid id, CancellationToken ct) => db.Referrals.AsNoTracking().Include(r => r.Workflow).Include(r => r.Consent)
            .SingleOrDefault(r => r.Id == id));

    private Task<Referral?> LoadAsync(Guid id, CancellationToken ct) => Load(db, id, ct);

    /// <summary>Fallmanager: own or deputised referrals; Teamleitung: the own team's. Anything else: 404.</summary>
    public async Task<Referral> ForCaseWorkAsync(ClaimsPrincipal principal, Guid id, CancellationToken ct)
    {
        var user = principal.CurrentUser();
        var referral = await LoadAsync(id, ct) ?? throw ReferralProblem.NotFound();
        if (user.Role == Roles.CaseManager && await deputies.MayActForAsync(user.Id, referral.CaseManagerId, ct)) return referral;
        if (user.Role == Roles.TeamLead && user.Team is not null && referral.Team == user.Team) return referral;
        throw ReferralProblem.NotFound();
    }

    /// <summary>Only the responsible Fallmanager or today's deputy (not the team lead) may close or cancel.</summary>
    public async Task<Referral> ForResponsibleAsync(ClaimsPrincipal principal, Guid id, CancellationToken ct)
    {
        var referral = await ForCaseWorkAsync(principal, id, ct);
        var user = principal.CurrentUser();
        if (user.Role != Roles.CaseManager)
            throw ReferralProblem.Forbidden("Nur die zuständige Fallmanagerin oder der zuständige Fallmanager (bzw. die Vertretung) darf das.");
        return referral;
    }

    /// <summary>
    /// Partner: referrals of the own organisation that were sent. A session from an e-mailed access link
    /// (claim <c>referral</c>) reaches only that one referral.
    /// </summary>
    public async Task<Referral> ForPartnerAsync(ClaimsPrincipal principal, Guid id, CancellationToken ct)
    {
        var user = principal.CurrentUser();
        if (ReferralScopeOf(principal) is { } scope && scope != id) throw ReferralProblem.NotFound();
        var referral = await LoadAsync(id, ct);
        if (referral is null || user.OrganizationId is null || referral.OrganizationId != user.OrganizationId
            || referral.SentAt is null) // never sent (a draft, or waiting for the Teamleitung): not the partner's
            throw ReferralProblem.NotFound();
        return referral;
    }

    public static Guid? ReferralScopeOf(ClaimsPrincipal principal)
        => Guid.TryParse(principal.FindFirstValue(NetzwerkClaims.ReferralScope), out var id) ? id : null;
}
