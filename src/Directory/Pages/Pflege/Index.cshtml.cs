using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Pflege;

/// <summary>/pflege: the coordinators' list of entries, with a filter and the "due for verification" view.</summary>
[Authorize(Policy = Policies.Coordination)]
public sealed class IndexModel(DirectoryDbContext db, TimeProvider time) : PageModel
{
    public EntryPage Entries { get; private set; } = new(0, 1, 50, []);
    public string? Q { get; private set; }
    public string? Status { get; private set; }
    public bool Due { get; private set; }

    public async Task OnGetAsync(string? q, string? status, bool faellig, int? seite, CancellationToken ct)
    {
        (Q, Status, Due) = (q, EntryStatus.All.Contains(status) ? status : null, faellig);
        Entries = await EntryList.QueryAsync(db, time.GetUtcNow(), Q, Status, Due, null, seite ?? 1, 50, ct);
    }

    public static string StatusText(string status) => status switch
    {
        EntryStatus.Active => "aktiv",
        EntryStatus.TemporarilyClosed => "vorübergehend geschlossen",
        EntryStatus.Retired => "ausgeschieden",
        _ => status,
    };

    public string PageLink(int page) => $"/pflege?q={Uri.EscapeDataString(Q ?? "")}&status={Status}&faellig={(Due ? "true" : "false")}&seite={page}";
}
