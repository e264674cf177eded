using Microsoft.EntityFrameworkCore;
using Netzwerk.Platform.Retention;
using Netzwerk.Referrals.Lifecycle;

namespace Netzwerk.Referrals.Retention;

/// <summary>
/// Erases the client data of referrals whose purpose has ended — closed, cancelled, declined, entered in error, or a
/// draft nobody touched — and whose last change is older than the retention period (Retention:ClosedReferralDays).
/// The case reference, reason, contact details, health information, goal, notes and intake answers go, and so do the consent's case
/// reference, guardian, typed name and evidence scan, the person's Betreuung once no other referral of theirs holds data,
/// free-text feedback notes and free-text history details. What stays has no
/// person in it and keeps the process figures true: partner, service, route, dates, statuses, reason codes.
/// Idempotent (erased_at), in batches, one transaction per batch.
/// </summary>
public sealed class ReferralRetention(ReferralsDb db, TimeProvider clock) : IRetentionTask
{
    public const string Erased = "(gelöscht)";
    private const int BatchSize = 1_000;
    private static readonly string[] Ended =
        [ReferralStatus.Completed, ReferralStatus.Failed, ReferralStatus.Cancelled, ReferralStatus.Rejected, ReferralStatus.EnteredInError, ReferralStatus.Draft];

    public string Name => "referrals.ended";

    public async Task<int> DeleteExpiredAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        var total = 0;
        while (true)
        {
            var erased = await EraseBatchAsync(cutoff, ct);
            total += erased;
            if (erased < BatchSize) return total;
        }
    }

    private async Task<int> EraseBatchAsync(DateTimeOffset cutoff, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // Rows a user is changing right now are skipped (SKIP LOCKED) and erased on the next run.
        // Every data-modifying part of the WITH runs to completion whether the final SELECT reads it or not.
        var erased = await db.Database.SqlQuery<int>($"""
            WITH ended AS (
                SELECT id, consent_id, case_reference FROM referrals.referrals
                WHERE erased_at IS NULL AND updated_at < {cutoff} AND status = ANY({Ended})
                ORDER BY id LIMIT {BatchSize}
                FOR UPDATE SKIP LOCKED),
            referral AS (
                UPDATE referrals.referrals r
                SET case_reference = {Erased}, reason = '', contact_details = NULL, health_information = NULL,
                    cooperation_plan_goal = NULL, note = NULL, intake_answers = NULL, erased_at = {now}
                FROM ended WHERE r.id = ended.id
                RETURNING r.id),
            consent AS (
                UPDATE referrals.consents c
                SET case_reference = {Erased}, guardian_name = NULL, confirmed_name = NULL, evidence = NULL, evidence_content_type = NULL
                WHERE c.id IN (SELECT consent_id FROM ended)
                  -- a consent that still covers a referral not erased yet stays as it is
                  AND NOT EXISTS (SELECT 1 FROM referrals.referrals o
                                  WHERE o.consent_id = c.id AND o.erased_at IS NULL AND o.id NOT IN (SELECT id FROM ended))),
            guardianship AS (
                -- a Betreuung goes with the person's last referral that still holds their data
                DELETE FROM referrals.guardianships g
                WHERE g.case_reference IN (SELECT case_reference FROM ended)
                  AND NOT EXISTS (SELECT 1 FROM referrals.referrals o
                                  WHERE o.case_reference = g.case_reference AND o.erased_at IS NULL AND o.id NOT IN (SELECT id FROM ended))),
            feedback AS (
                UPDATE referrals.feedback SET note = NULL
                WHERE referral_id IN (SELECT id FROM ended) AND note IS NOT NULL),
            history AS (
                -- the closing reason code stays (process figures); free text such as a cancellation reason goes
                UPDATE referrals.history SET detail = NULL
                WHERE referral_id IN (SELECT id FROM ended) AND detail IS NOT NULL AND event <> 'Closed')
            SELECT count(*)::int AS "Value" FROM referral
            """).ToListAsync(ct); // (no LINQ on top: PostgreSQL allows data-modifying WITH only at the top level)
        await tx.CommitAsync(ct);
        return erased.Single();
    }
}
