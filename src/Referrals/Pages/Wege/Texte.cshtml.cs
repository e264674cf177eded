using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Prompts;
using Npgsql;

namespace Netzwerk.Referrals.Pages.Wege;

/// <summary>
/// /wege/e-mail-texte: the Netzwerkkoordination edits the texts of the e-mails to partners, previews them with sample values
/// and saves a new version; the next mail of that kind uses it. Placeholders for client data are refused (PromptTemplates).
/// </summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class TexteModel(NpgsqlDataSource dataSource, AuditLog audit, TimeProvider clock) : PageModel
{
    public string Kind { get; private set; } = PromptTemplates.Kinds[0].Kind;
    public IReadOnlyList<PromptTemplate> History { get; private set; } = [];
    public (string Subject, string Body)? Preview { get; private set; }
    public string? Message { get; private set; }
    [BindProperty] public string? Subject { get; set; }
    [BindProperty] public string? Body { get; set; }

    public async Task<IActionResult> OnGetAsync(string? art, CancellationToken ct)
    {
        if (await LoadAsync(art, ct) is { } missing) return missing;
        (Subject, Body) = (History[0].Subject, History[0].Body);
        Preview = PromptTemplates.Render(History[0], PromptTemplates.Sample(clock.GetUtcNow()));
        Message = TempData["Message"] as string;
        return Page();
    }

    public async Task<IActionResult> OnPostPreviewAsync(string? art, CancellationToken ct)
    {
        if (await LoadAsync(art, ct) is { } missing) return missing;
        Preview = TryPreview(Kind, Subject, Body);
        return Page();
    }

    public async Task<IActionResult> OnPostSaveAsync(string? art, CancellationToken ct)
    {
        if (await LoadAsync(art, ct) is { } missing) return missing;
        PromptTemplate? added = null;
        if (!await this.TryAsync(async () => added = await PromptTemplates.AddAsync(dataSource, Kind, Subject, Body, User.CurrentUser().Id, ct),
                new Dictionary<string, string> { ["subject"] = nameof(Subject), ["body"] = nameof(Body) }))
            return Page();
        await audit.RecordAsync(new AuditEvent("prompt-template.add", "prompt-template", $"{Kind}/{added!.Version}"), ct);
        TempData["Message"] = $"Version {added.Version} von „{PromptTemplates.NameOf(Kind)}“ ist gespeichert. Die nächste E-Mail dieser Art verwendet sie.";
        return Redirect($"/wege/e-mail-texte?art={Kind}");
    }

    private async Task<IActionResult?> LoadAsync(string? art, CancellationToken ct)
    {
        if (!User.CurrentUser().IsInRole(Roles.NetworkCoordinator, Roles.Administrator)) return Forbid();
        if (art is not null && PromptTemplates.NameOf(art) is null) return NotFound();
        Kind = art ?? Kind;
        History = await PromptTemplates.HistoryAsync(dataSource, Kind, ct);
        return History.Count == 0 ? NotFound() : null;
    }

    /// <summary>Each refused placeholder marks its own field (unlike PageSupport.TryAsync, which keeps the summary's message once).</summary>
    private (string Subject, string Body)? TryPreview(string kind, string? subject, string? body)
    {
        try
        {
            return PromptTemplates.Preview(kind, subject, body, clock.GetUtcNow());
        }
        catch (ReferralProblem p)
        {
            ModelState.AddModelError("", p.Detail);
            foreach (var (key, messages) in p.Errors ?? new Dictionary<string, string[]>())
                foreach (var m in messages) ModelState.AddModelError(key == "subject" ? nameof(Subject) : nameof(Body), m);
            return null;
        }
    }
}
