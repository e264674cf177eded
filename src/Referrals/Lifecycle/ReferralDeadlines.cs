using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Workflows.Deadlines;
using Npgsql;
using NpgsqlTypes;

namespace Netzwerk.Referrals.Lifecycle;

/// <summary>
/// The referral's answer when one of its deadlines falls due: fire it while the referral's state still needs it
/// (<see cref="ReferralStateMachine.StillApplies"/>), else cancel it. Firing publishes a reminder, an escalation or — for
/// the consent's expiry — <see cref="ReferralConsentExpired"/>, which <see cref="ConsentExpiryConsumer"/> turns into the
/// machine's <c>ConsentEnded</c>.
/// </summary>
public sealed class ReferralDeadlines : IDeadlineOwner
{
    public const string Name = "referrals";

    public string Owner => Name;

    public async Task<IReadOnlyList<DeadlineDecision>> DecideAsync(IReadOnlyList<DueDeadline> due, NpgsqlConnection connection,
        NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken ct)
    {
        var states = new Dictionary<Guid, string>();
        await using (var select = new NpgsqlCommand("SELECT id, current_state FROM referrals.referrals WHERE id = ANY($1)", connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = due.Select(d => d.SubjectId).Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) states[reader.GetGuid(0)] = reader.GetString(1);
        }
        return due.Select(d => states.TryGetValue(d.SubjectId, out var state) && ReferralStateMachine.StillApplies(d.Kind, state)
            ? DeadlineDecision.Fire(d, MessageFor(d, now), NextRound(d, now))
            : DeadlineDecision.Cancel(d)).ToList();
    }

    // Periodic progress reports and goal reviews start their next round in the transaction that fires this one: neither
    // lost nor doubled by a crash between the two.
    private static NewDeadline[] NextRound(DueDeadline d, DateTimeOffset now)
        => ReferralStateMachine.NextRound(d.Kind, d.DueAt, d.Detail, now) is { } next ? [new NewDeadline(d.Kind, next, d.Detail)] : [];

    private static object MessageFor(DueDeadline d, DateTimeOffset now) => d.Kind switch
    {
        DeadlineKinds.Escalation => new ReferralEscalated(d.SubjectId, d.Id, d.Detail ?? "Teamleitung", now),
        DeadlineKinds.ConsentExpiry => new ReferralConsentExpired(d.SubjectId, d.Id, d.DueAt),
        _ => new ReferralReminderDue(d.SubjectId, d.Id, d.Kind, d.DueAt),
    };
}
