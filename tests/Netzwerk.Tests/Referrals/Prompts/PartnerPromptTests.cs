using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Playwright;
using Netzwerk.Directory.Demo;
using Netzwerk.Platform.Time;
using Netzwerk.Referrals.Lifecycle;
using Netzwerk.Referrals.Lifecycle.Contracts;
using Netzwerk.Referrals.Prompts;
using Netzwerk.Tests.Identity;
using Netzwerk.Tests.Identity.PartnerLinks;
using Netzwerk.Tests.Infrastructure;
using Netzwerk.Workflows.Deadlines;
using Npgsql;

namespace Netzwerk.Tests.Referrals.Prompts;

/// <summary>The real SMTP server, the directory's demo catalogue, Chromium and a clock the test moves.</summary>
public sealed class PromptApp : PartnerLinkApp
{
    public ManualTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    protected override bool StandInServiceLookup => false;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(base.Settings)
    {
        ["Workflows:Deadlines:PollInterval"] = "00:00:00.200",
        ["PartnerPrompts:DigestPollInterval"] = "00:00:00.200",
        ["Smtp:BounceToken"] = "bounce-secret",
    };

    protected override void ConfigureTestServices(IServiceCollection services)
    {
        base.ConfigureTestServices(services);
        services.RemoveAll<TimeProvider>();
        services.AddSingleton<TimeProvider>(Clock);
    }
}

/// <summary>
/// Issue 16's bar: a silent partner is reminded on the right working day, told that the deadline passed, answers from the
/// link of the last mail, is asked for attendance after the appointment and answers from that mail, and is told when the
/// referral ends by revocation — each prompt exactly once, and no mail carries client data.
/// </summary>
public sealed class PartnerPromptTests(PromptApp app) : IClassFixture<PromptApp>
{
    private const string CaseReference = "BG-PROMPT-4711";
    private const string Reason = "Mietschulden und Stromsperre droht";
    private const string Contact = "Tel. 0151 2345678";
    private const string Goal = "Schuldenregulierung einleiten";
    private static readonly string Partner = DemoCatalogue.DebtCounsellingKamenzReferralEmail;

    private async Task PromptsOnAsync()
    {
        var coordinator = await app.ClientFor("nk.hoffmann");
        var put = await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", new
        {
            name = "Schuldnerberatung mit E-Mail-Erinnerungen",
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data", "referral-reason" }, defaultFeedbackLevel = "attendance" },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 3 }, escalationWorkingDays = 10, escalationTarget = "Teamleitung" },
                new { kind = "attendance", workingDaysAfterAppointment = 2 },
                new { kind = "partner-prompts", reminder = true, overdue = true, attendance = true, endNotice = true },
            },
        });
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
    }

    private Task<(Guid Referral, Guid Consent)> SendAsync(HttpClient fm) => SendAsync(app, fm);

    internal static async Task<(Guid Referral, Guid Consent)> SendAsync(PromptApp app, HttpClient fm)
    {
        var created = await fm.PostAsJsonAsync("/api/referrals", new
        {
            caseReference = CaseReference, serviceId = DemoCatalogue.Services.DebtCounsellingKamenz, reason = Reason, urgency = "soon",
            sharedCategories = new[] { "contact-data", "referral-reason" }, contactDetails = Contact, cooperationPlanGoal = Goal,
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var referral = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var consent = await fm.PostAsJsonAsync($"/api/referrals/{referral}/consent", new
        {
            purpose = "Vermittlung in die Schuldnerberatung", dataCategories = new[] { "contact-data", "referral-reason" },
            feedbackLevel = "attendance", form = "signed-paper", givenOn = app.Clock.Today(),
        });
        consent.StatusCode.ShouldBe(HttpStatusCode.OK, await consent.Content.ReadAsStringAsync());
        (await fm.PostAsync($"/api/referrals/{referral}/send", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        return (referral, (await consent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consentId").GetGuid());
    }

    /// <summary>The neutral reference of the referral, from its access-link mail (found by the link's row).</summary>
    private async Task<string> ReferenceAsync(Guid referral)
    {
        var reference = await TestProcesses.EventuallyAsync(async () =>
            await app.ScalarAsync<string>("SELECT reference FROM referrals.partner_access_links WHERE referral_id = $1 AND purpose = 'referral'", referral),
            "access link");
        await MailAsync(reference, "Neue Verweisung");
        return reference;
    }

    private IReadOnlyList<ReceivedMail> MailsAbout(string reference) => app.MailsTo(Partner).Where(m => m.Subject.Contains(reference)).ToList();

    private Task<ReceivedMail> MailAsync(string reference, string subjectPart, int seconds = 30)
        => TestProcesses.EventuallyAsync(() => Task.FromResult(MailsAbout(reference).FirstOrDefault(m => m.Subject.Contains(subjectPart))),
            $"mail '{subjectPart}'", seconds: seconds);

    private async Task<DateTimeOffset> DueAtAsync(Guid referral, string kind)
    {
        var at = await TestProcesses.EventuallyAsync(async () => await app.ScalarAsync<DateTime?>(
            "SELECT due_at FROM workflows.deadlines WHERE subject_id = $1 AND kind = $2 AND fired_at IS NULL AND cancelled_at IS NULL", referral, kind) is { } d
            ? (object)d : null, $"deadline {kind}");
        return new DateTimeOffset(DateTime.SpecifyKind((DateTime)at, DateTimeKind.Utc));
    }

    private void MoveClockTo(DateTimeOffset at)
    {
        if (at > app.Clock.GetUtcNow()) app.Clock.Advance(at - app.Clock.GetUtcNow());
    }

    private static Task<object> InboxShowsAsync(HttpClient fm, Guid referral, string kind) => TestProcesses.EventuallyAsync(async () =>
        (await ReferralTestApp.InboxAsync(fm, referral)).Any(i => i.GetProperty("kind").GetString() == kind) ? (object)kind : null,
        $"inbox item {kind}");

    private static string LinkIn(ReceivedMail mail, string baseUrl)
        => Regex.Match(mail.Body, Regex.Escape(baseUrl) + "/zugang/[A-Za-z0-9_-]{43}").Value;

    [Fact]
    public async Task A_silent_partner_is_reminded_then_told_it_is_overdue_answers_from_the_mail_reports_attendance_and_hears_of_the_end()
    {
        var fm = await app.ClientFor("fm.mueller");
        var partnerApi = await app.ClientFor("partner.schuldner");
        await PromptsOnAsync();
        var (referral, consent) = await SendAsync(fm);
        var reference = await ReferenceAsync(referral);
        var sentAt = (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{referral}")).GetProperty("sentAt").GetDateTimeOffset();

        // The reminder is due on the third working day after sending (the route's), not a calendar day earlier.
        var reminderAt = await DueAtAsync(referral, DeadlineKinds.Reminder);
        reminderAt.ShouldBe(WorkingDays.Add(sentAt, 3));
        MoveClockTo(reminderAt.AddMinutes(-1));
        await Task.Delay(1500);
        MailsAbout(reference).Count(m => m.Subject.Contains("Erinnerung")).ShouldBe(0);
        MoveClockTo(reminderAt.AddMinutes(1));
        var reminder = await MailAsync(reference, "Erinnerung");
        reminder.Body.ShouldContain("Schuldner- und Insolvenzberatung der Diakonie Kamenz");
        LinkIn(reminder, app.BaseUrl).ShouldNotBeEmpty(reminder.Body);

        var responseAt = await DueAtAsync(referral, DeadlineKinds.PartnerResponse);
        responseAt.ShouldBe(WorkingDays.Add(sentAt, 5));
        MoveClockTo(responseAt.AddMinutes(1));
        var overdue = await MailAsync(reference, "Antwortfrist abgelaufen");
        var link = LinkIn(overdue, app.BaseUrl);
        link.ShouldNotBeEmpty(overdue.Body);
        link.ShouldNotBe(LinkIn(reminder, app.BaseUrl)); // a fresh link per mail

        // The partner follows the link of the last mail and accepts, with an appointment the day after "today".
        var appointment = app.Clock.GetUtcNow().AddDays(1);
        var localAppointment = TimeZoneInfo.ConvertTime(appointment, GermanTime.Berlin);
        var context = await app.Browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, Locale = "de-DE" });
        var page = await context.NewPageAsync();
        await page.GotoAsync(link);
        new Uri(page.Url).AbsolutePath.ShouldBe($"/partner/verweisungen/{referral}");
        await page.GetByLabel("Termin (Datum und Uhrzeit, optional)").FillAsync(localAppointment.ToString("yyyy-MM-dd'T'HH:mm"));
        await page.ClickAsync("button:has-text('Annehmen')");
        await InboxShowsAsync(fm, referral, "accepted");

        // Before the appointment's day attendance is neither offered nor accepted.
        await page.GotoAsync($"/partner/verweisungen/{referral}");
        (await page.GetByRole(AriaRole.Button, new() { Name = "Teilnahme melden" }).CountAsync()).ShouldBe(0);
        await page.GotoAsync($"/partner/verweisungen/{referral}/teilnahme?antwort=wahrgenommen");
        (await page.Locator("[data-attendance-closed]").CountAsync()).ShouldBe(1);
        (await page.GetByRole(AriaRole.Button, new() { Name = "Antwort senden" }).CountAsync()).ShouldBe(0);
        var early = await ReferralTestApp.PostAsync(partnerApi, $"/api/partner/referrals/{referral}/attendance", new { attended = true });
        early.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await ReferralTestApp.ReadAsync(early)).GetProperty("detail").GetString()!.ShouldContain("erst ab dem Tag des Termins");

        // The working day after the appointment: "bitte Teilnahme zurückmelden", with one link per answer.
        var promptAt = await DueAtAsync(referral, DeadlineKinds.AttendancePrompt);
        promptAt.ShouldBe(ReferralStateMachine.AttendancePromptAt(appointment.ToUniversalTime()));
        MoveClockTo(promptAt.AddMinutes(1));
        var attendance = await MailAsync(reference, "Teilnahme zurückmelden");
        var attended = Regex.Match(attendance.Body, Regex.Escape(app.BaseUrl) + "/zugang/[A-Za-z0-9_-]{43}\\?antwort=wahrgenommen").Value;
        attended.ShouldNotBeEmpty(attendance.Body);
        attendance.Body.ShouldContain("?antwort=nicht-wahrgenommen");

        var answering = await (await app.Browser.Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseUrl, Locale = "de-DE" })).NewPageAsync();
        await answering.GotoAsync(attended);
        new Uri(answering.Url).AbsolutePath.ShouldBe($"/partner/verweisungen/{referral}/teilnahme");
        (await answering.GetByLabel("Termin wahrgenommen", new() { Exact = true }).IsCheckedAsync()).ShouldBeTrue();
        (await Axe.ViolationsAsync(answering)).ShouldBeEmpty();
        (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{referral}")).GetProperty("status").GetString().ShouldBe("accepted"); // GET changed nothing
        await answering.GetByRole(AriaRole.Button, new() { Name = "Antwort senden" }).ClickAsync();
        await answering.WaitForURLAsync(u => u.EndsWith($"/partner/verweisungen/{referral}"), Browser.DomReady);
        await InboxShowsAsync(fm, referral, "attendance");
        (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{referral}")).GetProperty("status").GetString().ShouldBe("in-progress");

        // The client revokes consent: the partner is told, without a link.
        (await fm.PostAsync($"/api/consents/{consent}/revoke", null)).IsSuccessStatusCode.ShouldBeTrue();
        var end = await MailAsync(reference, "beendet");
        end.Body.ShouldContain("nicht mehr zur Verfügung");
        end.Body.ShouldNotContain("/zugang/");

        // Each prompt once; the sent-mail log on the referral lists them without content.
        await Task.Delay(1500);
        var subjects = MailsAbout(reference).Select(m => m.Subject).ToList();
        subjects.Count.ShouldBe(5, string.Join(" | ", subjects));
        var log = await TestProcesses.EventuallyAsync(async () =>
        {
            var mails = (await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{referral}")).GetProperty("mails").EnumerateArray().ToList();
            return mails.Count == 5 && mails.All(m => m.GetProperty("sentAt").ValueKind == JsonValueKind.String) ? mails : null;
        }, "sent-mail log");
        log.Select(m => m.GetProperty("kind").GetString()).ShouldBe(
            ["partner-access-link", PromptKinds.Reminder, PromptKinds.Overdue, PromptKinds.Attendance, PromptKinds.EndNotice]);
        log.ShouldAllBe(m => m.GetProperty("recipient").GetString() == Partner);
        JsonSerializer.Serialize(log).ShouldNotContain("Erinnerung");
        await context.CloseAsync();

        NoMailCarriesClientData(referral);
    }

    /// <summary>Every mail the SMTP server received in this app — prompts and access links alike — is free of client data.</summary>
    private void NoMailCarriesClientData(Guid referral)
    {
        var all = System.IO.Directory.GetFiles(app.MailFolder, "*.json").Select(File.ReadAllText).ToList();
        all.ShouldNotBeEmpty();
        foreach (var mail in all)
            foreach (var secret in new[] { CaseReference, Reason, "Mietschulden", Contact, "0151", Goal, referral.ToString(), referral.ToString("N") })
                mail.ShouldNotContain(secret, Case.Insensitive);
    }

    [Fact]
    public async Task A_prompt_is_sent_once_however_often_its_deadline_is_fired_redelivered_or_queued()
    {
        var fm = await app.ClientFor("fm.mueller");
        await app.ClientFor("partner.schuldner"); // tokens before the clock moves (they are checked against the real time)
        await PromptsOnAsync();
        var (referral, _) = await SendAsync(fm);
        var reference = await ReferenceAsync(referral);
        var reminderAt = await DueAtAsync(referral, DeadlineKinds.Reminder);
        var deadlineId = await app.ScalarAsync<Guid>("SELECT id FROM workflows.deadlines WHERE subject_id = $1 AND kind = 'reminder'", referral);

        // Three pollers at once besides the app's own (as with several instances), then the deadline's message redelivered
        // and the prompt queued again as a restart would.
        MoveClockTo(reminderAt.AddMinutes(1));
        var poller = app.Services.GetServices<IHostedService>().OfType<DeadlinePoller>().Single();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => poller.FireDueAsync(CancellationToken.None))));
        await MailAsync(reference, "Erinnerung");
        await app.Services.GetRequiredService<IBus>().Publish(new ReferralReminderDue(referral, deadlineId, DeadlineKinds.Reminder, reminderAt));
        var prompts = app.Services.GetRequiredService<PartnerPrompts>();
        await using (var db = await app.OpenDatabaseAsync())
        await using (var tx = await db.BeginTransactionAsync())
        {
            await prompts.QueueAsync(db, tx, referral, PromptKinds.Reminder, deadlineId.ToString(), app.Clock.GetUtcNow(), CancellationToken.None);
            await tx.CommitAsync();
        }
        await Task.Delay(2000); // time for a duplicate, if there were one
        MailsAbout(reference).Count(m => m.Subject.Contains("Erinnerung")).ShouldBe(1);
        (await app.ScalarAsync<long>("SELECT count(*) FROM referrals.partner_prompts WHERE referral_id = $1", referral)).ShouldBe(1);
        (await app.ScalarAsync<long>("SELECT count(*) FROM platform.mail_log WHERE subject_id = $1 AND kind = $2", referral, PromptKinds.Reminder)).ShouldBe(1);
    }

    [Fact]
    public async Task Beyond_the_hourly_limit_per_address_a_prompt_waits_instead_of_going_out_at_once()
    {
        var fm = await app.ClientFor("fm.mueller");
        await app.ClientFor("partner.schuldner");
        await PromptsOnAsync();
        var (referral, _) = await SendAsync(fm);
        await ReferenceAsync(referral);
        var sp = app.Services;
        PartnerPrompts With(int limit) => new(sp.GetRequiredService<Netzwerk.Directory.Lookup.IServiceLookup>(),
            sp.GetRequiredService<Netzwerk.Platform.Mail.MailOutbox>(), sp.GetRequiredService<Netzwerk.Referrals.PartnerLinks.PartnerLinkSettings>(),
            new PartnerPromptSettings { PerRecipientPerHour = limit });

        async Task<TimeSpan> HeldForAsync(PartnerPrompts prompts, string occurrence)
        {
            await using var db = await app.OpenDatabaseAsync();
            await using (var tx = await db.BeginTransactionAsync())
            {
                await prompts.QueueAsync(db, tx, referral, PromptKinds.Reminder, occurrence, app.Clock.GetUtcNow(), CancellationToken.None);
                await tx.CommitAsync();
            }
            await using var cmd = new NpgsqlCommand("""
                SELECT extract(epoch FROM o.next_attempt_at - o.created_at) FROM referrals.partner_prompts p
                JOIN platform.mail_outbox o ON o.id = p.mail_id WHERE p.referral_id = $1 AND p.occurrence = $2
                """, db);
            cmd.Parameters.AddWithValue(referral);
            cmd.Parameters.AddWithValue(occurrence);
            return TimeSpan.FromSeconds((double)(decimal)(await cmd.ExecuteScalarAsync())!);
        }

        (await HeldForAsync(With(1000), "limit-a")).ShouldBeLessThan(TimeSpan.FromSeconds(1));
        (await HeldForAsync(With(1), "limit-b")).ShouldBeGreaterThan(TimeSpan.FromMinutes(30)); // "limit-a" went to the same address within the hour
    }

    [Fact]
    public async Task Without_the_route_step_no_prompt_goes_out()
    {
        var fm = await app.ClientFor("fm.mueller");
        await app.ClientFor("partner.schuldner");
        var coordinator = await app.ClientFor("nk.hoffmann");
        var put = await coordinator.PutAsJsonAsync("/api/routes/schuldnerberatung", new
        {
            name = "Schuldnerberatung ohne E-Mail-Erinnerungen",
            steps = new object[]
            {
                new { kind = "consent", requiredCategories = new[] { "contact-data", "referral-reason" }, defaultFeedbackLevel = "attendance" },
                new { kind = "response", responseWorkingDays = 5, reminderWorkingDays = new[] { 3 }, escalationWorkingDays = 10, escalationTarget = "Teamleitung" },
            },
        });
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var (referral, _) = await SendAsync(fm);
        var reference = await ReferenceAsync(referral);
        MoveClockTo((await DueAtAsync(referral, DeadlineKinds.PartnerResponse)).AddMinutes(1));
        await TestProcesses.EventuallyAsync(async () => await app.ScalarAsync<long>(
            "SELECT count(*) FROM workflows.deadlines WHERE subject_id = $1 AND kind IN ('reminder', 'partner-response') AND fired_at IS NOT NULL", referral) == 2
            ? "" : null, "deadlines fired");
        await Task.Delay(1500);
        MailsAbout(reference).Select(m => m.Subject).ShouldHaveSingleItem().ShouldContain("Neue Verweisung");
    }
}

/// <summary>A partner address the mail server refuses for good: no retries, a task for the Netzwerkkoordination, a flag on the referral.</summary>
public sealed class PartnerUnreachableTests(PromptApp app) : IClassFixture<PromptApp>
{
    [Fact]
    public async Task A_refused_address_becomes_a_coordinator_task_and_shows_on_the_referral()
    {
        var fm = await app.ClientFor("fm.mueller");
        var coordinator = await app.ClientFor("nk.hoffmann");
        await using (var db = await app.OpenDatabaseAsync())
        await using (var cmd = new NpgsqlCommand("UPDATE directory.service SET referral_email = 'unzustellbar@schuldnerberatung-kamenz.example' WHERE id = $1", db))
        {
            cmd.Parameters.AddWithValue(DemoCatalogue.Services.DebtCounsellingKamenz);
            (await cmd.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        var (referral, _) = await PartnerPromptTests.SendAsync(app, fm);

        var detail = await TestProcesses.EventuallyAsync(async () =>
        {
            var d = await fm.GetFromJsonAsync<JsonElement>($"/api/referrals/{referral}");
            return d.GetProperty("partnerUnreachable").GetBoolean() ? (object)d : null;
        }, "referral flagged unreachable");
        var mail = ((JsonElement)detail).GetProperty("mails").EnumerateArray().Single();
        mail.GetProperty("kind").GetString().ShouldBe("partner-access-link");
        mail.GetProperty("failedAt").ValueKind.ShouldBe(JsonValueKind.String);
        mail.GetProperty("sentAt").ValueKind.ShouldBe(JsonValueKind.Null);

        var task = await TestProcesses.EventuallyAsync(async () => (await ReferralTestApp.InboxAsync(coordinator, referral))
            .Cast<JsonElement?>().FirstOrDefault(i => i!.Value.GetProperty("kind").GetString() == PartnerUnreachable.InboxKind) is { } item ? (object)item : null,
            "coordinator task");
        ((JsonElement)task).GetProperty("title").GetString()!.ShouldContain("nicht erreichbar");
        (await ReferralTestApp.InboxAsync(fm, referral, timeout: TimeSpan.FromSeconds(1)))
            .ShouldNotContain(i => i.GetProperty("kind").GetString() == PartnerUnreachable.InboxKind);

        // Not retried: one attempt, and the outbox gives it up.
        await Task.Delay(1500);
        await using var check = await app.OpenDatabaseAsync();
        await using var attempts = new NpgsqlCommand("SELECT attempts FROM platform.mail_outbox WHERE subject_id = $1 AND failed_at IS NOT NULL", check);
        attempts.Parameters.AddWithValue(referral);
        (await attempts.ExecuteScalarAsync()).ShouldBe(1);
    }
}

/// <summary>The coordinator switches prompts per route on /wege; the switches are stored with the route version.</summary>
public sealed class PromptSwitchBrowserTests(PromptApp app) : IClassFixture<PromptApp>
{
    [Fact]
    public async Task Coordinator_switches_prompts_on_and_off_in_the_route_composer()
    {
        var coordinator = await app.Browser.NewPageAsync(new Uri(app.BaseUrl), demoUser: "nk.hoffmann");
        await coordinator.GotoAsync("/wege/bearbeiten?weg=schuldnerberatung");
        await coordinator.GetByLabel("Erinnerung vor Ablauf der Antwortfrist").CheckAsync();
        await coordinator.GetByLabel("Hinweis, wenn die Antwortfrist abgelaufen ist").CheckAsync();
        (await Axe.ViolationsAsync(coordinator)).ShouldBeEmpty("/wege/bearbeiten");
        await coordinator.GetByRole(AriaRole.Button, new() { Name = "Als neue Version speichern" }).ClickAsync();
        await coordinator.WaitForURLAsync(u => u.EndsWith("/wege"), Browser.DomReady);

        await coordinator.GotoAsync("/wege/weg?weg=schuldnerberatung");
        (await coordinator.TextContentAsync("main"))!.ShouldContain("Erinnerung, Fristablauf");
        await coordinator.GotoAsync("/wege/bearbeiten?weg=schuldnerberatung");
        (await coordinator.GetByLabel("Erinnerung vor Ablauf der Antwortfrist").IsCheckedAsync()).ShouldBeTrue();
        (await coordinator.GetByLabel("Hinweis, wenn die Antwortfrist abgelaufen ist").IsCheckedAsync()).ShouldBeTrue();
        (await coordinator.GetByLabel("„Bitte Teilnahme zurückmelden“ am Arbeitstag nach dem Termin").IsCheckedAsync()).ShouldBeFalse();
        (await coordinator.GetByLabel("Mitteilung, wenn die Verweisung durch Stornierung oder Widerruf endet").IsCheckedAsync()).ShouldBeFalse();

        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT s FROM referrals.routes r, jsonb_array_elements(r.steps) s
            WHERE r.category_code = 'schuldnerberatung' AND s->>'kind' = 'partner-prompts'
            ORDER BY r.version DESC LIMIT 1
            """, db);
        var step = JsonDocument.Parse((string)(await cmd.ExecuteScalarAsync())!).RootElement;
        step.GetProperty("reminder").GetBoolean().ShouldBeTrue();
        step.GetProperty("overdue").GetBoolean().ShouldBeTrue();
        step.GetProperty("attendance").GetBoolean().ShouldBeFalse();
        step.GetProperty("endNotice").GetBoolean().ShouldBeFalse();
    }
}
