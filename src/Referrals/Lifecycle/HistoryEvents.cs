namespace Netzwerk.Referrals.Lifecycle;

/// <summary>
/// Stored history event names that are no event of the machine (<see cref="ReferralStateMachine.EventNames"/> holds those):
/// changes of a referral that do not move its state. Stored like the machine's names, so they are constants too.
/// </summary>
public static class HistoryEvents
{
    /// <summary>A coordinator moved the referral to another version of its route; the history's detail holds the new version.</summary>
    public const string RouteVersionChanged = "RouteVersionChanged";
}
