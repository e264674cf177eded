using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Referrals.Prompts;
using Netzwerk.Referrals.Routes;
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
/// <remarks>
/// A deadline that fires may also prompt the partner by e-mail (route step "E-Mails an den Partner"): the prompt is queued in
/// this same transaction, keyed by the deadline's id, so it goes out exactly when the deadline fires — once.
/// </remarks>
public sealed class ReferralDeadlines(PartnerPrompts prompts) : IDeadlineOwner
{
    public const string Name = "referrals";

    public string Owner => Name;

    public async Task<IReadOnlyList<DeadlineDecision>> DecideAsync(IReadOnlyList<DueDeadline> due, NpgsqlConnection connection,
        NpgsqlTransaction transaction, DateTimeOffset now, CancellationToken ct)
    {
        var states = new Dictionary<Guid, (string State, string? Steps)>();
        await using (var select = new NpgsqlCommand("""
            SELECT r.id, r.current_state, ro.steps::text FROM referrals.referrals r
            LEFT JOIN referrals.routes ro ON ro.category_code = r.route_category AND ro.version = r.route_version
            WHERE r.id = ANY($1)
            """, connection, transaction))
        {
            select.Parameters.Add(new NpgsqlParameter { Value = due.Select(d => d.SubjectId).Distinct().ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) states[reader.GetGuid(0)] = (reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
        }
        var decisions = new List<DeadlineDecision>(due.Count);
        foreach (var d in due)
        {
            if (!states.TryGetValue(d.SubjectId, out var referral) || !ReferralStateMachine.StillApplies(d.Kind, referral.State))
            {
                decisions.Add(DeadlineDecision.Cancel(d));
                continue;
            }
            decisions.Add(DeadlineDecision.Fire(d, MessageFor(d, now), NextRound(d, now)));
            if (referral.Steps is not null && PromptKinds.ForDeadline(d.Kind, PromptsOf(referral.Steps)) is { } prompt)
                await prompts.QueueAsync(connection, transaction, d.SubjectId, prompt, d.Id.ToString(), now, ct);
        }
        return decisions;
    }

    private static PartnerPromptsStep PromptsOf(string stepsJson)
        => RouteStepJson.Read(stepsJson).OfType<PartnerPromptsStep>().FirstOrDefault() ?? new PartnerPromptsStep(false, false, false, false);

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
