using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Create;
using Netzwerk.Referrals.Routes;
using Netzwerk.Referrals.Suggestions;

namespace Netzwerk.Referrals.Pages.Verweisungen;

/// <summary>/verweisungen/neu?serviceId=…: the Fallmanager drafts a referral; the case reference travels only in the form body.</summary>
[Authorize(Policy = Policies.CaseWork)]
public sealed class NeuModel(IServiceLookup services, ReferralsDb db, SuggestPartners.Queries suggestions, CreateReferral.Handler create) : PageModel
{
    public ServiceSummary? Service { get; private set; }
    public ReferralRoute? Route { get; private set; }
    public IReadOnlyList<SuggestPartners.Suggestion> Alternatives { get; private set; } = [];
    /// <summary>The alternative the user asked to switch to: the page shows the "Partner wechseln?" question instead of the form.</summary>
    public SuggestPartners.Suggestion? SwitchCandidate { get; private set; }
    public string? Message { get; private set; }

    [BindProperty] public Guid? ServiceId { get; set; }
    [BindProperty] public string? CaseReference { get; set; }
    [BindProperty] public string? Reason { get; set; }
    [BindProperty] public string? Urgency { get; set; } = "normal";
    [BindProperty] public string[] SharedCategories { get; set; } = [];
    [BindProperty] public string? ContactDetails { get; set; }
    [BindProperty] public string? HealthInformation { get; set; }
    [BindProperty] public string? CooperationPlanGoal { get; set; }
    [BindProperty] public string? Note { get; set; }
    /// <summary>Question id → answer (form fields <c>IntakeAnswers[id]</c>).</summary>
    /// <remarks>
    /// Named explicitly: without a name, a form without intake fields (a route without questions) falls back to the empty
    /// prefix, and every other field of the form would be bound as an "answer".
    /// </remarks>
    [BindProperty(Name = "IntakeAnswers")] public Dictionary<string, string?> IntakeAnswers { get; set; } = [];
    /// <summary>The alternative's button ("Partner wechseln …"): asks first, changes nothing.</summary>
    [BindProperty] public Guid? SwitchTo { get; set; }
    /// <summary>The answer to "Partner wechseln?": the new partner's service, or the current one to stay.</summary>
    [BindProperty] public Guid? ChosenServiceId { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid? serviceId, CancellationToken ct)
    {
        ServiceId = serviceId;
        SharedCategories = [DataCategories.Contact, DataCategories.Reason];
        await LoadAsync(ct);
        if (serviceId is not null && Service is null) Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        CreateReferral.Response? created = null;
        var ok = await this.TryAsync(async () => created = await create.HandleAsync(User, new CreateReferral.Request(
            CaseReference, ServiceId ?? Guid.Empty, Reason, string.IsNullOrEmpty(Urgency) ? null : Urgency,
            SharedCategories, Blank(ContactDetails), Blank(HealthInformation), Blank(CooperationPlanGoal), Blank(Note), IntakeAnswers), ct));
        if (ok)
        {
            TempData["Message"] = "Der Entwurf ist angelegt. Erfassen Sie jetzt die Einwilligung der Klientin oder des Klienten, dann können Sie die Verweisung senden.";
            return Redirect($"/verweisungen/{created!.Id}");
        }
        await LoadAsync(ct);
        return Page();
    }

    /// <summary>Switching partner, step 1: name the current and the new partner and ask. Nothing is stored; the form's content is kept.</summary>
    public async Task<IActionResult> OnPostSwitchAsync(CancellationToken ct)
    {
        ModelState.Clear();
        await LoadAsync(ct);
        if (Service is null) return NotFound();
        SwitchCandidate = Alternatives.FirstOrDefault(a => a.ServiceId == SwitchTo);
        if (SwitchCandidate is null) ModelState.AddModelError("", "Dieses Angebot steht nicht zur Auswahl. Die Verweisung bleibt beim gewählten Partner.");
        return Page();
    }

    /// <summary>Switching partner, step 2: the form again, for the partner chosen in the question, with everything typed so far.</summary>
    public async Task<IActionResult> OnPostResumeAsync(CancellationToken ct)
    {
        ModelState.Clear();
        var switched = ChosenServiceId is { } chosen && chosen != ServiceId;
        if (ChosenServiceId is not null) ServiceId = ChosenServiceId;
        await LoadAsync(ct);
        if (Service is null) return NotFound();
        Message = switched
            ? $"Partner gewechselt: Die Verweisung geht jetzt an {Service.ServiceName} ({Service.OrganizationName}). Ihre Eingaben sind erhalten."
            : $"Die Verweisung geht weiterhin an {Service.ServiceName}.";
        return Page();
    }

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;

    private async Task LoadAsync(CancellationToken ct)
    {
        if (ServiceId is not { } id || id == Guid.Empty) return;
        Service = await services.FindAsync(id, ct);
        if (Service is null) return;
        Route = await RouteCatalogue.CurrentForAsync(db, Service, ct);
        try
        {
            Alternatives = (await suggestions.ForAsync(id, ct)).Where(s => s.ServiceId != id).Take(5).ToList();
        }
        catch (ReferralProblem)
        {
            Alternatives = [];
        }
    }
}
