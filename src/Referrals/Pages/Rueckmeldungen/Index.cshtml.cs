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
public sealed class IndexModel(FeedbackInbox.Queries inbox, UnreadNotice.Store notices) : PageModel
{
    public UnreadNotice.Preference Notice { get; private set; } = new(false, null, UnreadNotice.DefaultHours);
    // the notice form (e-mail when feedback stays unread)
    [BindProperty] public bool NoticeEnabled { get; set; }
    [BindProperty] public string? NoticeEmail { get; set; }
    [BindProperty] public string? NoticeHours { get; set; }

    public FeedbackInbox.Page Inbox { get; private set; } = new(0, []);
    public bool UnreadOnly { get; private set; }
    public string? Message { get; private set; }

    public async Task OnGetAsync(bool ungelesen, CancellationToken ct)
    {
        UnreadOnly = ungelesen;
        Message = TempData["Message"] as string;
        Inbox = await inbox.ListAsync(User, UnreadOnly, take: 200, ct: ct);
        Notice = await notices.GetAsync(User, ct);
        NoticeEnabled = Notice.Enabled;
        NoticeEmail = Notice.Email;
        NoticeHours = Notice.AfterHours.ToString();
    }

    public async Task<IActionResult> OnPostNoticeAsync(CancellationToken ct)
    {
        int? hours = int.TryParse(NoticeHours, out var h) ? h : null;
        if (NoticeEnabled && hours is null) ModelState.AddModelError(nameof(NoticeHours), "Bitte eine ganze Zahl von Stunden angeben.");
        UnreadNotice.Preference? saved = null;
        if (ModelState.ErrorCount == 0 && await this.TryAsync(async () => saved = await notices.SaveAsync(User,
                new UnreadNotice.NoticeRequest(NoticeEnabled, NoticeEmail, hours), ct),
                new Dictionary<string, string> { ["email"] = nameof(NoticeEmail), ["afterHours"] = nameof(NoticeHours) }))
        {
            TempData["Message"] = saved!.Enabled
                ? $"Gespeichert: Sie erhalten eine E-Mail, wenn Rückmeldungen länger als {saved.AfterHours} Stunden ungelesen sind."
                : "Gespeichert: Sie erhalten keine E-Mail zu ungelesenen Rückmeldungen.";
            return Redirect("/rueckmeldungen");
        }
        var (enabled, email, hoursText) = (NoticeEnabled, NoticeEmail, NoticeHours);
        Inbox = await inbox.ListAsync(User, false, take: 200, ct: ct);
        Notice = await notices.GetAsync(User, ct);
        (NoticeEnabled, NoticeEmail, NoticeHours) = (enabled, email, hoursText); // show what was typed, next to its message
        return Page();
    }

    public async Task<IActionResult> OnPostReadAsync(Guid itemId, bool ungelesen, CancellationToken ct)
    {
        if (!await this.TryAsync(() => inbox.MarkReadAsync(User, itemId, ct)))
            TempData["Message"] = "Diese Rückmeldung gibt es nicht oder sie ist nicht an Sie gerichtet.";
        return Redirect(ungelesen ? "/rueckmeldungen?ungelesen=true" : "/rueckmeldungen");
    }
}
