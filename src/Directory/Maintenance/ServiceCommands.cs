using Dapper;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Maintenance;

public enum CommandOutcome { Done, NotFound, Invalid, Conflict }

public sealed record CommandResult(CommandOutcome Outcome, Guid? Id = null, FieldErrors? Errors = null, string? Detail = null)
{
    public static CommandResult Invalid(FieldErrors e) => new(CommandOutcome.Invalid, Errors: e);
    public static readonly CommandResult NotFound = new(CommandOutcome.NotFound);
}

/// <summary>The coordinators' use cases on entries, shared by the API and the /pflege pages. One transaction each.</summary>
public static class ServiceCommands
{
    public static async Task<CommandResult> SaveServiceAsync(CatalogueEditor editor, Guid? id, ServiceInput input, CurrentUser user, string source, CancellationToken ct)
    {
        var errors = new FieldErrors();
        await editor.ValidateAsync(input, errors, organizationRequired: id is null, ct);
        if (errors.Any) return CommandResult.Invalid(errors);
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        Service service;
        if (id is { } existing)
        {
            var loaded = await editor.LoadServiceAsync(existing, ct);
            if (loaded is null) return CommandResult.NotFound;
            service = loaded;
            if (input.OrganizationId is { } org && org != service.OrganizationId && !await editor.Db.Organizations.AnyAsync(o => o.Id == org, ct))
            {
                errors.Add("organizationId", "Der Träger existiert nicht.");
                return CommandResult.Invalid(errors);
            }
        }
        else service = new Service();
        await editor.ApplyAsync(service, input, user.Name, source, ct);
        await editor.SaveAsync(ct);
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, service.Id);
    }

    public static async Task<CommandResult> SaveOrganizationAsync(CatalogueEditor editor, Guid? id, OrganizationInput input, CurrentUser user, CancellationToken ct)
    {
        var errors = new FieldErrors();
        EntryRules.Validate(input, errors);
        if (errors.Any) return CommandResult.Invalid(errors);
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        Organization org;
        if (id is { } existing)
        {
            var loaded = await editor.Db.Organizations.Include(o => o.Phones).FirstOrDefaultAsync(o => o.Id == existing, ct);
            if (loaded is null) return CommandResult.NotFound;
            org = loaded;
        }
        else org = new Organization();
        editor.ApplyOrganization(org, input, user.Name, ChangeSource.Coordination);
        if (id is not null)
            foreach (var serviceId in await editor.Db.Services.Where(s => s.OrganizationId == org.Id).Select(s => s.Id).ToListAsync(ct))
                editor.TouchService(serviceId);
        await editor.SaveAsync(ct);
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, org.Id);
    }

    public static async Task<CommandResult> VerifyAsync(CatalogueEditor editor, Guid id, CurrentUser user, CancellationToken ct)
    {
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        var s = await editor.Db.Services.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return CommandResult.NotFound;
        if (s.Status == EntryStatus.Retired) return new CommandResult(CommandOutcome.Conflict, Detail: "Ein ausgeschiedenes Angebot kann nicht bestätigt werden.");
        editor.Record("service", id, "verifiedAt", s.VerifiedAt?.ToString("dd.MM.yyyy HH:mm"), editor.Now.ToString("dd.MM.yyyy HH:mm"), user.Name, ChangeSource.Coordination);
        s.VerifiedAt = editor.Now;
        s.VerifiedBy = user.Name;
        editor.TouchService(id);
        await editor.SaveAsync(ct);
        // How it was verified (campaigns record link, portal, telefon): here by the coordination itself.
        var (conn, dbTx) = editor.Connection();
        await conn.ExecuteAsync(new CommandDefinition("UPDATE directory.service SET verified_via = 'pflege' WHERE id = @id", new { id }, dbTx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, id);
    }

    public const int MaxBatch = 5000;

    /// <summary>
    /// The coordinator confirms a batch (typically the entries of an import whose source is trusted) as verified now,
    /// by them, how: import. Retired entries are left out. Returns the number verified in <see cref="CommandResult.Detail"/>.
    /// </summary>
    public static async Task<CommandResult> VerifyBatchAsync(CatalogueEditor editor, IReadOnlyCollection<Guid>? ids, CurrentUser user, CancellationToken ct)
    {
        var errors = new FieldErrors();
        if (ids is null || ids.Count == 0) errors.Add("serviceIds", "Bitte wählen Sie die Einträge, die als geprüft gelten sollen.");
        else if (ids.Count > MaxBatch) errors.Add("serviceIds", $"Höchstens {MaxBatch:N0} Einträge auf einmal.");
        if (errors.Any) return CommandResult.Invalid(errors);
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        var list = ids!.Distinct().ToList();
        var services = await editor.Db.Services.Where(s => list.Contains(s.Id) && s.Status != EntryStatus.Retired).ToListAsync(ct);
        foreach (var s in services)
        {
            editor.Record("service", s.Id, "verifiedAt", s.VerifiedAt?.ToString("dd.MM.yyyy HH:mm"), editor.Now.ToString("dd.MM.yyyy HH:mm"), user.Name, ChangeSource.Import);
            s.VerifiedAt = editor.Now;
            s.VerifiedBy = user.Name;
            editor.TouchService(s.Id);
        }
        await editor.SaveAsync(ct);
        var (conn, dbTx) = editor.Connection();
        await conn.ExecuteAsync(new CommandDefinition("UPDATE directory.service SET verified_via = 'import' WHERE id = ANY(@ids)",
            new { ids = services.Select(s => s.Id).ToArray() }, dbTx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, Detail: services.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static async Task<CommandResult> RetireAsync(CatalogueEditor editor, Guid id, CurrentUser user, CancellationToken ct)
    {
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        var s = await editor.Db.Services.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (s is null) return CommandResult.NotFound;
        if (s.Status == EntryStatus.Retired) return new CommandResult(CommandOutcome.Conflict, Detail: "Das Angebot ist bereits ausgeschieden.");
        editor.Record("service", id, "status", s.Status, EntryStatus.Retired, user.Name, ChangeSource.Coordination);
        s.Status = EntryStatus.Retired;
        s.ModifiedAt = editor.Now;
        s.ModifiedBy = user.Name;
        editor.TouchService(id);
        await editor.SaveAsync(ct);
        await tx.CommitAsync(ct);
        return new CommandResult(CommandOutcome.Done, id);
    }
}

public sealed record EntryRow(Guid Id, string Name, Guid OrganizationId, string OrganizationName, string Status, string? City,
    DateTime? VerifiedAt, string? VerifiedBy, int? WaitingDays, int? CapacityFree, DateTime ModifiedAt, bool VerificationDue);

public sealed record EntryPage(int Total, int Page, int PageSize, List<EntryRow> Items);

/// <summary>The /pflege list: services with their organisation, filtered by text, status and "due for verification".</summary>
public static class EntryList
{
    public static readonly TimeSpan VerificationInterval = TimeSpan.FromDays(365);

    public static async Task<EntryPage> QueryAsync(DirectoryDbContext db, DateTimeOffset now, string? q, string? status, bool dueOnly,
        Guid? organizationId, int page, int pageSize, CancellationToken ct)
    {
        page = Math.Max(page, 1);
        pageSize = Math.Clamp(pageSize, 1, 200);
        var dueBefore = now - VerificationInterval;
        var conn = db.Database.GetDbConnection();
        var where = """
            WHERE (@q::text IS NULL OR directory.fold(s.name || ' ' || o.name || ' ' || coalesce(l.city, '')) LIKE '%' || directory.fold(@q) || '%')
              AND (@status::text IS NULL OR s.status = @status)
              AND (@org::uuid IS NULL OR s.organization_id = @org)
              AND (NOT @dueOnly OR (s.status <> 'retired' AND (s.verified_at IS NULL OR s.verified_at < @dueBefore)))
            """;
        var from = """
            FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id
            LEFT JOIN LATERAL (SELECT l.city FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
                               WHERE sal.service_id = s.id ORDER BY sal.sort_order, sal.id LIMIT 1) l ON true
            """;
        var args = new { q = string.IsNullOrWhiteSpace(q) ? null : q.Trim(), status = string.IsNullOrWhiteSpace(status) ? null : status, org = organizationId, dueOnly, dueBefore, limit = pageSize, offset = (page - 1) * pageSize };
        var total = await conn.ExecuteScalarAsync<int>(new CommandDefinition($"SELECT count(*) {from} {where}", args, cancellationToken: ct));
        var rows = await conn.QueryAsync<EntryRow>(new CommandDefinition($"""
            SELECT s.id, s.name, s.organization_id AS OrganizationId, o.name AS OrganizationName, s.status, l.city,
                   s.verified_at AS VerifiedAt, s.verified_by AS VerifiedBy, s.waiting_days AS WaitingDays, s.capacity_free AS CapacityFree,
                   s.modified_at AS ModifiedAt, (s.status <> 'retired' AND (s.verified_at IS NULL OR s.verified_at < @dueBefore)) AS VerificationDue
            {from} {where}
            ORDER BY {(dueOnly ? "s.verified_at NULLS FIRST, s.name" : "o.name, s.name")}, s.id
            LIMIT @limit OFFSET @offset
            """, args, cancellationToken: ct));
        return new EntryPage(total, page, pageSize, rows.ToList());
    }
}
