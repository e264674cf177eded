using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Prompts;
using Npgsql;

namespace Netzwerk.Referrals.Pages.Partner;

/// <summary>/partner/e-mail-zustellung: the partner chooses immediate mails or a daily or weekly digest (PartnerDigests).</summary>
[Authorize(Policy = Policies.Partner)]
public sealed class ZustellungModel(NpgsqlDataSource dataSource, TimeProvider clock) : PageModel
{
    [BindProperty] public string? Delivery { get; set; }
    public string? Message { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        Delivery = (await PartnerDigests.GetAsync(dataSource, User, ct)).Delivery;
        Message = TempData["Message"] as string;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        PartnerDigests.DeliveryDto? saved = null;
        if (!await this.TryAsync(async () => saved = await PartnerDigests.SaveAsync(dataSource, User, Delivery, clock.GetUtcNow(), ct),
                new Dictionary<string, string> { ["delivery"] = nameof(Delivery) }))
            return Page();
        TempData["Message"] = $"Gespeichert: {saved!.Text}.";
        return Redirect("/partner/e-mail-zustellung");
    }
}
