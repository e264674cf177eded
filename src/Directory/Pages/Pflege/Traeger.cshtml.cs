using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Pflege;

/// <summary>/pflege/traeger/{id|neu}: create or edit an organisation (incl. cooperation agreement) and see its history.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class TraegerModel(CatalogueEditor editor) : PageModel
{
    public sealed class OrganizationForm
    {
        public string? Name { get; set; }
        public string? Description { get; set; }
        public string? Email { get; set; }
        public string? ReferralEmail { get; set; }
        public string? Website { get; set; }
        public string? Phone { get; set; }
        public string? LegalStatus { get; set; }
        public bool CooperationAgreement { get; set; }
        public DateOnly? CooperationSince { get; set; }
        public string? CooperationNote { get; set; }
        public string? Status { get; set; }
    }

    [BindProperty] public OrganizationForm Form { get; set; } = new();
    public Organization? Organization { get; private set; }
    public List<Service> Services { get; private set; } = [];
    public List<HistoryEntry> History { get; private set; } = [];
    public Dictionary<string, string[]> Errors { get; private set; } = new();
    public bool Saved { get; private set; }
    public string? Error(string field) => Errors.TryGetValue(field, out var e) ? string.Join(" ", e) : null;

    public async Task<IActionResult> OnGetAsync(string id, string? meldung, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct)) return NotFound();
        if (Organization is { } o)
            Form = new OrganizationForm
            {
                Name = o.Name, Description = o.Description, Email = o.Email, ReferralEmail = o.ReferralEmail, Website = o.Website,
                Phone = o.Phones.FirstOrDefault()?.Number, LegalStatus = o.LegalStatus, CooperationAgreement = o.CooperationAgreement,
                CooperationSince = o.CooperationSince, CooperationNote = o.CooperationNote, Status = o.Status,
            };
        Saved = meldung == "gespeichert";
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(string id, CancellationToken ct)
    {
        Guid? existing = Guid.TryParse(id, out var g) ? g : null;
        if (id != "neu" && existing is null) return NotFound();
        var input = new OrganizationInput
        {
            Name = Form.Name, Description = Form.Description, Email = Form.Email, ReferralEmail = Form.ReferralEmail, Website = Form.Website,
            Phone = Form.Phone, LegalStatus = Form.LegalStatus, CooperationAgreement = Form.CooperationAgreement,
            CooperationSince = Form.CooperationSince, CooperationNote = Form.CooperationNote, Status = Form.Status,
        };
        var result = await ServiceCommands.SaveOrganizationAsync(editor, existing, input, User.CurrentUser(), ct);
        if (result.Outcome == CommandOutcome.NotFound) return NotFound();
        if (result.Outcome == CommandOutcome.Done) return Redirect($"/pflege/traeger/{result.Id}?meldung=gespeichert");
        Errors = result.Errors!.ToDictionary().ToDictionary(e => ServiceForm.FormField(e.Key), e => e.Value);
        editor.Db.ChangeTracker.Clear();
        await LoadAsync(id, ct);
        Response.StatusCode = 400;
        return Page();
    }

    private async Task<bool> LoadAsync(string id, CancellationToken ct)
    {
        if (id == "neu") return true;
        if (!Guid.TryParse(id, out var oid)) return false;
        Organization = await editor.Db.Organizations.AsNoTracking().Include(o => o.Phones).FirstOrDefaultAsync(o => o.Id == oid, ct);
        if (Organization is null) return false;
        Services = await editor.Db.Services.AsNoTracking().Where(s => s.OrganizationId == oid).OrderBy(s => s.Name).ToListAsync(ct);
        History = await CatalogueEditor.HistoryAsync(editor.Db.Database.GetDbConnection(), "organization", oid, ct);
        return true;
    }
}
