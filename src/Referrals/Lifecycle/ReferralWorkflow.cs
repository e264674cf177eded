using MassTransit;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Routes;
using Microsoft.EntityFrameworkCore.Storage;
using Netzwerk.Referrals.Prompts;
using Netzwerk.Workflows;
using Npgsql;

namespace Netzwerk.Referrals.Lifecycle;

/// <summary>Who caused a transition (for the history).</summary>
public sealed record Actor(string UserId, string Role)
{
    public static readonly Actor System = new("system", "system");
    public static Actor Of(CurrentUser user) => new(user.Id, user.Role);
}

/// <summary>
/// Runs the referral state machine against PostgreSQL: raises the event on the referral's state and saves the new
/// state, the referral's status, a history entry, the outbox messages and the deadline changes in one transaction.
/// An event the current state does not allow, or a concurrent change of the same referral, becomes a 409 and
/// nothing is written.
/// </summary>
/// <remarks>
/// Referrals are read untracked (<see cref="ReferralAccess"/>) and a transition is written by hand, in one batch
/// (<see cref="ReferralRows"/>): every API call on a referral goes through here, and EF Core's change tracking of the
/// wide row was the largest single cost of a referral's lifecycle in the profile. New referrals, consents and other
/// rows a caller adds to the context are still saved by EF Core, first, in the same transaction.
/// </remarks>
public sealed class ReferralWorkflow(ReferralsDb db, ReferralStateMachine machine, RouteVersions routes, WorkflowMetrics metrics, TimeProvider clock,
    PartnerPrompts prompts)
{
    /// <summary>History entry of a recorded consent (no workflow event; stored like the machine's event names).</summary>
    public const string ConsentRecorded = "ConsentRecorded";

    private readonly List<HistoryEntry> _history = [];

    public ReferralStateMachine Machine => machine;
    public DateTimeOffset Now => clock.GetUtcNow();

    public async Task<ReferralState> StartAsync(Referral referral, Actor by, CancellationToken ct)
    {
        var state = new ReferralState { CorrelationId = referral.Id };
        await RaiseAsync(referral, state, machine.Drafted, new ReferralDrafted(referral.Id, referral.OrganizationId,
            referral.ServiceId, referral.CaseManagerId, referral.RouteCategory, referral.RouteVersion, Now), by, null, ct);
        referral.Workflow = state;
        return state;
    }

    /// <summary>
    /// Raise an event and save everything it caused; a partner's answer is saved with it. Throws
    /// <see cref="ReferralProblem"/> (409) when not allowed.
    /// </summary>
    public async Task ApplyAsync<T>(Referral referral, Event<T> @event, T data, Actor by, string? detail, CancellationToken ct,
        Feedback? feedback = null)
        where T : class
    {
        var state = referral.Workflow ??= await db.States.AsNoTracking().SingleAsync(s => s.CorrelationId == referral.Id, ct);
        await RaiseAsync(referral, state, @event, data, by, detail, ct);
        await SaveAsync(referral, state, ct, feedback);
    }

    /// <summary>A change of the referral that is no workflow event (e.g. a recorded consent), for its history; saved by <see cref="SaveAsync"/>.</summary>
    public void Record(Referral referral, string what, Actor by) => _history.Add(new HistoryEntry
    {
        ReferralId = referral.Id, At = Now, FromStatus = referral.Status, ToStatus = referral.Status, Event = what,
        ByUser = by.UserId, ByRole = by.Role,
    });

    /// <summary>Raise only (the caller saves with <see cref="SaveAsync"/>), e.g. when one request changes several referrals.</summary>
    public async Task RaiseAsync<T>(Referral referral, ReferralState state, Event<T> @event, T data, Actor by, string? detail,
        CancellationToken ct = default)
        where T : class
    {
        var from = state.CurrentState == ReferralStateMachine.StateNames.Initial ? null : referral.Status;
        // The machine starts and restarts deadlines from the route version the referral keeps (cached: versions never change),
        // and on reaching the partner the consent's end.
        if (state.CurrentState != ReferralStateMachine.StateNames.Initial)
            state.Route ??= await routes.GetAsync(db, referral.RouteCategory, referral.RouteVersion, ct);
        if (ReferenceEquals(@event, machine.Sent) || ReferenceEquals(@event, machine.Approved))
            state.Consent = await db.ConsentOfAsync(referral, ct);
        try
        {
            await machine.RaiseEvent(state, @event, data);
        }
        catch (UnhandledEventException)
        {
            throw ReferralProblem.Conflict(
                $"Diese Aktion ist im Status „{ReferralStatus.German[referral.Status]}“ nicht möglich. Es wurde nichts geändert.");
        }
        // One instant for both: referral and state share the updated_at column.
        var now = Now;
        referral.Status = ReferralStateMachine.StatusOf(state.CurrentState);
        metrics.Transition("referral", @event.Name, referral.Status);
        referral.UpdatedAt = now;
        state.UpdatedAt = now;
        _history.Add(new HistoryEntry
        {
            ReferralId = referral.Id, At = now, FromStatus = from, ToStatus = referral.Status,
            Event = @event.Name, ByUser = by.UserId, ByRole = by.Role, Detail = detail,
        });
    }

    /// <summary>
    /// Saves the referral (read untracked, or new) with the effects of the events raised on it, a new consent or a partner's
    /// answer that goes with it, and whatever else the caller added to the context. Joins the caller's transaction, if any.
    /// (A referral tracked by the context would be written twice, the second time meeting the first as a concurrent change.)
    /// </summary>
    public async Task SaveAsync(Referral referral, ReferralState state, CancellationToken ct, Feedback? feedback = null, Consent? newConsent = null)
    {
        // Inside a caller's transaction EF would wrap each save in a savepoint: two extra round trips for nothing,
        // since a failure rolls back the whole transaction anyway.
        db.Database.AutoSavepointsEnabled = false;
        var ownTransaction = db.Database.CurrentTransaction is null;
        await using var tx = ownTransaction ? await db.Database.BeginTransactionAsync(ct) : null;
        try
        {
            // First what EF Core tracks (a revoked consent, a consumer's message claim).
            if (db.ChangeTracker.HasChanges()) await db.SaveChangesAsync(ct);
            var history = _history.Where(h => h.ReferralId == referral.Id).ToList();
            _history.RemoveAll(h => h.ReferralId == referral.Id);
            var promptsDue = state.Prompts.ToList();
            state.Prompts.Clear();
            var written = await ReferralRows.WriteAsync(db, referral, state, history, feedback, newConsent, Now, ct);
            if (!written) throw ReferralProblem.ChangedMeanwhile();
            foreach (var (kind, occurrence) in promptsDue)
                await prompts.QueueAsync((NpgsqlConnection)db.Database.GetDbConnection(),
                    (NpgsqlTransaction)db.Database.CurrentTransaction!.GetDbTransaction(), referral.Id, kind, occurrence, Now, ct);
            if (tx is not null) await tx.CommitAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw ReferralProblem.ChangedMeanwhile();
        }
    }
}
