using System.Security.Claims;
using FluentValidation;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Create;
using Netzwerk.Referrals.Routes;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Lifecycle.Contracts;
using E = Netzwerk.Referrals.Lifecycle.ReferralStateMachine.EventNames;

namespace Netzwerk.Referrals.Partner;

/// <summary>The partner's inbox of incoming referrals and its answers. Only consented data is shown.</summary>
public static class PartnerReferrals
{
    public sealed record Summary(Guid Id, string Status, string StatusText, Guid ServiceId, string Urgency,
        DateTimeOffset? SentAt, DateTimeOffset? ResponseDueAt, DateTimeOffset? AttendanceDueAt);

    /// <summary>
    /// One referral as the partner sees it. Client data only for consented and shared categories, and only while
    /// the referral is open and the consent stands; otherwise <see cref="ClientDataVisible"/> is false and the fields are null.
    /// </summary>
    public sealed record Detail(Guid Id, string Status, string StatusText, Guid ServiceId, string? ServiceName, string Urgency,
        DateTimeOffset? SentAt, DateTimeOffset? ResponseDueAt, bool ClientDataVisible, string? CaseReference,
        string? ContactDetails, string? Reason, string? CooperationPlanGoal, string? Note, string? HealthInformation,
        string[] VisibleCategories, string FeedbackLevel, string FeedbackLevelText, bool ForwardingAllowed,
        IReadOnlyList<FeedbackDto> Feedback, IReadOnlyList<string> AllowedActions, IReadOnlyList<IntakeAnswerDto> IntakeAnswers);

    /// <summary>An intake answer within the consent; answers outside it are left out altogether, question included.</summary>
    public sealed record IntakeAnswerDto(string QuestionId, string Question, string Category, string Answer);

    public sealed record FeedbackDto(Guid Id, string Kind, string? ReasonCode, bool? Attended, DateTimeOffset? AppointmentAt,
        Guid? ProposedServiceId, string? Note, DateTimeOffset At);

    public sealed class Queries(ReferralsDb db, ReferralAccess access, RouteVersions routes, IServiceLookup services, AuditLog audit, TimeProvider clock,
        ReferralStateMachine machine)
    {
        public async Task<IReadOnlyList<Summary>> ListAsync(ClaimsPrincipal principal, string? status, CancellationToken ct = default)
        {
            var user = principal.CurrentUser();
            if (user.OrganizationId is not { } org) return [];
            var query = db.Referrals.AsNoTracking().Where(r => r.OrganizationId == org && r.SentAt != null);
            if (ReferralAccess.ReferralScopeOf(principal) is { } only) query = query.Where(r => r.Id == only);
            if (!string.IsNullOrEmpty(status)) query = query.Where(r => r.Status == status);
            var rows = await query.OrderByDescending(r => r.SentAt).Take(500).ToListAsync(ct);
            return rows.Select(r => new Summary(r.Id, r.Status, ReferralStatus.German[r.Status], r.ServiceId, r.Urgency,
                r.SentAt, r.ResponseDueAt, r.AttendanceDueAt)).ToList();
        }

        public async Task<Detail> GetAsync(ClaimsPrincipal principal, Guid id, CancellationToken ct = default)
        {
            var referral = await access.ForPartnerAsync(principal, id, ct);
            var consent = await db.ConsentOfAsync(referral, ct);
            var route = await routes.GetAsync(db, referral.RouteCategory, referral.RouteVersion, ct);
            var today = clock.Today();
            var visible = ReferralStatus.VisibleToPartner.Contains(referral.Status)
                          && consent is not null && consent.RevokedAt is null && (consent.ExpiresOn is null || consent.ExpiresOn >= today);
            var categories = visible ? referral.SharedCategories.Intersect(consent!.DataCategories).ToArray() : [];
            bool Shows(string category) => categories.Contains(category);
            var feedback = await db.Feedback.AsNoTracking().Where(f => f.ReferralId == id).OrderBy(f => f.At).ToListAsync(ct);
            var service = await services.FindAsync(referral.ServiceId, ct);
            await audit.RecordAsync(new AuditEvent("referral.read.partner", "referral", id.ToString(),
                Detail: visible ? "categories " + string.Join(",", categories) : "no client data"), ct);
            return new Detail(referral.Id, referral.Status, ReferralStatus.German[referral.Status], referral.ServiceId, service?.ServiceName,
                referral.Urgency, referral.SentAt, referral.ResponseDueAt, visible,
                visible ? referral.CaseReference : null,
                Shows(DataCategories.Contact) ? referral.ContactDetails : null,
                Shows(DataCategories.Reason) ? referral.Reason : null,
                Shows(DataCategories.Reason) ? referral.CooperationPlanGoal : null,
                Shows(DataCategories.Reason) ? referral.Note : null,
                Shows(DataCategories.HealthAddiction) ? referral.HealthInformation : null,
                categories, referral.FeedbackLevel, FeedbackLevels.German[referral.FeedbackLevel], route.ForwardingAllowed,
                visible ? feedback.Select(f => new FeedbackDto(f.Id, f.Kind, f.ReasonCode, f.Attended, f.AppointmentAt, f.ProposedServiceId, f.Note, f.At)).ToList() : [],
                visible ? AllowedActions(principal, referral, route, machine, today) : [],
                IntakeAnswers.Read(referral.IntakeAnswers).Where(a => Shows(a.Category))
                    .Select(a => new IntakeAnswerDto(a.QuestionId, a.Question, a.Category, a.Answer)).ToList());
        }
    }

    /// <summary>
    /// The partner's events the machine allows in the referral's state, narrowed by what the machine does not know: the route's
    /// forwarding rule and the consented feedback level (the answering handlers check the same).
    /// </summary>
    private static IReadOnlyList<string> AllowedActions(ClaimsPrincipal principal, Referral referral, ReferralRoute route, ReferralStateMachine machine,
        DateOnly today)
    {
        var allowed = machine.AllowedEvents(referral.Workflow!.CurrentState);
        return E.ByPartner.Where(allowed.Contains).Where(e => PartnerLinks.LinkPurposes.Permits(principal, e)).Where(e => e switch
        {
            E.PartnerProposedForwarding => route.ForwardingAllowed,
            E.PartnerReportedProgress => FeedbackLevels.Allows(referral.FeedbackLevel, FeedbackLevels.Full),
            E.PartnerReportedOutcome => FeedbackLevels.Allows(referral.FeedbackLevel, FeedbackLevels.Outcome),
            E.PartnerReportedAttendance => AttendanceDayReached(referral.Workflow!.AppointmentAt, today),
            _ => true,
        }).ToList();
    }

    /// <summary>Attendance is reported from the appointment's day on (Berlin time); without a known appointment, at any time.</summary>
    public static bool AttendanceDayReached(DateTimeOffset? appointmentAt, DateOnly today)
        => appointmentAt is not { } at || AppointmentDay(at) <= today;

    public static DateOnly AppointmentDay(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, GermanTime.Berlin).Date);

    // ---- answers -----------------------------------------------------------------------------------

    /// <param name="Note">Where and how the appointment takes place (logistics only, at most 200 characters).</param>
    public sealed record AcceptRequest(DateTimeOffset? AppointmentAt, string? Note = null);
    public sealed record DeclineRequest(string? ReasonCode);
    public sealed record WaitlistRequest(string? Note);
    public sealed record ForwardRequest(Guid? ProposedServiceId, string? Note);
    public sealed record AttendanceRequest(bool? Attended);
    public sealed record ProgressRequest(string? Note);
    public sealed record OutcomeRequest(string? ReasonCode, string? Note);
    public sealed record AppointmentRequest(DateTimeOffset? AppointmentAt);

    public sealed record Answered(Guid ReferralId, Guid FeedbackId, string Status);

    public const int MaxNoteLength = 2000;
    public const int AppointmentYears = 2;

    public sealed class Responses(ReferralsDb db, ReferralAccess access, ReferralWorkflow workflow, RouteVersions routes, TimeProvider clock, AuditLog audit,
        IHttpContextAccessor http)
    {
        private ReferralStateMachine M => workflow.Machine;

        public Task<Answered> AcceptAsync(ClaimsPrincipal p, Guid id, AcceptRequest r, CancellationToken ct = default)
        {
            if (r.Note is { Length: > 200 })
                throw ReferralProblem.Field("note", "Ort und Hinweise zum Termin dürfen höchstens 200 Zeichen lang sein.");
            var at = Appointment(r.AppointmentAt);
            return AnswerAsync(p, id, "accepted", FeedbackLevels.Attendance, ct,
                f => { f.AppointmentAt = at; f.Note = string.IsNullOrWhiteSpace(r.Note) ? null : r.Note.Trim(); },
                (referral, f) => (M.PartnerAccepted, new ReferralAccepted(referral.Id, referral.OrganizationId, f.Id, at, f.At)));
        }

        public Task<Answered> DeclineAsync(ClaimsPrincipal p, Guid id, DeclineRequest r, CancellationToken ct = default)
        {
            if (!ReasonCodes.IsKnown(r.ReasonCode) || r.ReasonCode == ReasonCodes.CompletedWithResult)
                throw InvalidReason();
            return AnswerAsync(p, id, "declined", FeedbackLevels.Attendance, ct, f => f.ReasonCode = r.ReasonCode,
                (referral, f) => (M.PartnerDeclined, new ReferralDeclined(referral.Id, referral.OrganizationId, f.Id, r.ReasonCode!, f.At)));
        }

        public Task<Answered> WaitlistAsync(ClaimsPrincipal p, Guid id, WaitlistRequest r, CancellationToken ct = default)
        {
            CheckNote(r.Note);
            return AnswerAsync(p, id, "waitlisted", FeedbackLevels.Attendance, ct, f => { f.ReasonCode = ReasonCodes.NoCapacity; f.Note = r.Note?.Trim(); },
                (referral, f) => (M.PartnerWaitlisted, new ReferralWaitlisted(referral.Id, referral.OrganizationId, f.Id, f.At)));
        }

        public async Task<Answered> ForwardAsync(ClaimsPrincipal p, Guid id, ForwardRequest r, CancellationToken ct = default)
        {
            CheckNote(r.Note);
            var referral = await access.ForPartnerAsync(p, id, ct);
            var route = await routes.GetAsync(db, referral.RouteCategory, referral.RouteVersion, ct);
            if (!route.ForwardingAllowed)
                throw ReferralProblem.Unprocessable("Für diese Art von Angebot ist eine Weiterleitung an andere Partner nicht vorgesehen.");
            return await AnswerAsync(p, id, "forwarding-proposed", FeedbackLevels.Attendance, ct, f => { f.ProposedServiceId = r.ProposedServiceId; f.Note = r.Note?.Trim(); },
                (referral, f) => (M.PartnerProposedForwarding, new ForwardingProposed(referral.Id, referral.OrganizationId, f.Id, r.ProposedServiceId, f.At)));
        }

        public Task<Answered> OfferAppointmentAsync(ClaimsPrincipal p, Guid id, AppointmentRequest r, CancellationToken ct = default)
        {
            if (r.AppointmentAt is null)
                throw ReferralProblem.Field("appointmentAt", "Bitte geben Sie den Termin an.");
            var at = Appointment(r.AppointmentAt)!.Value;
            return AnswerAsync(p, id, "appointment-offered", FeedbackLevels.Attendance, ct, f => f.AppointmentAt = at,
                (referral, f) => (M.PartnerOfferedAppointment, new AppointmentOffered(referral.Id, referral.OrganizationId, f.Id, at, f.At)));
        }

        /// <summary>
        /// In UTC (timestamptz takes UTC only; any offset is accepted from the client), and within two years of today:
        /// a year 1 or 9999 is a typo or an attack, and deadlines counted from it would overflow.
        /// </summary>
        private DateTimeOffset? Appointment(DateTimeOffset? at)
        {
            if (at is not { } value) return null;
            var now = clock.GetUtcNow();
            if (value < now.AddYears(-AppointmentYears) || value > now.AddYears(AppointmentYears))
                throw ReferralProblem.Field("appointmentAt", $"Der Termin muss innerhalb von {AppointmentYears} Jahren vor oder nach dem heutigen Tag liegen.");
            return value.ToUniversalTime();
        }

        public Task<Answered> AttendanceAsync(ClaimsPrincipal p, Guid id, AttendanceRequest r, CancellationToken ct = default)
        {
            if (r.Attended is null)
                throw ReferralProblem.Field("attended", "Bitte geben Sie an, ob der Termin wahrgenommen wurde.");
            return AnswerAsync(p, id, "attendance", FeedbackLevels.Attendance, ct, f => f.Attended = r.Attended,
                (referral, f) => (M.PartnerReportedAttendance, new AttendanceReported(referral.Id, referral.OrganizationId, f.Id, r.Attended.Value, f.At)),
                check: referral =>
                {
                    if (!AttendanceDayReached(referral.Workflow?.AppointmentAt, clock.Today()))
                        throw ReferralProblem.Conflict(
                            $"Die Teilnahme kann erst ab dem Tag des Termins ({AppointmentDay(referral.Workflow!.AppointmentAt!.Value):dd.MM.yyyy}) gemeldet werden. Es wurde nichts geändert.");
                });
        }

        public Task<Answered> ProgressAsync(ClaimsPrincipal p, Guid id, ProgressRequest r, CancellationToken ct = default)
        {
            if (string.IsNullOrWhiteSpace(r.Note))
                throw ReferralProblem.Field("note", "Bitte beschreiben Sie den Verlauf.");
            CheckNote(r.Note);
            return AnswerAsync(p, id, "progress", FeedbackLevels.Full, ct, f => f.Note = r.Note!.Trim(),
                (referral, f) => (M.PartnerReportedProgress, new ProgressReported(referral.Id, referral.OrganizationId, f.Id, f.At)));
        }

        public Task<Answered> OutcomeAsync(ClaimsPrincipal p, Guid id, OutcomeRequest r, CancellationToken ct = default)
        {
            if (!ReasonCodes.IsKnown(r.ReasonCode)) throw InvalidReason();
            CheckNote(r.Note);
            return AnswerAsync(p, id, "outcome", FeedbackLevels.Outcome, ct, f => { f.ReasonCode = r.ReasonCode; f.Note = r.Note?.Trim(); },
                (referral, f) => (M.PartnerReportedOutcome, new OutcomeReported(referral.Id, referral.OrganizationId, f.Id, r.ReasonCode!, f.At)),
                noteNeeds: FeedbackLevels.Full, note: r.Note);
        }

        private async Task<Answered> AnswerAsync<T>(ClaimsPrincipal principal, Guid id, string kind, string levelNeeded, CancellationToken ct,
            Action<Feedback> fill, Func<Referral, Feedback, (Event<T>, T)> eventFor, string? noteNeeds = null, string? note = null,
            Action<Referral>? check = null)
            where T : class
        {
            var user = principal.CurrentUser();
            var referral = await access.ForPartnerAsync(principal, id, ct);
            if (!PartnerLinks.LinkPurposes.Permits(principal, EventOfAnswer[kind]))
            {
                await audit.RecordAsync(new AuditEvent("referral.feedback", "referral", id.ToString(), "refused", $"{kind} beyond the link's purpose"), ct);
                throw ReferralProblem.Forbidden(PartnerLinks.LinkPurposes.Refusal(principal));
            }
            var feedbackId = IdempotentAnswers.FeedbackId(http.HttpContext, id, user.Id);
            if (feedbackId is { } keyed
                && IdempotentAnswers.Repeat(await db.Feedback.AsNoTracking().FirstOrDefaultAsync(f => f.Id == keyed && f.ReferralId == id, ct), kind, referral) is { } repeat)
                return repeat;
            check?.Invoke(referral);
            var consent = await db.ConsentOfAsync(referral, ct);
            if (consent?.RevokedAt is not null)
                throw ReferralProblem.Conflict("Die Einwilligung wurde widerrufen. Rückmeldungen zu dieser Verweisung werden nicht mehr angenommen.");
            if (consent?.ExpiresOn is { } expires && expires < clock.Today())
                throw ReferralProblem.Conflict("Die Einwilligung ist abgelaufen. Rückmeldungen zu dieser Verweisung werden nicht mehr angenommen.");
            if (!FeedbackLevels.Allows(referral.FeedbackLevel, levelNeeded)
                || (noteNeeds is not null && !string.IsNullOrWhiteSpace(note) && !FeedbackLevels.Allows(referral.FeedbackLevel, noteNeeds)))
            {
                await audit.RecordAsync(new AuditEvent("referral.feedback", "referral", id.ToString(), "refused", $"{kind} beyond consent"), ct);
                throw ReferralProblem.Forbidden(
                    $"Die Einwilligung erlaubt nur diese Rückmeldung: {FeedbackLevels.German[referral.FeedbackLevel]}. Diese Angabe darf nicht übermittelt werden.");
            }
            var feedback = new Feedback { Id = feedbackId ?? Guid.CreateVersion7(), ReferralId = id, Kind = kind, ByUser = user.Id, At = clock.GetUtcNow() };
            fill(feedback);
            var (@event, data) = eventFor(referral, feedback);
            await workflow.ApplyAsync(referral, @event, data, Actor.Of(user), kind, ct, feedback);
            await audit.RecordAsync(new AuditEvent("referral.feedback", "referral", id.ToString(), Detail: kind), ct);
            return new Answered(id, feedback.Id, referral.Status);
        }

        /// <summary>The machine's event behind each kind of answer (what a prompt link's purpose is checked against).</summary>
        private static readonly IReadOnlyDictionary<string, string> EventOfAnswer = new Dictionary<string, string>
        {
            ["accepted"] = E.PartnerAccepted, ["declined"] = E.PartnerDeclined, ["waitlisted"] = E.PartnerWaitlisted,
            ["forwarding-proposed"] = E.PartnerProposedForwarding, ["appointment-offered"] = E.PartnerOfferedAppointment,
            ["attendance"] = E.PartnerReportedAttendance, ["progress"] = E.PartnerReportedProgress, ["outcome"] = E.PartnerReportedOutcome,
        };

        private static void CheckNote(string? note)
        {
            if (note is { Length: > MaxNoteLength })
                throw ReferralProblem.Field("note", $"Die Notiz darf höchstens {MaxNoteLength} Zeichen lang sein.");
        }

        private static ReferralProblem InvalidReason() => ReferralProblem.Field("reasonCode",
            "Bitte wählen Sie einen Grund: " + string.Join(", ", ReasonCodes.German.Select(x => $"{x.Key} ({x.Value})")) + ".");
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/partner/referrals").WithTags("Partner: Verweisungen")
            .RequireAuthorization(Policies.Partner).AddEndpointFilter<ReferralProblemFilter>();
        group.MapGet("/", async (ClaimsPrincipal user, Queries q, string? status, CancellationToken ct) => Results.Ok(await q.ListAsync(user, status, ct)))
            .WithSummary("Eingegangene Verweisungen der eigenen Organisation");
        group.MapGet("/{id:guid}", async (Guid id, ClaimsPrincipal user, Queries q, CancellationToken ct) => Results.Ok(await q.GetAsync(user, id, ct)))
            .WithSummary("Eine Verweisung (nur eingewilligte Datenkategorien)");
        group.MapPost("/{id:guid}/accept", async (Guid id, AcceptRequest r, ClaimsPrincipal u, Responses h, CancellationToken ct) => Results.Ok(await h.AcceptAsync(u, id, r, ct)))
            .WithSummary("Annehmen (optional mit Terminangebot)");
        group.MapPost("/{id:guid}/decline", async (Guid id, DeclineRequest r, ClaimsPrincipal u, Responses h, CancellationToken ct) => Results.Ok(await h.DeclineAsync(u, id, r, ct)))
            .WithSummary("Ablehnen mit Grund");
        group.MapPost("/{id:guid}/waitlist", async (Guid id, WaitlistRequest r, ClaimsPrincipal u, Responses h, CancellationToken ct) => Results.Ok(await h.WaitlistAsync(u, id, r, ct)))
            .WithSummary("Auf die Warteliste setzen (keine Kapazität)");
        group.MapPost("/{id:guid}/forward", async (Guid id, ForwardRequest r, ClaimsPrincipal u, Responses h, CancellationToken ct) => Results.Ok(await h.ForwardAsync(u, id, r, ct)))
            .WithSummary("Weiterleitung an einen anderen Partner vorschlagen");
        group.MapPost("/{id:guid}/appointment", async (Guid id, AppointmentRequest r, ClaimsPrincipal u, Responses h, CancellationToken ct) => Results.Ok(await h.OfferAppointmentAsync(u, id, r, ct)))
            .WithSummary("Termin anbieten");
        group.MapPost("/{id:guid}/attendance", async (Guid id, AttendanceRequest r, ClaimsPrincipal u, Responses h, CancellationToken ct) => Results.Ok(await h.AttendanceAsync(u, id, r, ct)))
            .WithSummary("Teilnahme melden (ja/nein)");
        group.MapPost("/{id:guid}/progress", async (Guid id, ProgressRequest r, ClaimsPrincipal u, Responses h, CancellationToken ct) => Results.Ok(await h.ProgressAsync(u, id, r, ct)))
            .WithSummary("Verlauf melden (nur mit Einwilligung „full“)");
        group.MapPost("/{id:guid}/outcome", async (Guid id, OutcomeRequest r, ClaimsPrincipal u, Responses h, CancellationToken ct) => Results.Ok(await h.OutcomeAsync(u, id, r, ct)))
            .WithSummary("Ergebnis vorschlagen (nur mit Einwilligung „outcome“ oder „full“)");
    }
}
