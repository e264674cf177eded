using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Mail;
using Npgsql;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Create;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Routes;

namespace Netzwerk.Referrals.View;

/// <summary>The Fallmanager's (and Teamleitung's) view of referrals: a list and one referral with its history.</summary>
public static class ReferralQueries
{
    public sealed record Summary(Guid Id, string CaseReference, Guid ServiceId, Guid OrganizationId, string CaseManagerId,
        string Status, string StatusText, string Urgency, DateTimeOffset CreatedAt, DateTimeOffset? SentAt,
        DateTimeOffset? ResponseDueAt, DateTimeOffset? AttendanceDueAt, bool Deputised);

    public sealed record HistoryDto(DateTimeOffset At, string? FromStatus, string ToStatus, string Event, string ByUser, string ByRole, string? Detail);

    public sealed record ConsentDto(Guid Id, string Purpose, string[] DataCategories, string FeedbackLevel, string Form, DateOnly GivenOn,
        DateOnly? ExpiresOn, bool ClientIsMinor, bool HasGuardian, string? EvidenceContentType, DateTimeOffset? RevokedAt,
        string? FormNumber = null, string? TextLanguage = null, int? TextVersion = null, bool UnderGuardianship = false, string? RevokedByParty = null);

    public sealed record FeedbackDto(Guid Id, string Kind, string? ReasonCode, bool? Attended, DateTimeOffset? AppointmentAt,
        Guid? ProposedServiceId, string? Note, string ByUser, DateTimeOffset At);

    public sealed record Detail(Guid Id, string CaseReference, Guid ServiceId, string? ServiceName, Guid OrganizationId, string? OrganizationName,
        string CaseManagerId, string? Team, string Reason, string? ContactDetails, string? HealthInformation, string Urgency,
        string[] SharedCategories, string? CooperationPlanGoal, string? Note, string Status, string StatusText,
        string RouteCategory, int RouteVersion, string FeedbackLevel, DateTimeOffset CreatedAt, DateTimeOffset? SentAt,
        DateTimeOffset? ResponseDueAt, DateTimeOffset? AttendanceDueAt, DateTimeOffset? ClosedAt, string? OutcomeReason,
        ConsentDto? Consent, IReadOnlyList<FeedbackDto> Feedback, IReadOnlyList<HistoryDto> History, IReadOnlyList<string> AllowedActions,
        IReadOnlyList<IntakeAnswer> IntakeAnswers, IReadOnlyList<MailLog.Entry> Mails, bool PartnerUnreachable);

    public sealed class Queries(ReferralsDb db, ReferralAccess access, Deputies deputies, IServiceLookup services, AuditLog audit,
        ReferralStateMachine machine, RouteVersions routes, NpgsqlDataSource dataSource)
    {
        public async Task<IReadOnlyList<Summary>> ListAsync(ClaimsPrincipal principal, string? status, CancellationToken ct = default)
        {
            var user = principal.CurrentUser();
            IQueryable<Referral> query;
            if (user.Role == Roles.TeamLead)
                query = db.Referrals.Where(r => r.Team == user.Team);
            else
            {
                var ids = (await deputies.DeputisedByAsync(user.Id, ct)).Append(user.Id).ToArray();
                query = db.Referrals.Where(r => ids.Contains(r.CaseManagerId));
            }
            if (!string.IsNullOrEmpty(status))
            {
                var statuses = status.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                query = query.Where(r => statuses.Contains(r.Status));
            }
            var rows = await query.AsNoTracking().OrderByDescending(r => r.CreatedAt).Take(500).ToListAsync(ct);
            await audit.RecordAsync(new AuditEvent("referral.list", "referral", "*", Detail: $"{rows.Count} rows"), ct);
            return rows.Select(r => new Summary(r.Id, r.CaseReference, r.ServiceId, r.OrganizationId, r.CaseManagerId, r.Status,
                ReferralStatus.German[r.Status], r.Urgency, r.CreatedAt, r.SentAt, r.ResponseDueAt, r.AttendanceDueAt,
                r.CaseManagerId != user.Id)).ToList();
        }

        public async Task<Detail> GetAsync(ClaimsPrincipal principal, Guid id, CancellationToken ct = default)
        {
            var r = await access.ForCaseWorkAsync(principal, id, ct);
            var consent = await db.ConsentOfAsync(r, ct);
            var history = await db.History.AsNoTracking().Where(h => h.ReferralId == id).OrderBy(h => h.Id).ToListAsync(ct);
            var feedback = await db.Feedback.AsNoTracking().Where(f => f.ReferralId == id).OrderBy(f => f.At).ToListAsync(ct);
            var service = await services.FindAsync(r.ServiceId, ct);
            // The mails to the partner about this referral (the sent-mail log): kinds and times, no content.
            var mails = await MailLog.ForSubjectAsync(dataSource, id, ct);
            await audit.RecordAsync(new AuditEvent("referral.read", "referral", id.ToString()), ct);
            return new Detail(r.Id, r.CaseReference, r.ServiceId, service?.ServiceName, r.OrganizationId, service?.OrganizationName,
                r.CaseManagerId, r.Team, r.Reason, r.ContactDetails, r.HealthInformation, r.Urgency, r.SharedCategories, r.CooperationPlanGoal,
                r.Note, r.Status, ReferralStatus.German[r.Status], r.RouteCategory, r.RouteVersion, r.FeedbackLevel, r.CreatedAt, r.SentAt,
                r.ResponseDueAt, r.AttendanceDueAt, r.ClosedAt, r.OutcomeReason,
                consent is null ? null : new ConsentDto(consent.Id, consent.Purpose, consent.DataCategories, consent.FeedbackLevel, consent.Form,
                    consent.GivenOn, consent.ExpiresOn, consent.ClientIsMinor, consent.GuardianName is not null, consent.EvidenceContentType, consent.RevokedAt,
                    consent.FormNumber, consent.TextLanguage, consent.TextVersion, consent.UnderGuardianship, consent.RevokedByParty),
                feedback.Select(f => new FeedbackDto(f.Id, f.Kind, f.ReasonCode, f.Attended, f.AppointmentAt, f.ProposedServiceId, f.Note, f.ByUser, f.At)).ToList(),
                history.Select(h => new HistoryDto(h.At, h.FromStatus, h.ToStatus, h.Event, h.ByUser, h.ByRole, h.Detail)).ToList(),
                await AllowedActionsAsync(principal, r, ct),
                Create.IntakeAnswers.Read(r.IntakeAnswers), mails,
                // A refused mail that moved on to a fallback address does not count; only one with no address left does.
                mails.Any(m => m.FailedAt is not null) && await Prompts.PartnerUnreachable.AnyAsync(dataSource, id, ct));
        }

        /// <summary>
        /// The caller's events the machine allows now: the Fallmanager's (with the one "send" the route asks for), or the
        /// Teamleitung's decision on an approval. Who may act is checked by the handlers.
        /// </summary>
        private async Task<List<string>> AllowedActionsAsync(ClaimsPrincipal principal, Referral r, CancellationToken ct)
        {
            var allowed = machine.AllowedEvents(r.Workflow!.CurrentState);
            var mine = principal.CurrentUser().Role == Roles.TeamLead ? ReferralStateMachine.EventNames.ByTeamLead : ReferralStateMachine.EventNames.ByCaseManager;
            var send = machine.SendEventFor(await routes.GetAsync(db, r.RouteCategory, r.RouteVersion, ct)).Name;
            return mine.Where(allowed.Contains)
                .Where(e => e == send || e is not (ReferralStateMachine.EventNames.Sent or ReferralStateMachine.EventNames.SubmittedForApproval))
                .ToList();
        }
    }

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/", async (ClaimsPrincipal user, Queries q, string? status, CancellationToken ct) => Results.Ok(await q.ListAsync(user, status, ct)))
            .WithSummary("Meine Verweisungen und die meiner Vertretungen (Teamleitung: des Teams); Filter ?status=requested,accepted");
        group.MapGet("/{id:guid}", async (Guid id, ClaimsPrincipal user, Queries q, CancellationToken ct) => Results.Ok(await q.GetAsync(user, id, ct)))
            .WithSummary("Eine Verweisung mit Einwilligung, Rückmeldungen und Verlauf");
    }
}
