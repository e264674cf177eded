using System.Security.Claims;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Identity;
using Netzwerk.Workflows;
using Netzwerk.Workflows.Outbox;

namespace Netzwerk.Referrals;

/// <summary>Who caused a transition (for the history).</summary>
public sealed record Actor(string UserId, string Role)
{
    public static readonly Actor System = new("system", "system");
    public static Actor Of(CurrentUser user) => new(user.Id, user.Role);
}

/// <summary>
/// Runs the referral state machine against PostgreSQL: loads the state instance, raises the event,
/// and saves the new state, the referral's status, a history entry, the outbox messages and the
/// deadline changes in one transaction. An event the current state does not allow, or a concurrent
/// change of the same referral, becomes a 409 and nothing is written.
/// </summary>
public sealed class ReferralWorkflow(ReferralsDb db, ReferralStateMachine machine, TimeProvider clock)
{
    public ReferralStateMachine Machine => machine;
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<ReferralState> StartAsync(Referral referral, Actor by, CancellationToken ct)
    {
        var state = new ReferralState { CorrelationId = referral.Id };
        await RaiseAsync(referral, state, machine.Drafted, new ReferralDrafted(referral.Id, referral.OrganizationId,
            referral.ServiceId, referral.CaseManagerId, referral.RouteCategory, referral.RouteVersion, Now), by, null);
        referral.Workflow = state;
        return state;
    }

    /// <summary>Raise an event and save everything it caused. Throws <see cref="ReferralProblem"/> (409) when not allowed.</summary>
    public async Task ApplyAsync<T>(Referral referral, Event<T> @event, T data, Actor by, string? detail, CancellationToken ct)
        where T : class
    {
        // Usually loaded along (ReferralAccess reads the state with the referral, from the same row).
        var state = referral.Workflow ?? await db.States.FindAsync([referral.Id], ct)
                    ?? throw new InvalidOperationException($"Workflow state of referral {referral.Id} missing");
        await RaiseAsync(referral, state, @event, data, by, detail);
        await SaveAsync(referral, state, ct);
    }

    /// <summary>Raise only (the caller saves with <see cref="SaveAsync"/>), e.g. when one request changes several referrals.</summary>
    public async Task RaiseAsync<T>(Referral referral, ReferralState state, Event<T> @event, T data, Actor by, string? detail)
        where T : class
    {
        var from = state.CurrentState == "Initial" ? null : referral.Status;
        try
        {
            await machine.RaiseEvent(state, @event, data);
        }
        catch (UnhandledEventException)
        {
            throw ReferralProblem.Conflict(
                $"Diese Aktion ist im Status „{ReferralStatus.German[referral.Status]}“ nicht möglich. Es wurde nichts geändert.");
        }
        // One instant for both: referral and state share the updated_at column, and EF refuses conflicting values.
        var now = Now;
        referral.Status = ReferralStateMachine.StatusOf(state.CurrentState);
        referral.UpdatedAt = now;
        state.UpdatedAt = now;
        db.History.Add(new HistoryEntry
        {
            ReferralId = referral.Id, At = now, FromStatus = from, ToStatus = referral.Status,
            Event = @event.Name, ByUser = by.UserId, ByRole = by.Role, Detail = detail,
        });
    }

    public async Task SaveAsync(Referral referral, ReferralState state, CancellationToken ct)
    {
        // Inside a caller's transaction EF would wrap each save in a savepoint: two extra round trips for nothing,
        // since a failure rolls back the whole transaction anyway.
        db.Database.AutoSavepointsEnabled = false;
        var ownTransaction = db.Database.CurrentTransaction is null;
        await using var tx = ownTransaction ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            await FlushEffectsAsync(referral, state, ct);
            await db.SaveChangesAsync(ct);
            if (tx is not null) await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw ReferralProblem.ChangedMeanwhile();
        }
    }

    private async Task FlushEffectsAsync(Referral referral, ReferralState state, CancellationToken ct)
    {
        if (state.DeadlineKindsToCancel.Count > 0)
        {
            var kinds = state.DeadlineKindsToCancel.Distinct().ToArray();
            var now = Now;
            // Plain SQL rather than ExecuteUpdate: translating that expression on every transition showed in the profile.
            await db.Database.ExecuteSqlAsync($"""
                UPDATE workflows.deadlines SET cancelled_at = {now}
                WHERE referral_id = {referral.Id} AND kind = ANY({kinds}) AND fired_at IS NULL AND cancelled_at IS NULL
                """, ct);
            if (kinds.Contains(DeadlineKinds.PartnerResponse)) referral.ResponseDueAt = null;
            if (kinds.Contains(DeadlineKinds.Attendance)) referral.AttendanceDueAt = null;
            state.DeadlineKindsToCancel.Clear();
        }
        foreach (var (kind, dueAt) in state.DeadlinesToSchedule)
        {
            db.Deadlines.Add(new Deadline { Id = Guid.CreateVersion7(), ReferralId = referral.Id, Kind = kind, DueAt = dueAt });
            if (kind == DeadlineKinds.Attendance) referral.AttendanceDueAt = dueAt;
        }
        state.DeadlinesToSchedule.Clear();
        foreach (var message in state.Outgoing) db.Outbox.Add(OutboxMessage.For(message));
        state.Outgoing.Clear();
    }
}

/// <summary>Object-level authorisation: which referrals a user may see and act on.</summary>
public sealed class ReferralAccess(ReferralsDb db, Deputies deputies)
{
    /// <summary>
    /// The referral with its workflow state (same row) and its consent in one round trip: nearly every caller goes on to raise a
    /// workflow event or to check the consent, and then finds both in the change tracker (<see cref="ReferralsDb.ConsentOfAsync"/>,
    /// <see cref="ReferralWorkflow.ApplyAsync{T}"/>) instead of asking the database twice more. Compiled once, as every API call
    /// on a referral starts here: building the expression and finding its cached plan each time showed in the profile.
    /// </summary>
    private static readonly Func<ReferralsDb, Guid, CancellationToken, Task<Loaded?>> Load = EF.CompileAsyncQuery(
        (ReferralsDb db, Guid id, CancellationToken ct) => (from r in db.Referrals.Include(r => r.Workflow)
                                                         where r.Id == id
                                                         join c in db.Consents on r.ConsentId equals (Guid?)c.Id into consents
                                                         from c in consents.DefaultIfEmpty()
                                                         select new Loaded(r, c)).SingleOrDefault());

    private sealed record Loaded(Referral Referral, Consent? Consent);

    private async Task<Referral?> LoadAsync(Guid id, CancellationToken ct) => (await Load(db, id, ct))?.Referral;

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
            || referral.Status == ReferralStatus.Draft)
            throw ReferralProblem.NotFound();
        return referral;
    }

    public static Guid? ReferralScopeOf(ClaimsPrincipal principal)
        => Guid.TryParse(principal.FindFirstValue(NetzwerkClaims.ReferralScope), out var id) ? id : null;
}
