using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Directory.ReferralAddresses;
using Netzwerk.Platform.Identity;
using Npgsql;

namespace Netzwerk.Directory.Pages.Pflege;

/// <summary>
/// /pflege/verweisungsadressen?traeger=…|angebot=…: the ordered fallback addresses for referral mails of an organisation or
/// (overriding it) of one service. Reached from the Träger and Angebot pages of /pflege and from the partner's /partner/angebote.
/// </summary>
[Authorize(Policy = Policies.SignedIn)]
public sealed class VerweisungsadressenModel(NpgsqlDataSource dataSource, TimeProvider clock) : PageModel
{
    public ReferralFallbacks.Addresses? Entry { get; private set; }
    [BindProperty] public string? Fallbacks { get; set; }
    public IReadOnlyList<string> Errors { get; private set; } = [];
    public string? Message { get; private set; }
    public bool ForPartner => User.CurrentUser().Role == Roles.Partner;

    public async Task<IActionResult> OnGetAsync(Guid? traeger, Guid? angebot, CancellationToken ct)
    {
        if (await LoadAsync(traeger, angebot, ct) is { } missing) return missing;
        Fallbacks = string.Join("\n", Entry!.Fallbacks);
        Message = TempData["Message"] as string;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(Guid? traeger, Guid? angebot, CancellationToken ct)
    {
        if (await LoadAsync(traeger, angebot, ct) is { } missing) return missing;
        var list = (Fallbacks ?? "").Split(['\n', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        try
        {
            var me = User.CurrentUser();
            await ReferralFallbacks.SaveAsync(dataSource, Entry!, list, me.Id, ForPartner ? "partner" : "pflege", clock.GetUtcNow(), ct);
        }
        catch (InvalidFallbacks e)
        {
            Errors = e.Errors;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        TempData["Message"] = "Die Ausweichadressen sind gespeichert.";
        return Redirect(angebot is { } s ? $"/pflege/verweisungsadressen?angebot={s}" : $"/pflege/verweisungsadressen?traeger={traeger}");
    }

    private async Task<IActionResult?> LoadAsync(Guid? traeger, Guid? angebot, CancellationToken ct)
    {
        if (traeger is null == angebot is null) return NotFound();
        Entry = await ReferralFallbacks.GetAsync(dataSource, traeger, angebot, ct);
        return Entry is not null && ReferralFallbacks.MayEdit(HttpContext, Entry) ? null : NotFound();
    }
}
