using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Identity.Absences;

namespace Netzwerk.Platform.Pages;

[Authorize(Policy = Policies.CaseWork)]
public sealed class AbwesenheitenModel(AbsenceBook book) : PageModel
{
    public IReadOnlyList<AbsenceBook.Absence> Absences { get; private set; } = [];
    public IReadOnlyList<UserDirectory.KnownUser> Team { get; private set; } = [];
    public CurrentUser Me => User.CurrentUser();
    public string? Message { get; private set; }

    [BindProperty] public string? CaseManagerId { get; set; }
    [BindProperty] public string? DeputyId { get; set; }
    [BindProperty] public DateOnly? StartsOn { get; set; }
    [BindProperty] public DateOnly? EndsOn { get; set; }

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        switch (await book.RecordAsync(Me, new(CaseManagerId, DeputyId, StartsOn, EndsOn), ct))
        {
            case AbsenceBook.Invalid invalid:
                foreach (var (field, messages) in invalid.Errors)
                    foreach (var m in messages) ModelState.AddModelError(char.ToUpperInvariant(field[0]) + field[1..], m);
                break;
            case AbsenceBook.NotAllowed:
                ModelState.AddModelError(nameof(CaseManagerId), "Abwesenheiten erfassen Sie für sich selbst oder als Teamleitung für Ihr Team.");
                break;
            default:
                TempData["Message"] = "Die Abwesenheit ist eingetragen.";
                return RedirectToPage();
        }
        await LoadAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostDeleteAsync(Guid id, CancellationToken ct)
    {
        TempData["Message"] = await book.DeleteAsync(Me, id, ct) ? "Die Abwesenheit ist gelöscht." : "Diese Abwesenheit gibt es nicht (mehr).";
        return RedirectToPage();
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Message = TempData["Message"] as string;
        Absences = await book.VisibleToAsync(Me, ct);
        Team = await book.TeamAsync(Me, ct);
    }
}
