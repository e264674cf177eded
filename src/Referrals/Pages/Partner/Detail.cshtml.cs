using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Partner;
using Netzwerk.Referrals.Suggestions;
using Netzwerk.Referrals.Lifecycle;
using E = Netzwerk.Referrals.Lifecycle.ReferralStateMachine.EventNames;

namespace Netzwerk.Referrals.Pages.Partner;

/// <summary>
/// /partner/verweisungen/{id}: one incoming referral, only the consented data, and the answers the consent allows.
/// The page offers only what the feedback level permits; the handlers refuse anything beyond it anyway.
/// </summary>
[Authorize(Policy = Policies.Partner)]
public sealed class DetailModel(PartnerReferrals.Queries queries, PartnerReferrals.Responses responses, SuggestPartners.Queries suggestions,
    TimeProvider clock) : PageModel
{
    public PartnerReferrals.Detail Referral { get; private set; } = null!;
    public IReadOnlyList<SuggestPartners.Suggestion> ForwardTargets { get; private set; } = [];
    public string? Message { get; private set; }
    public bool SingleReferralSession => ReferralAccess.ReferralScopeOf(User) is not null;

    [BindProperty] public string? AppointmentAt { get; set; }
    [BindProperty] public string? AppointmentPlace { get; set; }
    [BindProperty] public string? DeclineReason { get; set; }
    [BindProperty] public string? WaitlistNote { get; set; }
    [BindProperty] public string? ProposedServiceId { get; set; }
    [BindProperty] public string? ForwardNote { get; set; }
    [BindProperty] public string? Attended { get; set; }
    [BindProperty] public string? ProgressNote { get; set; }
    [BindProperty] public string? OutcomeReason { get; set; }
    [BindProperty] public string? OutcomeNote { get; set; }

    // The referral's allowedActions: what the state machine allows now, narrowed by consent, feedback level and route.
    private bool Allows(string eventName) => Referral.AllowedActions.Contains(eventName);
    public bool CanAccept => Allows(E.PartnerAccepted);
    public bool CanDecline => Allows(E.PartnerDeclined);
    public bool CanWaitlist => Allows(E.PartnerWaitlisted);
    public bool CanForward => Allows(E.PartnerProposedForwarding);
    public bool CanOfferAppointment => Allows(E.PartnerOfferedAppointment);
    public bool CanReportAttendance => Allows(E.PartnerReportedAttendance);
    public bool CanReportProgress => Allows(E.PartnerReportedProgress);
    public bool CanReportOutcome => Allows(E.PartnerReportedOutcome);
    /// <summary>An appointment was already offered (with the acceptance or later): offering another one changes it.</summary>
    public bool AppointmentOffered => Referral.Feedback.Any(f => f.AppointmentAt is not null);
    /// <summary>The appointment's day while attendance waits for it (the machine would allow it, the day has not come).</summary>
    public DateOnly? AttendanceFrom => !CanReportAttendance && CanOfferAppointment
        && Referral.Feedback.LastOrDefault(f => f.AppointmentAt is not null)?.AppointmentAt is { } at
        && PartnerReferrals.AppointmentDay(at) > clock.Today()
            ? PartnerReferrals.AppointmentDay(at) : null;
    public bool OutcomeNoteAllowed => FeedbackLevels.Allows(Referral.FeedbackLevel, FeedbackLevels.Full);

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) => await ShowAsync(id, ct);

    public async Task<IActionResult> OnPostAcceptAsync(Guid id, CancellationToken ct)
    {
        var at = ParseAppointment(required: false);
        if (!ModelState.IsValid) return await ShowAsync(id, ct);
        return await AnswerAsync(id, () => responses.AcceptAsync(User, id, new PartnerReferrals.AcceptRequest(at, Blank(AppointmentPlace)), ct),
            at is null ? "Sie haben die Verweisung angenommen." : "Sie haben die Verweisung angenommen und einen Termin angeboten.", ct,
            new() { ["note"] = nameof(AppointmentPlace) });
    }

    public async Task<IActionResult> OnPostAppointmentAsync(Guid id, CancellationToken ct)
    {
        var at = ParseAppointment(required: true);
        if (!ModelState.IsValid) return await ShowAsync(id, ct);
        return await AnswerAsync(id, () => responses.OfferAppointmentAsync(User, id, new PartnerReferrals.AppointmentRequest(at), ct),
            "Der Termin ist übermittelt.", ct);
    }

    public Task<IActionResult> OnPostDeclineAsync(Guid id, CancellationToken ct)
        => AnswerAsync(id, () => responses.DeclineAsync(User, id, new PartnerReferrals.DeclineRequest(Blank(DeclineReason)), ct),
            "Sie haben die Verweisung abgelehnt.", ct, new() { ["reasonCode"] = nameof(DeclineReason) });

    public Task<IActionResult> OnPostWaitlistAsync(Guid id, CancellationToken ct)
        => AnswerAsync(id, () => responses.WaitlistAsync(User, id, new PartnerReferrals.WaitlistRequest(Blank(WaitlistNote)), ct),
            "Die Verweisung steht auf der Warteliste.", ct, new() { ["note"] = nameof(WaitlistNote) });

    public async Task<IActionResult> OnPostForwardAsync(Guid id, CancellationToken ct)
    {
        Guid? target = null;
        if (!string.IsNullOrWhiteSpace(ProposedServiceId))
        {
            if (Guid.TryParse(ProposedServiceId, out var g)) target = g;
            else ModelState.AddModelError(nameof(ProposedServiceId), "Bitte wählen Sie ein Angebot aus der Liste.");
        }
        if (!ModelState.IsValid) return await ShowAsync(id, ct);
        return await AnswerAsync(id, () => responses.ForwardAsync(User, id, new PartnerReferrals.ForwardRequest(target, Blank(ForwardNote)), ct),
            "Ihr Vorschlag zur Weiterleitung ist an das Jobcenter übermittelt.", ct, new() { ["note"] = nameof(ForwardNote) });
    }

    public async Task<IActionResult> OnPostAttendanceAsync(Guid id, CancellationToken ct)
    {
        bool? attended = Attended switch { "true" => true, "false" => false, _ => null };
        if (attended is null)
        {
            ModelState.AddModelError(nameof(Attended), "Bitte geben Sie an, ob der Termin wahrgenommen wurde.");
            return await ShowAsync(id, ct);
        }
        return await AnswerAsync(id, () => responses.AttendanceAsync(User, id, new PartnerReferrals.AttendanceRequest(attended), ct),
            "Die Teilnahme ist gemeldet.", ct);
    }

    public Task<IActionResult> OnPostProgressAsync(Guid id, CancellationToken ct)
        => AnswerAsync(id, () => responses.ProgressAsync(User, id, new PartnerReferrals.ProgressRequest(Blank(ProgressNote)), ct),
            "Die Verlaufsmeldung ist übermittelt.", ct, new() { ["note"] = nameof(ProgressNote) });

    public Task<IActionResult> OnPostOutcomeAsync(Guid id, CancellationToken ct)
        => AnswerAsync(id, () => responses.OutcomeAsync(User, id, new PartnerReferrals.OutcomeRequest(Blank(OutcomeReason), Blank(OutcomeNote)), ct),
            "Das Ergebnis ist an das Jobcenter übermittelt; abschließen wird die Fallmanagerin bzw. der Fallmanager.", ct,
            new() { ["reasonCode"] = nameof(OutcomeReason), ["note"] = nameof(OutcomeNote) });

    private DateTimeOffset? ParseAppointment(bool required)
    {
        if (string.IsNullOrWhiteSpace(AppointmentAt))
        {
            if (required) ModelState.AddModelError(nameof(AppointmentAt), "Bitte geben Sie Datum und Uhrzeit des Termins an.");
            return null;
        }
        var at = Ui.ParseLocal(AppointmentAt);
        if (at is null) ModelState.AddModelError(nameof(AppointmentAt), "Bitte geben Sie Datum und Uhrzeit im Format TT.MM.JJJJ HH:MM an.");
        return at;
    }

    private async Task<IActionResult> AnswerAsync(Guid id, Func<Task> answer, string done, CancellationToken ct, Dictionary<string, string>? fields = null)
    {
        if (await this.TryAsync(answer, fields))
        {
            TempData["Message"] = done;
            return Redirect($"/partner/verweisungen/{id}");
        }
        return await ShowAsync(id, ct);
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct)
    {
        try
        {
            Referral = await queries.GetAsync(User, id, ct);
        }
        catch (ReferralProblem p) when (p.Status == 404)
        {
            return NotFound();
        }
        Message = TempData["Message"] as string;
        if (CanForward)
        {
            try { ForwardTargets = (await suggestions.ForAsync(Referral.ServiceId, ct)).Where(s => s.ServiceId != Referral.ServiceId).Take(10).ToList(); }
            catch (ReferralProblem) { ForwardTargets = []; }
        }
        return Page();
    }
}
