using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Netzwerk.Workflows.Deadlines;
using Netzwerk.Workflows.Outbox;
using Npgsql;
using NpgsqlTypes;

namespace Netzwerk.Referrals.Lifecycle;

/// <summary>
/// What one transition writes, as one batch (one round trip): the referral's row — new, or guarded by its <c>xmin</c>,
/// so that a concurrent change of the same referral makes the whole transaction fail — its history, a new consent, the
/// partner's answer, the outbox messages and the deadline changes. Used by <see cref="ReferralWorkflow"/> only.
/// </summary>
internal static class ReferralRows
{
    /// <summary>The referral's own due dates (what lists and pages show) follow what the machine scheduled and cancelled.</summary>
    private static void ApplyDeadlines(Referral referral, ReferralState state)
    {
        if (state.DeadlineKindsToCancel.Contains(DeadlineKinds.PartnerResponse)) referral.ResponseDueAt = null;
        if (state.DeadlineKindsToCancel.Contains(DeadlineKinds.Attendance)) referral.AttendanceDueAt = null;
        foreach (var deadline in state.DeadlinesToSchedule)
        {
            if (deadline.Kind == DeadlineKinds.PartnerResponse) referral.ResponseDueAt = deadline.DueAt;
            if (deadline.Kind == DeadlineKinds.Attendance) referral.AttendanceDueAt = deadline.DueAt;
        }
    }

    /// <summary>False when the referral's row changed since it was read (nothing of the batch may then be committed).</summary>
    public static async Task<bool> WriteAsync(ReferralsDb db, Referral referral, ReferralState state,
        IReadOnlyList<HistoryEntry> history, Feedback? feedback, Consent? newConsent, DateTimeOffset now, CancellationToken ct)
    {
        ApplyDeadlines(referral, state);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await using var batch = new NpgsqlBatch(connection, (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());
        if (newConsent is { } c) // before the row that refers to it
            batch.BatchCommands.Add(Command("""
                INSERT INTO referrals.consents (id, case_reference, organization_id, purpose, data_categories, feedback_level, form,
                    given_on, expires_on, client_is_minor, guardian_name, evidence_content_type, recorded_by, recorded_at,
                    form_number, text_language, text_version, german_text_version, confirmed_name, under_guardianship)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
                """, Id(c.Id), Text(c.CaseReference), Id(c.OrganizationId), Text(c.Purpose), Texts(c.DataCategories), Text(c.FeedbackLevel),
                Text(c.Form), Typed(c.GivenOn, NpgsqlDbType.Date), Typed(c.ExpiresOn, NpgsqlDbType.Date), Typed(c.ClientIsMinor, NpgsqlDbType.Boolean),
                Text(c.GuardianName), Text(c.EvidenceContentType), Text(c.RecordedBy), Time(c.RecordedAt),
                Text(c.FormNumber), Text(c.TextLanguage), Typed(c.TextVersion, NpgsqlDbType.Integer), Typed(c.GermanTextVersion, NpgsqlDbType.Integer),
                Text(c.ConfirmedName), Typed(c.UnderGuardianship, NpgsqlDbType.Boolean)));
        // A row never stored has no xmin yet (PostgreSQL's transaction ids start at 3).
        if (state.Version == 0)
        {
            var r = referral;
            batch.BatchCommands.Add(Command("""
                INSERT INTO referrals.referrals (id, case_reference, service_id, organization_id, case_manager_id, team, reason,
                    contact_details, health_information, urgency, shared_categories, cooperation_plan_goal, note, status,
                    route_category, route_version, consent_id, feedback_level, created_at, sent_at, response_due_at,
                    attendance_due_at, closed_at, outcome_reason, updated_at, current_state, appointment_at, intake_answers)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
                    $24, $25, $26, $27, $28)
                RETURNING xmin
                """, Id(r.Id), Text(r.CaseReference), Id(r.ServiceId), Id(r.OrganizationId), Text(r.CaseManagerId), Text(r.Team),
                Text(r.Reason), Text(r.ContactDetails), Text(r.HealthInformation), Text(r.Urgency), Texts(r.SharedCategories),
                Text(r.CooperationPlanGoal), Text(r.Note), Text(r.Status), Text(r.RouteCategory), Typed(r.RouteVersion, NpgsqlDbType.Integer),
                Id(r.ConsentId), Text(r.FeedbackLevel), Time(r.CreatedAt), Time(r.SentAt), Time(r.ResponseDueAt), Time(r.AttendanceDueAt),
                Time(r.ClosedAt), Text(r.OutcomeReason), Time(r.UpdatedAt), Text(state.CurrentState), Time(state.AppointmentAt),
                Typed(r.IntakeAnswers, NpgsqlDbType.Jsonb)));
        }
        else
        {
            // All columns a referral's life changes, whether or not this event changed them: unchanged values cost
            // PostgreSQL nothing extra, and nothing has to track which ones changed.
            batch.BatchCommands.Add(Command("""
                UPDATE referrals.referrals SET status = $1, updated_at = $2, consent_id = $3, feedback_level = $4, sent_at = $5,
                    response_due_at = $6, attendance_due_at = $7, closed_at = $8, outcome_reason = $9, current_state = $10,
                    appointment_at = $11
                WHERE id = $12 AND xmin = $13 RETURNING xmin
                """, Text(referral.Status), Time(referral.UpdatedAt), Id(referral.ConsentId), Text(referral.FeedbackLevel), Time(referral.SentAt),
                Time(referral.ResponseDueAt), Time(referral.AttendanceDueAt), Time(referral.ClosedAt), Text(referral.OutcomeReason),
                Text(state.CurrentState), Time(state.AppointmentAt), Id(referral.Id), Typed(state.Version, NpgsqlDbType.Xid)));
        }
        if (state.DeadlineKindsToCancel.Count > 0)
            batch.BatchCommands.Add(DeadlineWriter.CancelCommand(ReferralDeadlines.Name, referral.Id, state.DeadlineKindsToCancel, now));
        foreach (var deadline in state.DeadlinesToSchedule)
            batch.BatchCommands.Add(DeadlineWriter.ScheduleCommand(ReferralDeadlines.Name, referral.Id, deadline));
        foreach (var h in history)
            batch.BatchCommands.Add(Command("""
                INSERT INTO referrals.history (referral_id, at, from_status, to_status, event, by_user, by_role, detail)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """, Id(h.ReferralId), Time(h.At), Text(h.FromStatus), Text(h.ToStatus), Text(h.Event), Text(h.ByUser), Text(h.ByRole), Text(h.Detail)));
        if (feedback is not null)
            batch.BatchCommands.Add(Command("""
                INSERT INTO referrals.feedback (id, referral_id, kind, reason_code, attended, appointment_at, proposed_service_id, note, by_user, at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                """, Id(feedback.Id), Id(feedback.ReferralId), Text(feedback.Kind), Text(feedback.ReasonCode), Typed(feedback.Attended, NpgsqlDbType.Boolean),
                Time(feedback.AppointmentAt), Id(feedback.ProposedServiceId), Text(feedback.Note), Text(feedback.ByUser), Time(feedback.At)));
        // One statement per message, in order: each row's created_at (clock_timestamp()) keeps the publishing order.
        foreach (var message in state.Outgoing) batch.BatchCommands.Add(OutboxWriter.Command(message));

        state.DeadlineKindsToCancel.Clear();
        state.DeadlinesToSchedule.Clear();
        state.Outgoing.Clear();
        state.Route = null;
        state.Consent = null;

        await using var reader = await batch.ExecuteReaderAsync(ct);
        // Statements without rows (the consent's insert) have no result set: the first one is the referral's xmin.
        if (!await reader.ReadAsync(ct)) return false;
        state.Version = reader.GetFieldValue<uint>(0);
        while (await reader.NextResultAsync(ct)) { } // a failing later statement throws here, not unseen at dispose
        return true;
    }

    private static NpgsqlBatchCommand Command(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }

    // Explicit types, also for nulls: a parameter typed by its value would change type with it (unknown when null), and each
    // change makes PostgreSQL parse and plan the prepared statement again.
    private static NpgsqlParameter Typed(object? value, NpgsqlDbType type) => new() { Value = value ?? DBNull.Value, NpgsqlDbType = type };
    private static NpgsqlParameter Text(string? value) => Typed(value, NpgsqlDbType.Text);
    private static NpgsqlParameter Id(Guid? value) => Typed(value, NpgsqlDbType.Uuid);
    private static NpgsqlParameter Time(DateTimeOffset? value) => Typed(value, NpgsqlDbType.TimestampTz);
    private static NpgsqlParameter Texts(string[] value) => Typed(value, NpgsqlDbType.Array | NpgsqlDbType.Text);
}
