using System.Reflection;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Directory.Partner;

/// <summary>What a partner may change directly: free places, waiting time, opening hours.</summary>
public sealed record AvailabilityInput(int? CapacityFree, int? WaitingDays, List<OpeningHoursInput>? OpeningHours);

/// <summary>Any other change: the fields to change (null = keep), and a note for the coordinator.</summary>
public sealed record ProposalInput(ServiceInput Changes, string? Note);

public sealed record ProposalChange(string Field, string? OldValue, string? NewValue);

public sealed record ProposalView(Guid Id, Guid ServiceId, string ServiceName, string OrganizationName, string ProposedBy, DateTime ProposedAt,
    string? Note, string Status, string? DecidedBy, DateTime? DecidedAt, string? Reason, List<ProposalChange> Changes);

public sealed record RejectInput(string? Reason);

/// <summary>
/// Partner self-service on their own organisation's services (another organisation's service answers 404, as if it
/// did not exist) and the coordinators' decision on proposals.
/// </summary>
public static class PartnerListing
{
    public static IEndpointRouteBuilder MapPartnerListing(this IEndpointRouteBuilder app)
    {
        var partner = app.MapGroup("/api/directory").RequireAuthorization(Policies.Partner).WithTags("Partner-Angebote");
        partner.MapGet("/partner/services", async (DirectoryDbContext db, TimeProvider time, HttpContext http, CancellationToken ct) =>
        {
            var org = http.User.CurrentUser().OrganizationId!.Value;
            return Results.Ok((await EntryList.QueryAsync(db, time.GetUtcNow(), null, null, false, org, 1, 200, ct)).Items);
        });
        partner.MapPost("/services/{id:guid}/proposals", async (Guid id, ProposalInput input, CatalogueEditor editor, HttpContext http, CancellationToken ct)
            => ToResult(await ProposeAsync(editor, id, input, http.User.CurrentUser(), ct), id => $"/api/directory/proposals/{id}"));

        // Coordinators may correct availability too; Fallmanager may not.
        app.MapPut("/api/directory/services/{id:guid}/availability", async (Guid id, AvailabilityInput input, CatalogueEditor editor, HttpContext http, CancellationToken ct) =>
        {
            var user = http.User.CurrentUser();
            if (!user.IsInRole(Roles.Partner, Roles.NetworkCoordinator, Roles.Administrator)) return Problems.Forbidden();
            return ToResult(await UpdateAvailabilityAsync(editor, id, input, user, ct));
        }).RequireAuthorization(Policies.SignedIn).WithTags("Partner-Angebote");

        var coord = app.MapGroup("/api/directory/proposals").RequireAuthorization(Policies.Coordination).WithTags("Katalogpflege");
        coord.MapGet("/", async (CatalogueEditor editor, string? status, CancellationToken ct) => Results.Ok(await ListAsync(editor, status ?? "pending", null, ct)));
        coord.MapGet("/{id:guid}", async (Guid id, CatalogueEditor editor, CancellationToken ct)
            => (await ListAsync(editor, null, id, ct)).FirstOrDefault() is { } p ? Results.Ok(p) : Problems.NotFound());
        coord.MapPost("/{id:guid}/accept", async (Guid id, CatalogueEditor editor, HttpContext http, CancellationToken ct)
            => ToResult(await DecideAsync(editor, id, accept: true, null, http.User.CurrentUser(), ct)));
        coord.MapPost("/{id:guid}/reject", async (Guid id, RejectInput input, CatalogueEditor editor, HttpContext http, CancellationToken ct)
            => ToResult(await DecideAsync(editor, id, accept: false, input.Reason, http.User.CurrentUser(), ct)));
        return app;
    }

    private static IResult ToResult(CommandResult r, Func<Guid, string>? created = null) => MaintenanceEndpoints.ToResult(r, created);

    /// <summary>A partner's service, or null when it belongs to another organisation (same answer as unknown).</summary>
    private static async Task<Service?> OwnServiceAsync(CatalogueEditor editor, Guid id, CurrentUser user, CancellationToken ct)
    {
        var s = await editor.LoadServiceAsync(id, ct);
        if (s is null) return null;
        if (user.Role == Roles.Partner && s.OrganizationId != user.OrganizationId) return null;
        return s;
    }

    public static async Task<CommandResult> UpdateAvailabilityAsync(CatalogueEditor editor, Guid id, AvailabilityInput input, CurrentUser user, CancellationToken ct)
    {
        var errors = new FieldErrors();
        EntryRules.Validate(new ServiceInput { Name = "x", CapacityFree = input.CapacityFree, WaitingDays = input.WaitingDays, OpeningHours = input.OpeningHours }, errors, organizationRequired: false);
        if (input.CapacityFree is null && input.WaitingDays is null && input.OpeningHours is null)
            errors.Add("capacityFree", "Bitte geben Sie freie Plätze, Wartezeit oder Öffnungszeiten an.");
        if (errors.Any) return CommandResult.Invalid(errors);
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        var s = await OwnServiceAsync(editor, id, user, ct);
        if (s is null) return CommandResult.NotFound;
        if (s.Status == EntryStatus.Retired) return new CommandResult(CommandOutcome.Conflict, Detail: "Das Angebot ist ausgeschieden und kann nicht mehr geändert werden.");
        var terms = await editor.TermsAsync(ct);
        var current = CatalogueEditor.ToInput(s, terms);
        await editor.ApplyAsync(s, current with
        {
            CapacityFree = input.CapacityFree ?? current.CapacityFree,
            WaitingDays = input.WaitingDays ?? current.WaitingDays,
            OpeningHours = input.OpeningHours ?? current.OpeningHours,
        }, user.Name, user.Role == Roles.Partner ? ChangeSource.Partner : ChangeSource.Coordination, ct);
        // A confirmed, unchanged figure is still news: the stamp says how fresh it is.
        if (input.CapacityFree is not null) { s.CapacityUpdatedAt = editor.Now; s.CapacityUpdatedBy = user.Name; }
        if (input.WaitingDays is not null) { s.WaitingUpdatedAt = editor.Now; s.WaitingUpdatedBy = user.Name; }
        await editor.SaveAsync(ct);
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, id);
    }

    /// <summary>Proposed fields override the current entry; fields left out (null) keep their value.</summary>
    public static ServiceInput Merge(ServiceInput current, ServiceInput proposed)
    {
        var merged = current with { };
        foreach (var p in typeof(ServiceInput).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.Name == nameof(ServiceInput.OrganizationId)) continue;
            var value = p.GetValue(proposed);
            if (value is not null) p.SetValue(merged, value);
        }
        return merged;
    }

    public static async Task<CommandResult> ProposeAsync(CatalogueEditor editor, Guid id, ProposalInput input, CurrentUser user, CancellationToken ct)
    {
        var s = await OwnServiceAsync(editor, id, user, ct);
        if (s is null) return CommandResult.NotFound;
        var terms = await editor.TermsAsync(ct);
        var current = CatalogueEditor.ToInput(s, terms);
        var merged = Merge(current, input.Changes ?? new ServiceInput());
        var errors = new FieldErrors();
        await editor.ValidateAsync(merged, errors, organizationRequired: false, ct);
        if (input.Note is { Length: > EntryRules.MaxText }) errors.Add("note", "Die Notiz ist zu lang.");
        var changes = Diff(current, merged);
        if (!errors.Any && changes.Count == 0) errors.Add("changes", "Der Vorschlag ändert nichts am aktuellen Eintrag.");
        if (errors.Any) return CommandResult.Invalid(errors);
        var proposalId = Guid.NewGuid();
        await editor.Db.Database.GetDbConnection().ExecuteAsync(new CommandDefinition("""
            INSERT INTO directory.service_proposal (id, service_id, organization_id, proposed_by, proposed_at, changes, note)
            VALUES (@proposalId, @id, @org, @by, @now, @changes::jsonb, @note)
            """, new { proposalId, id, org = s.OrganizationId, by = user.Name, now = editor.Now, changes = JsonSerializer.Serialize(input.Changes, Json), note = input.Note }, cancellationToken: ct));
        return new CommandResult(CommandOutcome.Done, proposalId);
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static List<ProposalChange> Diff(ServiceInput current, ServiceInput merged)
    {
        var before = CatalogueEditor.Snapshot(current);
        return CatalogueEditor.Snapshot(merged)
            .Where(kv => (string.IsNullOrWhiteSpace(before.GetValueOrDefault(kv.Key)) ? null : before[kv.Key]!.Trim()) != (string.IsNullOrWhiteSpace(kv.Value) ? null : kv.Value.Trim()))
            .Select(kv => new ProposalChange(kv.Key, before.GetValueOrDefault(kv.Key), kv.Value)).ToList();
    }

    public static async Task<CommandResult> DecideAsync(CatalogueEditor editor, Guid proposalId, bool accept, string? reason, CurrentUser user, CancellationToken ct)
    {
        if (!accept && string.IsNullOrWhiteSpace(reason))
        {
            var e = new FieldErrors();
            e.Add("reason", "Bitte geben Sie einen Grund für die Ablehnung an.");
            return CommandResult.Invalid(e);
        }
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        var (conn, dbTx) = editor.Connection();
        var row = await conn.QuerySingleOrDefaultAsync<(Guid ServiceId, string ProposedBy, string Changes, string Status)>(new CommandDefinition(
            "SELECT service_id, proposed_by, changes::text, status FROM directory.service_proposal WHERE id = @proposalId FOR UPDATE", new { proposalId }, dbTx, cancellationToken: ct));
        if (row.ServiceId == Guid.Empty) return CommandResult.NotFound;
        if (row.Status != "pending") return new CommandResult(CommandOutcome.Conflict, Detail: "Über diesen Vorschlag wurde bereits entschieden.");
        if (accept)
        {
            var s = await editor.LoadServiceAsync(row.ServiceId, ct);
            if (s is null) return CommandResult.NotFound;
            var merged = Merge(CatalogueEditor.ToInput(s, await editor.TermsAsync(ct)), JsonSerializer.Deserialize<ServiceInput>(row.Changes, Json)!);
            var errors = new FieldErrors();
            await editor.ValidateAsync(merged, errors, organizationRequired: false, ct);
            if (errors.Any) return CommandResult.Invalid(errors);
            await editor.ApplyAsync(s, merged, $"{user.Name} (Vorschlag von {row.ProposedBy})", ChangeSource.Proposal, ct);
            await editor.SaveAsync(ct);
        }
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE directory.service_proposal SET status = @status, decided_by = @by, decided_at = @now, reason = @reason WHERE id = @proposalId
            """, new { proposalId, status = accept ? "accepted" : "rejected", by = user.Name, now = editor.Now, reason = reason?.Trim() }, dbTx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, proposalId);
    }

    public static async Task<List<ProposalView>> ListAsync(CatalogueEditor editor, string? status, Guid? id, CancellationToken ct)
    {
        var conn = editor.Db.Database.GetDbConnection();
        var rows = await conn.QueryAsync<ProposalRow>(new CommandDefinition("""
            SELECT p.id, p.service_id AS ServiceId, s.name AS ServiceName, o.name AS OrganizationName, p.proposed_by AS ProposedBy,
                   p.proposed_at AS ProposedAt, p.note, p.status, p.decided_by AS DecidedBy, p.decided_at AS DecidedAt, p.reason, p.changes::text AS Changes
            FROM directory.service_proposal p JOIN directory.service s ON s.id = p.service_id JOIN directory.organization o ON o.id = s.organization_id
            WHERE (@status::text IS NULL OR p.status = @status) AND (@id::uuid IS NULL OR p.id = @id)
            ORDER BY p.proposed_at DESC LIMIT 200
            """, new { status, id }, cancellationToken: ct));
        var terms = await editor.TermsAsync(ct);
        var result = new List<ProposalView>();
        foreach (var r in rows)
        {
            var s = await editor.ServicesWithDetails.AsNoTracking().FirstAsync(x => x.Id == r.ServiceId, ct);
            var current = CatalogueEditor.ToInput(s, terms);
            var changes = Diff(current, Merge(current, JsonSerializer.Deserialize<ServiceInput>(r.Changes, Json)!));
            result.Add(new ProposalView(r.Id, r.ServiceId, r.ServiceName, r.OrganizationName, r.ProposedBy, r.ProposedAt, r.Note, r.Status, r.DecidedBy, r.DecidedAt, r.Reason, changes));
        }
        return result;
    }

    private sealed class ProposalRow
    {
        public Guid Id { get; set; }
        public Guid ServiceId { get; set; }
        public string ServiceName { get; set; } = "";
        public string OrganizationName { get; set; } = "";
        public string ProposedBy { get; set; } = "";
        public DateTime ProposedAt { get; set; }
        public string? Note { get; set; }
        public string Status { get; set; } = "";
        public string? DecidedBy { get; set; }
        public DateTime? DecidedAt { get; set; }
        public string? Reason { get; set; }
        public string Changes { get; set; } = "";
    }
}
