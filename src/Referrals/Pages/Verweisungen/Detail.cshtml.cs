using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Consents;
using Netzwerk.Referrals.Inbox;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Routes;
using Netzwerk.Referrals.Send;
using Netzwerk.Referrals.View;

namespace Netzwerk.Referrals.Pages.Verweisungen;

/// <summary>/verweisungen/{id}: one referral with consent, feedback and history; consent, send, cancel, close, revoke.</summary>
[Authorize(Policy = Policies.CaseWork)]
// Above the host's 1 MB default so that a too-large scan (up to 8 MB) gets a German message next to the field, not a 413.
[RequestSizeLimit(UploadLimit)]
[RequestFormLimits(MultipartBodyLengthLimit = UploadLimit)]
public sealed class DetailModel(
    ReferralQueries.Queries queries, ReferralsDb db, RecordConsent.Handler recordConsent, SendReferral.Handler send,
    CaseManagerActions.Handler actions, RevokeConsent.Handler revoke, ApproveReferral.Handler approval, Guardianships.Handler guardianships,
    TimeProvider clock, FeedbackInbox.Queries inbox) : PageModel
{
    public const int UploadLimit = 8 * 1024 * 1024;

    public ReferralQueries.Detail Referral { get; private set; } = null!;

    /// <summary>Whether the state machine allows this event now (the page offers only those actions).</summary>
    public bool Allows(string eventName) => Referral.AllowedActions.Contains(eventName);
    /// <summary>A draft the Fallmanager may send — to the partner, or first to the Teamleitung where the route asks for approval.</summary>
    public bool MaySend => Allows(ReferralStateMachine.EventNames.Sent) || NeedsApproval;
    public bool NeedsApproval => Allows(ReferralStateMachine.EventNames.SubmittedForApproval);
    public ReferralRoute? Route { get; private set; }
    public string? Message { get; private set; }
    public Guardianships.Response? Guardianship { get; private set; }
    public bool IsResponsible => User.CurrentUser().Role == Roles.CaseManager;
    public string Today => clock.Today().ToString("yyyy-MM-dd");

    // consent form
    [BindProperty] public string? Purpose { get; set; }
    [BindProperty] public string[] ConsentCategories { get; set; } = [];
    [BindProperty] public string? ConsentLevel { get; set; }
    [BindProperty] public string? ConsentForm { get; set; }
    [BindProperty] public string? GivenOn { get; set; }
    [BindProperty] public string? ExpiresOn { get; set; }
    [BindProperty] public string? ClientIsMinor { get; set; }
    [BindProperty] public string? GuardianName { get; set; }
    [BindProperty] public IFormFile? Evidence { get; set; }
    [BindProperty] public string? FormNumber { get; set; }
    [BindProperty] public string? GuardianshipScope { get; set; }
    [BindProperty] public string? RevokedBy { get; set; }
    // actions
    [BindProperty] public string? CancelReason { get; set; }
    [BindProperty] public string? Outcome { get; set; }
    [BindProperty] public string? CloseReason { get; set; }
    [BindProperty] public string? ConfirmRevoke { get; set; }
    [BindProperty] public string? RefuseReason { get; set; }

    private static readonly Dictionary<string, string> ConsentFields = new()
    {
        ["purpose"] = nameof(Purpose), ["dataCategories"] = nameof(ConsentCategories), ["feedbackLevel"] = nameof(ConsentLevel),
        ["form"] = nameof(ConsentForm), ["givenOn"] = nameof(GivenOn), ["expiresOn"] = nameof(ExpiresOn),
        ["guardianName"] = nameof(GuardianName), ["evidenceBase64"] = nameof(Evidence), ["clientIsMinor"] = nameof(ClientIsMinor), ["formNumber"] = nameof(FormNumber),
    };

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct)
    {
        var shown = await ShowAsync(id, ct, prefill: true);
        // Opening the referral is reading what came in about it: its inbox items stop counting as new.
        if (shown is PageResult) await inbox.MarkReferralReadAsync(User, id, ct);
        return shown;
    }

    public async Task<IActionResult> OnPostConsentAsync(Guid id, CancellationToken ct)
    {
        var givenOn = Ui.ParseDate(GivenOn);
        var expiresOn = Ui.ParseDate(ExpiresOn);
        if (!string.IsNullOrWhiteSpace(GivenOn) && givenOn is null) ModelState.AddModelError(nameof(GivenOn), "Bitte geben Sie ein gültiges Datum an.");
        if (!string.IsNullOrWhiteSpace(ExpiresOn) && expiresOn is null) ModelState.AddModelError(nameof(ExpiresOn), "Bitte geben Sie ein gültiges Ablaufdatum an.");
        string? evidence = null;
        if (Evidence is { Length: > 0 } file)
        {
            if (file.Length > RecordConsent.MaxEvidenceBytes)
                ModelState.AddModelError(nameof(Evidence), "Der Nachweis darf höchstens 5 MB groß sein.");
            else
            {
                using var buffer = new MemoryStream();
                await file.CopyToAsync(buffer, ct);
                var bytes = buffer.ToArray();
                if (RecordConsent.SniffEvidenceType(bytes) is null)
                    ModelState.AddModelError(nameof(Evidence), "Als Nachweis sind nur PDF-, PNG- oder JPEG-Dateien erlaubt.");
                else evidence = Convert.ToBase64String(bytes);
            }
        }
        if (ModelState.ErrorCount > 0)
        {
            ModelState.AddModelError("", "Die Einwilligung wurde nicht gespeichert.");
            return await ShowAsync(id, ct);
        }
        var ok = await this.TryAsync(() => recordConsent.HandleAsync(User, id, new RecordConsent.Request(
            Purpose, ConsentCategories, ConsentLevel, ConsentForm, givenOn, expiresOn, ClientIsMinor == "true",
            string.IsNullOrWhiteSpace(GuardianName) ? null : GuardianName, evidence,
            string.IsNullOrWhiteSpace(FormNumber) ? null : FormNumber), ct), ConsentFields);
        return ok ? Done(id, "Die Einwilligung ist erfasst. Sie können die Verweisung jetzt senden.") : await ShowAsync(id, ct);
    }

    public async Task<IActionResult> OnPostSendAsync(Guid id, CancellationToken ct)
    {
        SendReferral.Response? sent = null;
        return await this.TryAsync(async () => sent = await send.HandleAsync(User, id, ct))
            ? Done(id, sent!.Status == ReferralStatus.AwaitingApproval
                ? "Die Verweisung liegt der Teamleitung zur Freigabe vor. Nach der Freigabe wird sie an den Partner gesendet."
                : "Die Verweisung ist an den Partner gesendet.")
            : await ShowAsync(id, ct, prefill: true);
    }

    public async Task<IActionResult> OnPostApproveAsync(Guid id, CancellationToken ct)
        => await this.TryAsync(() => approval.ApproveAsync(User, id, ct))
            ? Done(id, "Die Verweisung ist freigegeben und an den Partner gesendet.") : await ShowAsync(id, ct);

    public async Task<IActionResult> OnPostRefuseApprovalAsync(Guid id, CancellationToken ct)
        => await this.TryAsync(() => approval.RefuseAsync(User, id, new ApproveReferral.RefuseRequest(RefuseReason), ct),
                new Dictionary<string, string> { ["reason"] = nameof(RefuseReason) })
            ? Done(id, "Die Verweisung ist an die Fallmanagerin / den Fallmanager zurückgegeben.") : await ShowAsync(id, ct);

    public async Task<IActionResult> OnPostCancelAsync(Guid id, CancellationToken ct)
        => await this.TryAsync(() => actions.CancelAsync(User, id, new CaseManagerActions.CancelRequest(CancelReason), ct),
                new Dictionary<string, string> { ["reason"] = nameof(CancelReason) })
            ? Done(id, "Die Verweisung ist storniert.") : await ShowAsync(id, ct);

    public async Task<IActionResult> OnPostEnteredInErrorAsync(Guid id, CancellationToken ct)
        => await this.TryAsync(() => actions.MarkEnteredInErrorAsync(User, id, ct))
            ? Done(id, "Die Verweisung ist als irrtümlich erfasst markiert.") : await ShowAsync(id, ct);

    public async Task<IActionResult> OnPostCloseAsync(Guid id, CancellationToken ct)
        => await this.TryAsync(() => actions.CloseAsync(User, id, new CaseManagerActions.CloseRequest(Outcome, CloseReason), ct),
                new Dictionary<string, string> { ["reasonCode"] = nameof(CloseReason) })
            ? Done(id, "Die Verweisung ist abgeschlossen.") : await ShowAsync(id, ct);

    public async Task<IActionResult> OnPostRevokeAsync(Guid id, CancellationToken ct)
    {
        if (ConfirmRevoke != "true")
        {
            ModelState.AddModelError(nameof(ConfirmRevoke), "Bitte bestätigen Sie, dass die Klientin bzw. der Klient die Einwilligung widerrufen hat.");
            return await ShowAsync(id, ct);
        }
        // the consent is looked up through the referral, so only someone who may see the referral gets this far
        var shown = await this.TryAsync(async () => Referral = await queries.GetAsync(User, id, ct));
        if (!shown) return NotFound();
        if (Referral.Consent is null)
        {
            ModelState.AddModelError("", "Für diese Verweisung ist keine Einwilligung erfasst.");
            return await ShowAsync(id, ct);
        }
        var ok = await this.TryAsync(() => revoke.HandleAsync(User, Referral.Consent.Id, ct, RevokedBy ?? "client"),
            new Dictionary<string, string> { ["revokedBy"] = nameof(RevokedBy) });
        return ok ? Done(id, "Der Widerruf ist erfasst. Offene Verweisungen mit dieser Einwilligung sind storniert; der Partner sieht keine Daten mehr.")
            : await ShowAsync(id, ct);
    }

    public async Task<IActionResult> OnPostGuardianshipAsync(Guid id, CancellationToken ct)
        => await this.TryAsync(() => guardianships.RecordAsync(User, id, new Guardianships.Request(GuardianshipScope), ct),
                new Dictionary<string, string> { ["scope"] = nameof(GuardianshipScope) })
            ? Done(id, "Die rechtliche Betreuung ist erfasst. Die Einwilligung der Betreuerin oder des Betreuers ist jetzt erforderlich.")
            : await ShowAsync(id, ct);

    public async Task<IActionResult> OnPostEndGuardianshipAsync(Guid id, CancellationToken ct)
        => await this.TryAsync(() => guardianships.EndAsync(User, id, ct))
            ? Done(id, "Die rechtliche Betreuung ist als beendet erfasst.") : await ShowAsync(id, ct);

    private RedirectResult Done(Guid id, string message)
    {
        TempData["Message"] = message;
        return Redirect($"/verweisungen/{id}");
    }

    private async Task<IActionResult> ShowAsync(Guid id, CancellationToken ct, bool prefill = false)
    {
        try
        {
            Referral = await queries.GetAsync(User, id, ct);
        }
        catch (ReferralProblem p) when (p.Status == 404)
        {
            return NotFound();
        }
        Route = await db.Routes.FindAsync([Referral.RouteCategory, Referral.RouteVersion], ct);
        Guardianship = await guardianships.GetAsync(User, id, ct);
        Message = TempData["Message"] as string;
        if (prefill && MaySend && Referral.Consent is null)
        {
            ConsentCategories = Referral.SharedCategories.Union(Route?.RequiredCategories ?? []).ToArray();
            ConsentLevel = Referral.FeedbackLevel;
            GivenOn = Today;
            ConsentForm = "signed-paper";
            Purpose = ConsentDeclaration.DraftPurpose(Referral.ServiceName, Referral.OrganizationName);
        }
        return Page();
    }
}
