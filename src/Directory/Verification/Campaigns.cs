using System.Reflection;
using System.Text.Json;
using Dapper;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Mail;
using Netzwerk.Platform.Time;
using Npgsql;

namespace Netzwerk.Directory.Verification;

/// <summary>Configuration section <c>Directory:Campaigns</c> (and the top-level <c>PublicBaseUrl</c> for the links).</summary>
public sealed class CampaignSettings
{
    public int ReminderWorkingDays { get; set; } = 5;
    public int MaxReminders { get; set; } = 2;
    public int LinkLifetimeDays { get; set; } = 30;
    /// <summary>A mail still unsent after this many failed attempts counts as undeliverable on the campaign page.</summary>
    public int UndeliverableAfterAttempts { get; set; } = 5;
    public TimeSpan ReminderPollInterval { get; set; } = TimeSpan.FromMinutes(5);
    public string PublicBaseUrl { get; set; } = "http://localhost:5080";
}

public static class CampaignSelections
{
    public const string Due = "faellig", Category = "kategorie", District = "landkreis", Organization = "traeger", All = "alle";
    public static readonly string[] AllKinds = [Due, Category, District, Organization, All];
}

public sealed record CampaignInput(string? Selection, string? Value, int? ReminderWorkingDays);

public sealed record CampaignCounts(int Partners, int Entries, int Sent, int Opened, int Confirmed, int Changed, int NoAnswer, int Undeliverable);

public sealed record CampaignView(Guid Id, string Title, string Selection, DateTime CreatedAt, string CreatedBy, int ReminderWorkingDays,
    int MaxReminders, DateTime LinkExpiresAt, CampaignCounts Counts, List<RequestView> Requests);

/// <summary>One partner in a campaign. <see cref="State"/>: unzustellbar, offen, geöffnet, bestätigt, geändert.</summary>
public sealed record RequestView(Guid Id, Guid OrganizationId, string OrganizationName, string? EmailDomain, string? Phone, string State,
    DateTime? SentAt, DateTime? OpenedAt, DateTime? AnsweredAt, int Reminders, bool ReminderLimitReached, List<ItemView> Items);

public sealed record ItemView(Guid ServiceId, string ServiceName, string? Answer, DateTime? AnsweredAt, string? Note,
    DateTime? ReviewedAt, string? ReviewedBy, List<FieldChange> Changes, string[]? AcceptedFields);

public sealed record FieldChange(string Field, string? OldValue, string? NewValue);

/// <summary>What a partner answers for one entry: unchanged, or the fields it changes (null = keep).</summary>
public sealed record EntryAnswer(Guid ServiceId, bool Unchanged, ServiceInput? Changes, string? Note);

public sealed record ReviewInput(List<string>? AcceptedFields);

/// <summary>The partner's view through the link: its entries in this campaign, with their current values.</summary>
public sealed record LinkView(Guid RequestId, string OrganizationName, DateTime ExpiresAt, List<LinkEntry> Entries);

public sealed record LinkEntry(Guid ServiceId, string Name, ServiceInput Current, string? Answer, bool Reviewed);

/// <summary>
/// Verification campaigns: the coordination picks entries, every partner's contact gets one e-mail (durable mail outbox,
/// in the transaction that records the request, so exactly one) with a single-purpose link to all of its entries in
/// the campaign; "unverändert" verifies an entry at once (who: the partner's address, how: link), changes wait for the
/// coordinator, who accepts or rejects them field by field, which then verifies the entry. Reminders after N working days.
/// The link is a random token of which only the SHA-256 hash is stored; it opens nothing but this organisation's entries
/// in this campaign, until the campaign's expiry.
/// </summary>
public sealed class Campaigns(CatalogueEditor editor, MailOutbox mail, CampaignSettings settings, NpgsqlDataSource dataSource)
{
    public const string MailKind = "verification-campaign";
    public const string Via = "link";


    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<CommandResult> CreateAsync(CampaignInput input, CurrentUser user, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var kind = input.Selection?.Trim().ToLowerInvariant();
        var value = string.IsNullOrWhiteSpace(input.Value) ? null : input.Value.Trim();
        if (kind is null || !CampaignSelections.AllKinds.Contains(kind))
            errors.Add("selection", "Bitte wählen Sie, welche Einträge geprüft werden sollen.");
        else if (kind is CampaignSelections.Category or CampaignSelections.District or CampaignSelections.Organization && value is null)
            errors.Add("value", kind switch
            {
                CampaignSelections.Category => "Bitte wählen Sie eine Kategorie.",
                CampaignSelections.District => "Bitte wählen Sie einen Landkreis oder eine Stadt.",
                _ => "Bitte wählen Sie einen Träger.",
            });
        Guid? org = null;
        if (kind == CampaignSelections.Organization && value is not null)
        {
            if (Guid.TryParse(value, out var o)) org = o;
            else errors.Add("value", "Der Träger ist nicht bekannt.");
        }
        var reminderDays = input.ReminderWorkingDays ?? settings.ReminderWorkingDays;
        if (reminderDays is < 1 or > 30) errors.Add("reminderWorkingDays", "Die Erinnerung kommt nach 1 bis 30 Arbeitstagen.");
        if (errors.Any) return CommandResult.Invalid(errors);

        var now = editor.Now;
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        var (conn, dbTx) = editor.Connection();
        var entries = (await conn.QueryAsync<(Guid ServiceId, Guid OrganizationId)>(new CommandDefinition("""
            SELECT s.id, s.organization_id FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
            WHERE s.status <> 'retired' AND o.status <> 'retired'
              AND CASE @kind
                    WHEN 'faellig' THEN s.verified_at IS NULL OR s.verified_at < @dueBefore
                    WHEN 'kategorie' THEN EXISTS (SELECT 1 FROM directory.service_taxonomy_term st JOIN directory.taxonomy_term t ON t.id = st.taxonomy_term_id
                                                 WHERE st.service_id = s.id AND t.code = @value)
                    WHEN 'landkreis' THEN EXISTS (SELECT 1 FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
                                                 WHERE sal.service_id = s.id AND l.district = @value)
                    WHEN 'traeger' THEN s.organization_id = @org
                    ELSE true END
            ORDER BY s.organization_id, s.name
            """, new { kind, value, org, dueBefore = now - EntryList.VerificationInterval }, dbTx, cancellationToken: ct))).ToList();
        if (entries.Count == 0)
        {
            errors.Add("selection", "Für diese Auswahl gibt es keine Einträge.");
            return CommandResult.Invalid(errors);
        }
        var label = kind switch
        {
            CampaignSelections.Due => "Prüfung fällig",
            CampaignSelections.Category => $"Kategorie: {(await editor.TermsAsync(ct)).Find(TaxonomyCodes.PartnerKind, value!)?.Name ?? value}",
            CampaignSelections.District => $"Landkreis / Stadt: {value}",
            CampaignSelections.Organization => $"Träger: {await editor.Db.Organizations.Where(o => o.Id == org).Select(o => o.Name).FirstOrDefaultAsync(ct) ?? value}",
            _ => "Alle Einträge",
        };
        var id = Guid.CreateVersion7();
        var expires = now.AddDays(settings.LinkLifetimeDays);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO directory.verification_campaign (id, title, selection, created_at, created_by, reminder_working_days, max_reminders, link_expires_at)
            VALUES (@id, @title, @label, @now, @by, @reminderDays, @max, @expires)
            """, new { id, title = $"Prüfaktion vom {TimeZoneInfo.ConvertTime(now, GermanTime.Berlin):dd.MM.yyyy}", label, now, by = user.Name, reminderDays, max = settings.MaxReminders, expires },
            dbTx, cancellationToken: ct));
        var orgIds = entries.Select(e => e.OrganizationId).Distinct().ToArray();
        var contacts = (await conn.QueryAsync<(Guid Id, string Name, string? Email, string? ReferralEmail)>(new CommandDefinition(
            "SELECT id, name, email, referral_email FROM directory.organization WHERE id = ANY(@orgIds)", new { orgIds }, dbTx, cancellationToken: ct)))
            .ToDictionary(o => o.Id);
        foreach (var group in entries.GroupBy(e => e.OrganizationId))
        {
            var c = contacts[group.Key];
            var email = new[] { c.Email, c.ReferralEmail }.FirstOrDefault(e => e is not null && EntryRules.IsEmail(e));
            var requestId = Guid.CreateVersion7();
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO directory.verification_request (id, campaign_id, organization_id, email) VALUES (@requestId, @id, @org, @email);
                INSERT INTO directory.verification_item (request_id, service_id) SELECT @requestId, unnest(@services);
                """, new { requestId, id, org = group.Key, email, services = group.Select(e => e.ServiceId).ToArray() }, dbTx, cancellationToken: ct));
            if (email is not null) await SendLinkAsync(conn, dbTx!, requestId, email, group.Count(), expires, reminder: 0, now, ct);
        }
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, id);
    }

    /// <summary>A new link for the request, and the mail that carries it, in the caller's transaction.</summary>
    private async Task SendLinkAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid requestId, string email, int entries, DateTimeOffset expires,
        int reminder, DateTimeOffset now, CancellationToken ct)
    {
        var token = LinkTokens.New();
        var url = $"{settings.PublicBaseUrl.TrimEnd('/')}/pruefung/{token}";
        var expiresLocal = TimeZoneInfo.ConvertTime(expires, GermanTime.Berlin);
        var body = $"""
            Guten Tag,

            {(reminder > 0 ? "wir erinnern freundlich an unsere Bitte: " : "")}das Jobcenter bittet Sie, Ihre {(entries == 1 ? "Angabe" : $"{entries} Angaben")} im Partnerverzeichnis zu prüfen
            (Beschreibung, Öffnungszeiten, Adresse, Voraussetzungen, Sprachen, Barrierefreiheit, freie Plätze und Wartezeit).
            Wenn alles stimmt, genügt ein Klick auf „unverändert“; Änderungen sehen wir uns an, bevor sie erscheinen.

            {url}

            Der Link gilt bis {expiresLocal:dd.MM.yyyy} und nur für Ihre Einträge. Bitte leiten Sie ihn nicht weiter.

            Mit freundlichen Grüßen
            Ihre Netzwerkkoordination
            """;
        var subject = reminder > 0 ? "Erinnerung: Bitte prüfen Sie Ihre Einträge im Partnerverzeichnis" : "Bitte prüfen Sie Ihre Einträge im Partnerverzeichnis";
        var mailId = await mail.EnqueueAsync(conn, tx, new OutgoingMail(MailKind, email, subject, body), ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO directory.verification_link (token_hash, request_id, mail_id) VALUES (@hash, @requestId, @mailId);
            UPDATE directory.verification_request SET sent_at = coalesce(sent_at, @now), last_mail_at = @now WHERE id = @requestId;
            """, new { hash = LinkTokens.Hash(token), requestId, mailId, now }, tx, cancellationToken: ct));
    }

    /// <summary>
    /// Reminders for requests without an answer whose last mail is N working days old, at most the campaign's number.
    /// The guarded UPDATE (same reminder count) and the mail share a transaction: several instances send each reminder once.
    /// </summary>
    public async Task<int> SendRemindersAsync(CancellationToken ct)
    {
        var now = editor.Now;
        var conn0 = editor.Db.Database.GetDbConnection();
        var candidates = await conn0.QueryAsync<(Guid Id, string Email, DateTime LastMailAt, int Reminders, int Days, DateTime Expires, int Entries)>(new CommandDefinition("""
            SELECT r.id, r.email, r.last_mail_at, r.reminders, c.reminder_working_days, c.link_expires_at,
                   (SELECT count(*)::int FROM directory.verification_item i WHERE i.request_id = r.id)
            FROM directory.verification_request r JOIN directory.verification_campaign c ON c.id = r.campaign_id
            WHERE r.answered_at IS NULL AND r.email IS NOT NULL AND r.last_mail_at IS NOT NULL AND r.reminders < c.max_reminders
              AND c.link_expires_at > @now
            """, new { now }, cancellationToken: ct));
        var sent = 0;
        foreach (var c in candidates)
        {
            if (WorkingDays.Add(new DateTimeOffset(DateTime.SpecifyKind(c.LastMailAt, DateTimeKind.Utc)), c.Days) > now) continue;
            await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
            var (conn, dbTx) = editor.Connection();
            var claimed = await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE directory.verification_request SET reminders = reminders + 1 WHERE id = @id AND reminders = @n AND answered_at IS NULL",
                new { id = c.Id, n = c.Reminders }, dbTx, cancellationToken: ct));
            if (claimed == 1)
            {
                await SendLinkAsync(conn, dbTx!, c.Id, c.Email, c.Entries, new DateTimeOffset(DateTime.SpecifyKind(c.Expires, DateTimeKind.Utc)), c.Reminders + 1, now, ct);
                sent++;
            }
            await tx.CommitAsync(ct);
        }
        return sent;
    }

    private sealed record LinkRow(Guid RequestId, Guid OrganizationId, string OrganizationName, string? Email, DateTime ExpiresAt, DateTime? OpenedAt);

    private async Task<LinkRow?> FindLinkAsync(string token, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100) return null;
        var row = await editor.Db.Database.GetDbConnection().QuerySingleOrDefaultAsync<LinkRow>(new CommandDefinition("""
            SELECT r.id AS RequestId, r.organization_id AS OrganizationId, o.name AS OrganizationName, r.email AS Email,
                   c.link_expires_at AS ExpiresAt, r.opened_at AS OpenedAt
            FROM directory.verification_link k JOIN directory.verification_request r ON r.id = k.request_id
            JOIN directory.verification_campaign c ON c.id = r.campaign_id JOIN directory.organization o ON o.id = r.organization_id
            WHERE k.token_hash = @hash
            """, new { hash = LinkTokens.Hash(token) }, cancellationToken: ct));
        return row is null || new DateTimeOffset(DateTime.SpecifyKind(row.ExpiresAt, DateTimeKind.Utc)) <= editor.Now ? null : row;
    }

    /// <summary>The partner opens the link: its entries with their current values; the first opening is recorded.</summary>
    public async Task<LinkView?> OpenAsync(string token, CancellationToken ct)
    {
        var link = await FindLinkAsync(token, ct);
        if (link is null) return null;
        var conn = editor.Db.Database.GetDbConnection();
        if (link.OpenedAt is null)
            await conn.ExecuteAsync(new CommandDefinition("UPDATE directory.verification_request SET opened_at = @now WHERE id = @id AND opened_at IS NULL",
                new { now = editor.Now, id = link.RequestId }, cancellationToken: ct));
        var items = (await conn.QueryAsync<(Guid ServiceId, string? Answer, DateTime? ReviewedAt)>(new CommandDefinition(
            "SELECT service_id, answer, reviewed_at FROM directory.verification_item WHERE request_id = @id", new { id = link.RequestId }, cancellationToken: ct))).ToList();
        var ids = items.Select(i => i.ServiceId).ToList();
        var services = await editor.ServicesWithDetails.AsNoTracking().Where(s => ids.Contains(s.Id)).OrderBy(s => s.Name).ToListAsync(ct);
        var terms = await editor.TermsAsync(ct);
        return new LinkView(link.RequestId, link.OrganizationName, link.ExpiresAt, services.Select(s =>
        {
            var item = items.First(i => i.ServiceId == s.Id);
            return new LinkEntry(s.Id, s.Name, CatalogueEditor.ToInput(s, terms), item.Answer, item.ReviewedAt is not null);
        }).ToList());
    }

    /// <summary>
    /// The partner's answers. "Unverändert" verifies the entry now (and refreshes the age of free places and waiting time);
    /// changes are kept for the coordinator. Answers to entries already reviewed are ignored; others may be given again.
    /// </summary>
    public async Task<CommandResult> AnswerAsync(string token, List<EntryAnswer> answers, CancellationToken ct)
    {
        var link = await FindLinkAsync(token, ct);
        if (link is null) return CommandResult.NotFound;
        var errors = new FieldErrors();
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        var (conn, dbTx) = editor.Connection();
        var open = (await conn.QueryAsync<Guid>(new CommandDefinition(
            "SELECT service_id FROM directory.verification_item WHERE request_id = @id AND reviewed_at IS NULL FOR UPDATE",
            new { id = link.RequestId }, dbTx, cancellationToken: ct))).ToHashSet();
        var terms = await editor.TermsAsync(ct);
        var now = editor.Now;
        var by = link.Email ?? $"Partner ({link.OrganizationName})";
        foreach (var a in answers.Where(a => open.Contains(a.ServiceId)))
        {
            var s = await editor.LoadServiceAsync(a.ServiceId, ct);
            if (s is null) continue;
            var current = CatalogueEditor.ToInput(s, terms);
            var changes = a.Unchanged || a.Changes is null ? [] : Diff(current, Partner.PartnerListing.Merge(current, a.Changes));
            if (a.Note is { Length: > EntryRules.MaxText }) errors.Add($"note-{a.ServiceId}", $"„{s.Name}“: Der Hinweis ist zu lang.");
            if (changes.Count > 0)
            {
                var e = new FieldErrors();
                await editor.ValidateAsync(Partner.PartnerListing.Merge(current, a.Changes!), e, organizationRequired: false, ct);
                foreach (var m in e.Messages) errors.Add($"entry-{a.ServiceId}", $"„{s.Name}“: {m}");
                await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE directory.verification_item SET answer = 'changed', answered_at = @now, changes = @changes::jsonb, note = @note
                    WHERE request_id = @rid AND service_id = @sid
                    """, new { now, changes = JsonSerializer.Serialize(a.Changes, Json), note = a.Note?.Trim(), rid = link.RequestId, sid = a.ServiceId }, dbTx, cancellationToken: ct));
            }
            else
            {
                Verify(s, by, now, refreshFigures: true);
                await conn.ExecuteAsync(new CommandDefinition("""
                    UPDATE directory.verification_item SET answer = 'unchanged', answered_at = @now, changes = NULL, note = @note
                    WHERE request_id = @rid AND service_id = @sid
                    """, new { now, note = a.Note?.Trim(), rid = link.RequestId, sid = a.ServiceId }, dbTx, cancellationToken: ct));
            }
        }
        if (errors.Any) return CommandResult.Invalid(errors);   // the transaction is rolled back: nothing is kept
        await editor.SaveAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE directory.service SET verified_via = @via WHERE id IN (SELECT service_id FROM directory.verification_item
                WHERE request_id = @rid AND answer = 'unchanged' AND answered_at = @now);
            UPDATE directory.verification_request SET answered_at = @now
            WHERE id = @rid AND NOT EXISTS (SELECT 1 FROM directory.verification_item WHERE request_id = @rid AND answer IS NULL);
            """, new { via = Via, rid = link.RequestId, now }, dbTx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, link.RequestId);
    }

    private void Verify(Service s, string by, DateTimeOffset now, bool refreshFigures)
    {
        editor.Record("service", s.Id, "verifiedAt", s.VerifiedAt?.ToString("dd.MM.yyyy HH:mm"), now.ToString("dd.MM.yyyy HH:mm"), by, ChangeSource.Campaign);
        s.VerifiedAt = now;
        s.VerifiedBy = by;
        // "Unverändert" is news too: the figures are as fresh as the confirmation.
        if (refreshFigures && s.CapacityFree is not null) { s.CapacityUpdatedAt = now; s.CapacityUpdatedBy = by; }
        if (refreshFigures && s.WaitingDays is not null) { s.WaitingUpdatedAt = now; s.WaitingUpdatedBy = by; }
        editor.TouchService(s.Id);
    }

    /// <summary>
    /// The coordinator reached the partner by phone: every entry of the request still without an answer is confirmed
    /// unchanged and verified (who: the coordinator, noting the call; how: telefon).
    /// </summary>
    public async Task<CommandResult> ConfirmByPhoneAsync(Guid campaignId, Guid requestId, CurrentUser user, CancellationToken ct)
    {
        var ids = (await editor.Db.Database.GetDbConnection().QueryAsync<Guid>(new CommandDefinition("""
            SELECT i.service_id FROM directory.verification_item i JOIN directory.verification_request r ON r.id = i.request_id
            WHERE r.id = @requestId AND r.campaign_id = @campaignId AND i.answer IS NULL
            """, new { requestId, campaignId }, cancellationToken: ct))).ToList();
        if (ids.Count == 0)
            return await editor.Db.Database.GetDbConnection().ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM directory.verification_request WHERE id = @requestId AND campaign_id = @campaignId)", new { requestId, campaignId }, cancellationToken: ct))
                ? new CommandResult(CommandOutcome.Conflict, Detail: "Der Partner hat bereits geantwortet.") : CommandResult.NotFound;
        return await ConfirmAsync(ids, $"{user.Name} (telefonisch)", "telefon", ct);
    }

    /// <summary>A partner with an account confirms one of its entries unchanged in the portal (how: portal).</summary>
    public async Task<CommandResult> ConfirmInPortalAsync(Guid serviceId, CurrentUser user, CancellationToken ct)
    {
        var org = await editor.Db.Services.Where(s => s.Id == serviceId && s.Status != EntryStatus.Retired).Select(s => (Guid?)s.OrganizationId).FirstOrDefaultAsync(ct);
        // Another organisation's entry answers as if it did not exist.
        if (org is null || user.OrganizationId != org) return CommandResult.NotFound;
        return await ConfirmAsync([serviceId], user.Name, "portal", ct);
    }

    private async Task<CommandResult> ConfirmAsync(List<Guid> serviceIds, string by, string via, CancellationToken ct)
    {
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        var (conn, dbTx) = editor.Connection();
        var now = editor.Now;
        foreach (var id in serviceIds)
            if (await editor.Db.Services.FirstOrDefaultAsync(s => s.Id == id, ct) is { } s) Verify(s, by, now, refreshFigures: true);
        await editor.SaveAsync(ct);
        var ids = serviceIds.ToArray();
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE directory.service SET verified_via = @via WHERE id = ANY(@ids);
            UPDATE directory.verification_item SET answer = 'unchanged', answered_at = @now, note = @note
            WHERE service_id = ANY(@ids) AND answer IS NULL;
            UPDATE directory.verification_request r SET answered_at = @now
            WHERE r.answered_at IS NULL AND EXISTS (SELECT 1 FROM directory.verification_item i WHERE i.request_id = r.id AND i.service_id = ANY(@ids))
              AND NOT EXISTS (SELECT 1 FROM directory.verification_item i WHERE i.request_id = r.id AND i.answer IS NULL);
            """, new { via, ids, now, note = via == "telefon" ? "telefonisch bestätigt" : "im Partnerportal bestätigt" }, dbTx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, serviceIds[0]);
    }

    /// <summary>The coordinator takes over the accepted fields of a partner's changes; the entry is then verified by the partner.</summary>
    public async Task<CommandResult> ReviewAsync(Guid campaignId, Guid serviceId, ReviewInput input, CurrentUser user, CancellationToken ct)
    {
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        var (conn, dbTx) = editor.Connection();
        var item = await conn.QuerySingleOrDefaultAsync<(Guid RequestId, string? Changes, DateTime? ReviewedAt, string? Email, string Org)>(new CommandDefinition("""
            SELECT i.request_id, i.changes::text, i.reviewed_at, r.email, o.name
            FROM directory.verification_item i JOIN directory.verification_request r ON r.id = i.request_id
            JOIN directory.organization o ON o.id = r.organization_id
            WHERE r.campaign_id = @campaignId AND i.service_id = @serviceId AND i.answer = 'changed'
            FOR UPDATE OF i
            """, new { campaignId, serviceId }, dbTx, cancellationToken: ct));
        if (item.RequestId == Guid.Empty) return CommandResult.NotFound;
        if (item.ReviewedAt is not null) return new CommandResult(CommandOutcome.Conflict, Detail: "Über diese Änderungen wurde bereits entschieden.");
        var s = await editor.LoadServiceAsync(serviceId, ct);
        if (s is null) return CommandResult.NotFound;
        var terms = await editor.TermsAsync(ct);
        var current = CatalogueEditor.ToInput(s, terms);
        var proposed = JsonSerializer.Deserialize<ServiceInput>(item.Changes ?? "{}", Json)!;
        var changes = Diff(current, Partner.PartnerListing.Merge(current, proposed));
        var accepted = (input.AcceptedFields ?? []).Intersect(changes.Select(c => c.Field)).ToList();
        var merged = current with { };
        foreach (var field in accepted)
            foreach (var p in PropertiesFor(field))
                p.SetValue(merged, p.GetValue(proposed));
        var errors = new FieldErrors();
        await editor.ValidateAsync(merged, errors, organizationRequired: false, ct);
        if (errors.Any) return CommandResult.Invalid(errors);
        var partner = item.Email ?? $"Partner ({item.Org})";
        if (accepted.Count > 0) await editor.ApplyAsync(s, merged, $"{user.Name} (Prüfaktion, Angaben von {partner})", ChangeSource.Campaign, ct);
        // What the partner did not change it confirmed; the entry is verified with the partner as verifier.
        Verify(s, partner, editor.Now, refreshFigures: true);
        await editor.SaveAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE directory.verification_item SET reviewed_at = @now, reviewed_by = @by, accepted_fields = @accepted
            WHERE request_id = @rid AND service_id = @serviceId;
            UPDATE directory.service SET verified_via = @via WHERE id = @serviceId;
            """, new { now = editor.Now, by = user.Name, accepted = accepted.ToArray(), rid = item.RequestId, serviceId, via = Via }, dbTx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, serviceId);
    }

    /// <summary>The ServiceInput properties behind a field of <see cref="CatalogueEditor.Snapshot(ServiceInput)"/>.</summary>
    private static IEnumerable<PropertyInfo> PropertiesFor(string field)
    {
        if (field is "location" or "coordinates" or "stepFree") { yield return typeof(ServiceInput).GetProperty(nameof(ServiceInput.Location))!; yield break; }
        var p = typeof(ServiceInput).GetProperty(char.ToUpperInvariant(field[0]) + field[1..]);
        if (p is not null && p.Name != nameof(ServiceInput.OrganizationId)) yield return p;
    }

    public static List<FieldChange> Diff(ServiceInput current, ServiceInput merged)
    {
        static string? Norm(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();
        var before = CatalogueEditor.Snapshot(current);
        return CatalogueEditor.Snapshot(merged)
            .Where(kv => Norm(before.GetValueOrDefault(kv.Key)) != Norm(kv.Value))
            .Select(kv => new FieldChange(kv.Key, before.GetValueOrDefault(kv.Key), kv.Value)).ToList();
    }

    public async Task<List<(Guid Id, string Title, string Selection, DateTime CreatedAt, int Partners, int Answered)>> ListAsync(CancellationToken ct)
        => (await editor.Db.Database.GetDbConnection().QueryAsync<(Guid, string, string, DateTime, int, int)>(new CommandDefinition("""
            SELECT c.id, c.title, c.selection, c.created_at, count(r.id)::int, count(r.answered_at)::int
            FROM directory.verification_campaign c LEFT JOIN directory.verification_request r ON r.campaign_id = c.id
            GROUP BY c.id ORDER BY c.created_at DESC LIMIT 100
            """, cancellationToken: ct))).ToList();

    public async Task<CampaignView?> GetAsync(Guid id, CancellationToken ct)
    {
        var conn = editor.Db.Database.GetDbConnection();
        var c = await conn.QuerySingleOrDefaultAsync<(Guid Id, string Title, string Selection, DateTime CreatedAt, string CreatedBy, int Days, int Max, DateTime Expires)>(
            new CommandDefinition("""
                SELECT id, title, selection, created_at, created_by, reminder_working_days, max_reminders, link_expires_at
                FROM directory.verification_campaign WHERE id = @id
                """, new { id }, cancellationToken: ct));
        if (c.Id == Guid.Empty) return null;
        var requests = (await conn.QueryAsync<(Guid Id, Guid OrgId, string OrgName, string? Email, DateTime? SentAt, DateTime? OpenedAt, DateTime? AnsweredAt, int Reminders)>(
            new CommandDefinition("""
                SELECT r.id, r.organization_id, o.name, r.email, r.sent_at, r.opened_at, r.answered_at, r.reminders
                FROM directory.verification_request r JOIN directory.organization o ON o.id = r.organization_id
                WHERE r.campaign_id = @id ORDER BY o.name
                """, new { id }, cancellationToken: ct))).ToList();
        var items = (await conn.QueryAsync<(Guid RequestId, Guid ServiceId, string Name, string? Answer, DateTime? AnsweredAt, string? Changes, string? Note, DateTime? ReviewedAt, string? ReviewedBy, string[]? Accepted)>(
            new CommandDefinition("""
                SELECT i.request_id, i.service_id, s.name, i.answer, i.answered_at, i.changes::text, i.note, i.reviewed_at, i.reviewed_by, i.accepted_fields
                FROM directory.verification_item i JOIN directory.verification_request r ON r.id = i.request_id
                JOIN directory.service s ON s.id = i.service_id
                WHERE r.campaign_id = @id ORDER BY s.name
                """, new { id }, cancellationToken: ct))).ToList();
        var links = (await conn.QueryAsync<(Guid RequestId, Guid MailId)>(new CommandDefinition("""
            SELECT k.request_id, k.mail_id FROM directory.verification_link k JOIN directory.verification_request r ON r.id = k.request_id
            WHERE r.campaign_id = @id AND k.mail_id IS NOT NULL
            """, new { id }, cancellationToken: ct))).ToList();
        var delivery = (await MailOutbox.DeliveryAsync(dataSource, links.Select(l => l.MailId).ToList(), settings.UndeliverableAfterAttempts, ct))
            .ToDictionary(d => d.Id);
        var phones = (await conn.QueryAsync<(Guid OrgId, string Number)>(new CommandDefinition(
            "SELECT organization_id, number FROM directory.phone WHERE organization_id = ANY(@orgs) ORDER BY number",
            new { orgs = requests.Select(r => r.OrgId).ToArray() }, cancellationToken: ct))).GroupBy(p => p.OrgId).ToDictionary(g => g.Key, g => g.First().Number);
        var terms = await editor.TermsAsync(ct);
        var views = new List<RequestView>();
        foreach (var r in requests)
        {
            var mine = items.Where(i => i.RequestId == r.Id).ToList();
            var mails = links.Where(l => l.RequestId == r.Id).Select(l => delivery.GetValueOrDefault(l.MailId)).ToList();
            // Undeliverable: no address, or every mail to it is failing (none went out).
            var undeliverable = r.Email is null || (mails.Count > 0 && mails.All(m => m is { Failing: true }));
            var state = undeliverable && r.AnsweredAt is null ? "unzustellbar"
                : mine.Any(i => i.Answer == "changed") ? "geändert"
                : r.AnsweredAt is not null ? "bestätigt"
                : r.OpenedAt is not null ? "geöffnet" : "offen";
            var itemViews = new List<ItemView>();
            foreach (var i in mine)
            {
                var changes = new List<FieldChange>();
                if (i.Answer == "changed" && i.Changes is not null)
                {
                    var s = await editor.ServicesWithDetails.AsNoTracking().FirstAsync(x => x.Id == i.ServiceId, ct);
                    var current = CatalogueEditor.ToInput(s, terms);
                    var proposed = JsonSerializer.Deserialize<ServiceInput>(i.Changes, Json)!;
                    changes = i.ReviewedAt is null ? Diff(current, Partner.PartnerListing.Merge(current, proposed)) : [];
                }
                itemViews.Add(new ItemView(i.ServiceId, i.Name, i.Answer, i.AnsweredAt, i.Note, i.ReviewedAt, i.ReviewedBy, changes, i.Accepted));
            }
            views.Add(new RequestView(r.Id, r.OrgId, r.OrgName, r.Email?.Split('@').Last(), phones.GetValueOrDefault(r.OrgId), state, r.SentAt, r.OpenedAt,
                r.AnsweredAt, r.Reminders, r.Reminders >= c.Max, itemViews));
        }
        var counts = new CampaignCounts(views.Count, items.Count,
            Sent: views.Count(v => v.State != "unzustellbar"),
            Opened: views.Count(v => v.OpenedAt is not null),
            Confirmed: views.Count(v => v.State == "bestätigt"),
            Changed: views.Count(v => v.State == "geändert"),
            NoAnswer: views.Count(v => v.State is "offen" or "geöffnet"),
            Undeliverable: views.Count(v => v.State == "unzustellbar"));
        return new CampaignView(c.Id, c.Title, c.Selection, c.CreatedAt, c.CreatedBy, c.Days, c.Max, c.Expires, counts, views);
    }
}
