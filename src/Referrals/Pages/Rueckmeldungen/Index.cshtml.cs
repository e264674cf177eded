using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Inbox;

namespace Netzwerk.Referrals.Pages.Rueckmeldungen;

/// <summary>
/// /rueckmeldungen: the feedback inbox. Works as a plain page; js/inbox.js polls /api/inbox and inserts new items
/// while the page stays open.
/// </summary>
[Authorize(Policy = Policies.CaseWork)]
public sealed class IndexModel(FeedbackInbox.Queries inbox) : PageModel
{
    public FeedbackInbox.Page Inbox { get; private set; } = new(0, []);
    public bool UnreadOnly { get; private set; }
    public string? Message { get; private set; }

    public async Task OnGetAsync(bool ungelesen, CancellationToken ct)
    {
        UnreadOnly = ungelesen;
        Message = TempData["Message"] as string;
        Inbox = await inbox.ListAsync(User, UnreadOnly, take: 200, ct: ct);
    }

    public async Task<IActionResult> OnPostReadAsync(Guid itemId, bool ungelesen, CancellationToken ct)
    {
        if (!await this.TryAsync(() => inbox.MarkReadAsync(User, itemId, ct)))
            TempData["Message"] = "Diese Rückmeldung gibt es nicht oder sie ist nicht an Sie gerichtet.";
        return Redirect(ungelesen ? "/rueckmeldungen?ungelesen=true" : "/rueckmeldungen");
    }
}
