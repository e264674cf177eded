using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Demo;
using Netzwerk.Directory.Maintenance;

namespace Netzwerk.Directory.Import;

public static class ImportFormats
{
    public const string HsdsJson = "hsds-json";
    public const string HsdsCsv = "hsds-csv";
    public const string Csv = "csv";
    public const string Xlsx = "xlsx";
    public static readonly string[] All = [HsdsJson, HsdsCsv, Csv, Xlsx];
}

public sealed record ImportError(int Row, string Message);
public sealed record ImportPreviewRow(int Row, string Action, string? Organization, string? Service, List<string> ChangedFields, List<string> Warnings);

/// <summary>What an import did (or, in a dry run, would do). <c>Written</c> is false whenever there are errors.</summary>
public sealed record ImportReport(string Format, bool DryRun, bool Written, int Rows, int Created, int Updated, int Unchanged,
    int OrganizationsCreated, List<ImportError> Errors, List<ImportPreviewRow> Preview, List<string> IgnoredColumns,
    // The entries a written import created or updated: the coordinator can confirm this batch as verified.
    List<Guid>? ServiceIds = null);

/// <summary>
/// Imports partner lists and HSDS files into the catalogue in one transaction: every row is validated first and
/// nothing is written when any row has an error. A row updates the entry it matches (HSDS id, the list's ID column,
/// or organisation name + service name + postcode) instead of creating a second one. A dry run does the whole import
/// and rolls it back, so the preview shows exactly what would change.
/// </summary>
public sealed class CatalogueImporter(CatalogueEditor editor)
{
    public const int PreviewLimit = 500;

    private sealed class Row
    {
        public int Line;
        public Guid? OrganizationId;          // HSDS organisation id
        public OrganizationInput? Organization;
        public Guid? ServiceId;               // HSDS service id
        public string? ExternalId;            // the list's ID column
        public ServiceInput? Service;
        public List<string> Warnings = [];
        public DateTimeOffset? AssuredAt;     // the source's last check (HSDS assured_date, list column "Geprüft am")
        public string? AssurerEmail;
        public DateTimeOffset? CapacityStamp, WaitingStamp;
        public HsdsDetails? Details;          // HSDS only: the rows the entry form has no fields for
    }

    public async Task<ImportReport> ImportAsync(string format, Stream content, string? mapping, bool dryRun, string user, CancellationToken ct)
    {
        var errors = new List<ImportError>();
        var ignored = new List<string>();
        List<Row> rows;
        var mapErrors = new FieldErrors();
        var columnMapping = TabularReader.ParseMapping(mapping, mapErrors);
        if (mapErrors.Any) return Fail(format, dryRun, mapErrors.Messages.Select(m => new ImportError(0, m)).ToList());
        var terms = await editor.TermsAsync(ct);
        try
        {
            rows = format switch
            {
                ImportFormats.Csv => FromSheet(TabularReader.ReadCsv(content, columnMapping, out ignored), errors),
                ImportFormats.Xlsx => FromSheet(TabularReader.ReadXlsx(content, columnMapping, out ignored), errors),
                ImportFormats.HsdsJson => FromHsds(HsdsReader.ReadJson(JsonNode.Parse(content) ?? throw new InvalidDataException("Leere Datei.")), terms, errors),
                ImportFormats.HsdsCsv => FromHsds(HsdsReader.ReadCsvPackage(content), terms, errors),
                _ => throw new InvalidDataException($"Unbekanntes Format (erlaubt: {string.Join(", ", ImportFormats.All)})."),
            };
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or CsvHelper.CsvHelperException or FormatException or FileFormatException)
        {
            return Fail(format, dryRun, [new ImportError(0, ex is InvalidDataException ? ex.Message : FileUnreadable(format))]);
        }
        catch (Exception ex) when (ex.GetType().Namespace?.StartsWith("DocumentFormat.OpenXml") == true || ex is IOException)
        {
            return Fail(format, dryRun, [new ImportError(0, FileUnreadable(format))]);
        }
        if (rows.Count == 0 && errors.Count == 0) errors.Add(new ImportError(0, "Die Datei enthält keine Zeilen mit Angeboten."));

        // 1. Validate every row (German messages with the line number); duplicates within the file are errors too.
        var seen = new Dictionary<string, int>();
        foreach (var row in rows)
        {
            var e = new FieldErrors();
            if (row.Organization is not null) EntryRules.Validate(row.Organization, e);
            else if (row.OrganizationId is null) e.Add("organization", "Der Träger (Organisation) fehlt.");
            if (row.Service is not null) await editor.ValidateAsync(row.Service, e, organizationRequired: false, ct);
            errors.AddRange(e.Messages.Select(m => new ImportError(row.Line, m)));
            if (row.Service is null) continue;
            var key = row.ServiceId?.ToString() ?? (row.ExternalId is { } x ? "id:" + x
                : $"{TermCatalogue.Fold(row.Organization?.Name ?? "")}|{TermCatalogue.Fold(row.Service.Name ?? "")}|{row.Service.Location?.PostalCode}");
            if (seen.TryGetValue(key, out var first)) errors.Add(new ImportError(row.Line, $"Das Angebot steht doppelt in der Datei (zuerst in Zeile {first})."));
            else seen[key] = row.Line;
        }
        if (errors.Count > 0) return Fail(format, dryRun, errors.OrderBy(e => e.Row).ToList(), rows.Count, ignored);

        // 2. Write everything in one transaction (rolled back for a dry run).
        await using var tx = await editor.Db.Database.BeginTransactionAsync(ct);
        var (conn, dbTx) = editor.Connection();
        var bulk = new GeneratedCatalogue();
        var orgByName = (await conn.QueryAsync<(Guid Id, string Name)>(new CommandDefinition("SELECT id, name FROM directory.organization", transaction: dbTx, cancellationToken: ct)))
            .GroupBy(o => TermCatalogue.Fold(o.Name)).ToDictionary(g => g.Key, g => g.First().Id);
        var externalIds = rows.Where(r => r.ExternalId is not null).Select(r => r.ExternalId!).ToArray();
        var byExternalId = (await conn.QueryAsync<(string ExternalId, Guid EntityId)>(new CommandDefinition(
            "SELECT external_id, entity_id FROM directory.import_key WHERE entity_type = 'service' AND external_id = ANY(@externalIds)",
            new { externalIds }, dbTx, cancellationToken: ct))).ToDictionary(x => x.ExternalId, x => x.EntityId);
        var hsdsOrgIds = rows.Where(r => r.OrganizationId is not null).Select(r => r.OrganizationId!.Value).Distinct().ToArray();
        var existingOrgs = await editor.Db.Organizations.Include(o => o.Phones).Where(o => hsdsOrgIds.Contains(o.Id)).ToDictionaryAsync(o => o.Id, ct);

        var preview = new List<ImportPreviewRow>();
        int created = 0, updated = 0, unchanged = 0, orgsCreated = 0;
        var orgsDone = new HashSet<Guid>();
        var rowOrg = new Dictionary<Row, Guid>();
        foreach (var row in rows)
        {
            Guid orgId;
            if (row.OrganizationId is { } hsdsOrg)
            {
                orgId = hsdsOrg;
                if (orgsDone.Add(orgId))
                {
                    if (existingOrgs.TryGetValue(orgId, out var org))
                    {
                        if (row.Organization is not null) editor.ApplyOrganization(org, row.Organization, user, ChangeSource.Import);
                    }
                    else if (row.Organization is not null)
                    {
                        editor.ApplyOrganization(new Organization { Id = orgId }, row.Organization, user, ChangeSource.Import, bulk);
                        orgsCreated++;
                    }
                    else
                    {
                        errors.Add(new ImportError(row.Line, "Der Träger (organization_id) ist weder im Katalog noch in der Datei enthalten."));
                        continue;
                    }
                }
            }
            else
            {
                var name = TermCatalogue.Fold(row.Organization!.Name!);
                if (!orgByName.TryGetValue(name, out orgId))
                {
                    var org = new Organization();
                    editor.ApplyOrganization(org, row.Organization, user, ChangeSource.Import, bulk);
                    orgByName[name] = orgId = org.Id;
                    orgsCreated++;
                }
            }
            rowOrg[row] = orgId;
            if (row.Service is null && preview.Count < PreviewLimit)
                preview.Add(new ImportPreviewRow(row.Line, "Träger", row.Organization?.Name, null, [], row.Warnings));
        }
        if (errors.Count > 0) return Fail(format, dryRun, errors, rows.Count, ignored);

        // Services: match HSDS ids, external ids, then organisation + name + postcode.
        var serviceRows = rows.Where(r => r.Service is not null).ToList();
        var orgIds = rowOrg.Values.Distinct().ToArray();
        var byNameKey = (await conn.QueryAsync<(Guid Id, Guid OrganizationId, string Name, string? PostalCode)>(new CommandDefinition("""
            SELECT s.id, s.organization_id, s.name, l.postal_code
            FROM directory.service s
            LEFT JOIN LATERAL (SELECT l.postal_code FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
                               WHERE sal.service_id = s.id ORDER BY sal.sort_order, sal.id LIMIT 1) l ON true
            WHERE s.organization_id = ANY(@orgIds)
            """, new { orgIds }, dbTx, cancellationToken: ct)))
            .GroupBy(s => (s.OrganizationId, TermCatalogue.Fold(s.Name), s.PostalCode ?? "")).ToDictionary(g => g.Key, g => g.First().Id);
        var targets = new Dictionary<Row, Guid?>();
        foreach (var row in serviceRows)
        {
            Guid? id = row.ServiceId;
            if (id is null && row.ExternalId is not null && byExternalId.TryGetValue(row.ExternalId, out var ext)) id = ext;
            if (id is null && byNameKey.TryGetValue((rowOrg[row], TermCatalogue.Fold(row.Service!.Name!), row.Service.Location?.PostalCode?.Trim() ?? ""), out var byName)) id = byName;
            targets[row] = id;
        }
        var candidateIds = targets.Values.Where(v => v is not null).Select(v => v!.Value).Distinct().ToList();
        var existing = new Dictionary<Guid, Service>();
        foreach (var chunk in candidateIds.Chunk(2000))
            foreach (var s in await editor.ServicesWithDetails.Where(s => chunk.Contains(s.Id)).ToListAsync(ct))
                existing[s.Id] = s;

        var newKeys = new List<(string ExternalId, Guid Id)>();
        var written = new List<Guid>();
        var details = new List<(Guid ServiceId, HsdsDetails Details)>();
        var previewIds = new List<Guid>();
        foreach (var row in serviceRows)
        {
            var input = row.Service! with { OrganizationId = rowOrg[row] };
            string action;
            List<string> changed;
            Guid serviceId;
            if (targets[row] is { } id && existing.TryGetValue(id, out var service))
            {
                changed = await editor.ApplyAsync(service, input, user, ChangeSource.Import, ct);
                if (KeepVerification(service, row, user)) changed.Add("Geprüft am");
                KeepStamps(service, row);
                action = changed.Count == 0 ? "unverändert" : "aktualisiert";
                if (changed.Count == 0) unchanged++; else updated++;
                serviceId = id;
            }
            else
            {
                var fresh = new Service { Id = targets[row] ?? Guid.NewGuid() };
                changed = await editor.ApplyAsync(fresh, input, user, ChangeSource.Import, ct, bulk);
                KeepVerification(fresh, row, user);
                KeepStamps(fresh, row);
                action = "neu";
                created++;
                serviceId = fresh.Id;
            }
            if (row.ExternalId is not null && !byExternalId.ContainsKey(row.ExternalId)) newKeys.Add((row.ExternalId, serviceId));
            written.Add(serviceId);
            if (row.Details is not null) details.Add((serviceId, row.Details));
            if (preview.Count < PreviewLimit)
            {
                preview.Add(new ImportPreviewRow(row.Line, action, row.Organization?.Name, input.Name, changed, row.Warnings));
                previewIds.Add(serviceId);
            }
            else previewIds.Add(Guid.Empty);
        }
        await editor.SaveAsync(ct, bulk);
        var detailsChanged = await WriteDetailsAsync(conn, dbTx, details, bulk.Services.Select(x => x.Id).ToHashSet(), user, ct);
        // An entry whose only change is in those rows is updated too (report, modification stamp).
        var offset = preview.Count - previewIds.Count(x => x != Guid.Empty);
        for (int i = 0, p = 0; i < previewIds.Count; i++)
        {
            if (previewIds[i] == Guid.Empty) continue;
            var at = offset + p++;
            if (!detailsChanged.Contains(previewIds[i])) continue;
            preview[at].ChangedFields.Add(DetailsField);
            if (preview[at].Action == "unverändert") { preview[at] = preview[at] with { Action = "aktualisiert" }; unchanged--; updated++; }
        }
        if (newKeys.Count > 0)
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO directory.import_key (entity_type, external_id, entity_id) SELECT 'service', e, i FROM unnest(@e, @i) AS x(e, i)
                ON CONFLICT (entity_type, external_id) DO UPDATE SET entity_id = excluded.entity_id
                """, new { e = newKeys.Select(k => k.ExternalId).ToArray(), i = newKeys.Select(k => k.Id).ToArray() }, dbTx, cancellationToken: ct));
        if (dryRun) await tx.RollbackAsync(ct);
        else await tx.CommitAsync(ct);
        return new ImportReport(format, dryRun, !dryRun, rows.Count, created, updated, unchanged, orgsCreated, [], preview, ignored, dryRun ? null : written);
    }

    /// <summary>
    /// The HSDS rows the entry form has no fields for. The file is the source of truth for them, as for phones: an
    /// entry's contacts, cost options, documents, areas and its main location's accessibility are replaced (new ids), so
    /// importing the same file again updates them instead of adding a second set. Runs after the entries are saved
    /// (new ones are written by COPY), inside the import's transaction.
    /// </summary>
    private async Task<HashSet<Guid>> WriteDetailsAsync(Npgsql.NpgsqlConnection conn, Npgsql.NpgsqlTransaction? tx, List<(Guid ServiceId, HsdsDetails Details)> rows, HashSet<Guid> fresh, string user, CancellationToken ct)
    {
        if (rows.Count == 0) return [];
        var now = editor.Now;
        var ids = rows.Select(r => r.ServiceId).Distinct().ToArray();
        Task Run(string sql, object? args) => conn.ExecuteAsync(new CommandDefinition(sql, args, tx, cancellationToken: ct));
        async Task<Dictionary<Guid, string>> Fingerprints() => (await conn.QueryAsync<(Guid Id, string Print)>(new CommandDefinition(DetailsFingerprint, new { ids }, tx, cancellationToken: ct)))
            .ToDictionary(x => x.Id, x => x.Print);
        var before = await Fingerprints();
        await Run("""
            DELETE FROM directory.contact WHERE service_id = ANY(@ids);
            DELETE FROM directory.cost_option WHERE service_id = ANY(@ids);
            DELETE FROM directory.required_document WHERE service_id = ANY(@ids);
            DELETE FROM directory.service_area WHERE service_id = ANY(@ids);
            """, new { ids });
        var mainLocation = (await conn.QueryAsync<(Guid ServiceId, Guid LocationId)>(new CommandDefinition("""
            SELECT DISTINCT ON (service_id) service_id, location_id FROM directory.service_at_location
            WHERE service_id = ANY(@ids) ORDER BY service_id, sort_order, id
            """, new { ids }, tx, cancellationToken: ct))).ToDictionary(x => x.ServiceId, x => x.LocationId);

        await Run("INSERT INTO directory.contact (id, service_id, name, title, department, modified_at) VALUES (@Id, @ServiceId, @Name, @Title, @Department, @now)",
            rows.SelectMany(r => r.Details.Contacts.Select(c => new { Id = Guid.NewGuid(), r.ServiceId, c.Name, c.Title, c.Department, now })).ToList());
        await Run("""
            INSERT INTO directory.cost_option (id, service_id, valid_from, valid_to, option, currency, amount, amount_description, modified_at)
            VALUES (@Id, @ServiceId, CAST(@ValidFrom AS date), CAST(@ValidTo AS date), @Option, @Currency, @Amount, @AmountDescription, @now)
            """, rows.SelectMany(r => r.Details.CostOptions.Select(c => new { Id = Guid.NewGuid(), r.ServiceId, c.ValidFrom, c.ValidTo, c.Option, c.Currency, c.Amount, c.AmountDescription, now })).ToList());
        await Run("INSERT INTO directory.required_document (id, service_id, document, uri, modified_at) VALUES (@Id, @ServiceId, @Document, @Uri, @now)",
            rows.SelectMany(r => r.Details.Documents.Select(d => new { Id = Guid.NewGuid(), r.ServiceId, d.Document, d.Uri, now })).ToList());
        await Run("""
            INSERT INTO directory.service_area (id, service_id, name, description, extent, extent_type, uri, modified_at)
            VALUES (@Id, @ServiceId, @Name, @Description, @Extent, @ExtentType, @Uri, @now)
            """, rows.SelectMany(r => r.Details.Areas.Select(a => new { Id = Guid.NewGuid(), r.ServiceId, a.Name, a.Description, a.Extent, a.ExtentType, a.Uri, now })).ToList());

        // The main location (the one the entry form edits): its accessibility rows and transport notes.
        var located = rows.Where(r => mainLocation.ContainsKey(r.ServiceId)).DistinctBy(r => mainLocation[r.ServiceId]).ToList();
        var locationIds = located.Select(r => mainLocation[r.ServiceId]).ToArray();
        await Run("DELETE FROM directory.accessibility WHERE location_id = ANY(@locationIds)", new { locationIds });
        await Run("INSERT INTO directory.accessibility (id, location_id, description, details, url, modified_at) VALUES (@Id, @LocationId, @Description, @Details, @Url, @now)",
            located.SelectMany(r => r.Details.Accessibility.Select(a => new { Id = Guid.NewGuid(), LocationId = mainLocation[r.ServiceId], a.Description, a.Details, a.Url, now })).ToList());
        await Run("UPDATE directory.location SET transportation = @Transportation WHERE id = @LocationId AND transportation IS DISTINCT FROM @Transportation",
            located.Select(r => new { LocationId = mainLocation[r.ServiceId], r.Details.Transportation }).ToList());

        // Attending type and notes of the opening hours the entry form just wrote (matched by weekday and opening time).
        await Run("""
            UPDATE directory.schedule SET attending_type = @AttendingType, notes = @Notes
            WHERE service_id = @ServiceId AND weekday = @Weekday AND opens_at = CAST(@Opens AS time)
            """, rows.SelectMany(r => r.Details.ScheduleExtras.Select(x => new { r.ServiceId, x.Weekday, x.Opens, x.AttendingType, x.Notes })).ToList());

        var after = await Fingerprints();
        var changed = ids.Where(id => !fresh.Contains(id) && before.GetValueOrDefault(id) != after.GetValueOrDefault(id)).ToArray();
        if (changed.Length > 0)
        {
            await Run("UPDATE directory.service SET modified_at = @now, modified_by = @user WHERE id = ANY(@changed)", new { now, user, changed });
            await Run("""
                INSERT INTO directory.change_history (entity_type, entity_id, changed_at, changed_by, source, field, old_value, new_value)
                SELECT 'service', i, @now, @user, @source, @field, NULL, NULL FROM unnest(@changed) AS x(i)
                """, new { now, user, source = ChangeSource.Import, field = DetailsField, changed });
        }
        return changed.ToHashSet();
    }

    private const string DetailsField = "Kontakte, Kosten, Unterlagen, Einzugsgebiete, Barrierefreiheit, Anfahrt";

    /// <summary>The detail rows' content per entry (without ids and stamps): tells a re-import that changed them from one that did not.</summary>
    private const string DetailsFingerprint = """
        SELECT s.id, md5(concat_ws('|',
            (SELECT string_agg(t, '^' ORDER BY t) FROM (SELECT concat_ws('~', name, title, department) t FROM directory.contact WHERE service_id = s.id) q),
            (SELECT string_agg(t, '^' ORDER BY t) FROM (SELECT concat_ws('~', valid_from, valid_to, option, currency, amount, amount_description) t FROM directory.cost_option WHERE service_id = s.id) q),
            (SELECT string_agg(t, '^' ORDER BY t) FROM (SELECT concat_ws('~', document, uri) t FROM directory.required_document WHERE service_id = s.id) q),
            (SELECT string_agg(t, '^' ORDER BY t) FROM (SELECT concat_ws('~', name, description, extent, extent_type, uri) t FROM directory.service_area WHERE service_id = s.id) q),
            (SELECT string_agg(t, '^' ORDER BY t) FROM (SELECT concat_ws('~', l.id, l.transportation, a.description, a.details, a.url) t
               FROM directory.service_at_location sal JOIN directory.location l ON l.id = sal.location_id
               LEFT JOIN directory.accessibility a ON a.location_id = l.id WHERE sal.service_id = s.id) q),
            (SELECT string_agg(t, '^' ORDER BY t) FROM (SELECT concat_ws('~', weekday, opens_at, attending_type, notes) t FROM directory.schedule WHERE service_id = s.id) q)))
        FROM unnest(@ids) AS s(id)
        """;

    /// <summary>
    /// An imported entry keeps the verification its source recorded (otherwise an export → import round trip would lose
    /// every verification and imported entries would rank as unchecked). An older date never replaces a newer one.
    /// </summary>
    private static bool KeepVerification(Service s, Row row, string user)
    {
        if (row.AssuredAt is not { } at || (s.VerifiedAt is { } current && current.UtcDateTime.Date >= at.UtcDateTime.Date)) return false;
        s.VerifiedAt = at;
        s.VerifiedBy = row.AssurerEmail ?? $"Import ({user})";
        return true;
    }

    /// <summary>A figure the import just wrote keeps the age its source gave it (not "now").</summary>
    private void KeepStamps(Service s, Row row)
    {
        if (row.CapacityStamp is { } c && s.CapacityFree is not null && (s.CapacityUpdatedAt is null || s.CapacityUpdatedAt == editor.Now) && c <= editor.Now)
            s.CapacityUpdatedAt = c;
        if (row.WaitingStamp is { } w && s.WaitingDays is not null && (s.WaitingUpdatedAt is null || s.WaitingUpdatedAt == editor.Now) && w <= editor.Now)
            s.WaitingUpdatedAt = w;
    }

    private static ImportReport Fail(string format, bool dryRun, List<ImportError> errors, int rows = 0, List<string>? ignored = null)
        => new(format, dryRun, false, rows, 0, 0, 0, 0, errors, [], ignored ?? []);

    private static string FileUnreadable(string format) => format switch
    {
        ImportFormats.Xlsx => "Die Datei ist keine lesbare Excel-Datei (.xlsx).",
        ImportFormats.HsdsJson => "Die Datei ist kein gültiges JSON.",
        ImportFormats.HsdsCsv => "Die Datei ist kein lesbares ZIP-Paket mit HSDS-CSV-Tabellen.",
        _ => "Die Datei konnte nicht gelesen werden.",
    };

    private static List<Row> FromSheet(List<SheetRow> sheet, List<ImportError> errors)
    {
        var rows = new List<Row>();
        foreach (var (line, c) in sheet.Select(r => (r.Line, r.Cells)))
        {
            string? Get(string column) => c.TryGetValue(column, out var v) ? v : null;
            List<string>? Split(string column) => Get(column)?.Split([',', ';', '/'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
            int? Number(string column)
            {
                var v = Get(column);
                if (v is null) return null;
                if (double.TryParse(v.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d == Math.Floor(d) && Math.Abs(d) < 1e6) return (int)d;
                errors.Add(new ImportError(line, $"„{column}“ muss eine ganze Zahl sein (gefunden: „{EntryRules.Shorten(v)}“)."));
                return null;
            }
            bool? YesNo(string column)
            {
                var v = Get(column)?.ToLowerInvariant();
                if (v is null) return null;
                if (v is "ja" or "j" or "x" or "yes" or "1" or "wahr" or "true") return true;
                if (v is "nein" or "n" or "no" or "0" or "falsch" or "false" or "-") return false;
                errors.Add(new ImportError(line, $"„{column}“ muss „ja“ oder „nein“ sein."));
                return null;
            }
            var hours = OpeningHoursText.Parse(Get("Öffnungszeiten"), out var hourErrors);
            errors.AddRange(hourErrors.Select(m => new ImportError(line, m)));
            var status = Get("Status")?.ToLowerInvariant() switch
            {
                null => null, "aktiv" or "active" => EntryStatus.Active,
                "vorübergehend geschlossen" or "geschlossen" or "temporarily_closed" => EntryStatus.TemporarilyClosed,
                "ausgeschieden" or "retired" => EntryStatus.Retired, var other => other,
            };
            var hasLocation = Get("Straße") ?? Get("PLZ") ?? Get("Ort");
            rows.Add(new Row
            {
                Line = line,
                ExternalId = Get("ID"),
                Organization = new OrganizationInput { Name = Get("Träger") },
                Service = new ServiceInput
                {
                    Name = Get("Angebot"), Description = Get("Beschreibung"), Status = status,
                    Categories = Split("Kategorie") ?? [], TargetGroups = Split("Zielgruppen") ?? [], Languages = Split("Sprachen") ?? [],
                    Phones = Get("Telefon") is { } phone ? phone.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => new PhoneInput(p)).ToList() : [],
                    Email = Get("E-Mail"), Url = Get("Website"),
                    Location = hasLocation is null ? null : new LocationInput
                    {
                        Address1 = Get("Straße"), PostalCode = Get("PLZ"), City = Get("Ort"), District = Get("Landkreis"), StepFree = YesNo("Barrierefrei") ?? false,
                    },
                    OpeningHours = hours,
                    CapacityFree = Number("Plätze frei"), WaitingDays = Number("Wartezeit (Tage)"),
                    MinimumAge = Number("Mindestalter"), MaximumAge = Number("Höchstalter"),
                    EligibilityDescription = Get("Voraussetzungen"), LegalBasis = Get("Rechtsgrundlage"), Payer = Get("Kostenträger"),
                },
            });
        }
        return rows;
    }

    private static List<Row> FromHsds(List<HsdsEntry> entries, TermCatalogue terms, List<ImportError> errors)
    {
        var rows = new List<Row>();
        foreach (var entry in entries)
        {
            var row = new Row { Line = entry.Position };
            var orgIdText = HsdsReader.Str(entry.Organization?["id"]) ?? HsdsReader.Str(entry.Service?["organization_id"]);
            if (orgIdText is not null && Guid.TryParse(orgIdText, out var orgId)) row.OrganizationId = orgId;
            if (entry.Organization is not null)
            {
                row.Organization = HsdsReader.ToOrganization(entry.Organization);
                row.OrganizationId ??= Guid.NewGuid();
            }
            if (entry.Service is not null)
            {
                if (Guid.TryParse(HsdsReader.Str(entry.Service["id"]), out var sid)) row.ServiceId = sid;
                row.Service = HsdsReader.ToService(entry.Service, terms, row.Warnings);
                (row.AssuredAt, row.AssurerEmail) = HsdsReader.Assured(entry.Service);
                (row.CapacityStamp, row.WaitingStamp) = HsdsReader.Stamps(entry.Service);
                var detailErrors = new List<string>();
                row.Details = HsdsReader.Details(entry.Service, detailErrors);
                errors.AddRange(detailErrors.Select(m => new ImportError(row.Line, m)));
            }
            rows.Add(row);
        }
        return rows;
    }
}
