using System.Data.Common;
using System.Globalization;
using Dapper;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Demo;
using Npgsql;

namespace Netzwerk.Directory.Maintenance;

/// <summary>Where a change came from; shown in the change history.</summary>
public static class ChangeSource
{
    public const string Coordination = "pflege";
    public const string Partner = "partner";
    public const string Proposal = "vorschlag";
    public const string Import = "import";
    public const string Campaign = "pruefaktion";
}

public sealed record HistoryEntry(DateTime ChangedAt, string ChangedBy, string Source, string Field, string? OldValue, string? NewValue);

/// <summary>
/// Applies edits to services and organisations (from the API, forms, proposals and imports) and records
/// every changed field in <c>directory.change_history</c> — in the caller's transaction, so an entry and its
/// history commit together. Every use case goes through here so that history and search index cannot be forgotten.
/// </summary>
public sealed class CatalogueEditor(DirectoryDbContext db, TimeProvider time)
{
    public DirectoryDbContext Db => db;
    public DateTimeOffset Now { get; } = time.GetUtcNow();
    private readonly List<(string Type, Guid Id, string Field, string? Old, string? New, string By, string Source)> _history = [];
    private readonly HashSet<Guid> _touchedServices = [];
    private TermCatalogue? _terms;
    private Dictionary<string, Postcode>? _postcodes;

    public IQueryable<Service> ServicesWithDetails => db.Services
        .Include(s => s.Terms)
        .Include(s => s.Locations).ThenInclude(l => l.Location)
        .Include(s => s.Phones).Include(s => s.Schedules).Include(s => s.Languages)
        .AsSplitQuery();

    public Task<Service?> LoadServiceAsync(Guid id, CancellationToken ct) => ServicesWithDetails.FirstOrDefaultAsync(s => s.Id == id, ct);

    public async Task<TermCatalogue> TermsAsync(CancellationToken ct)
        => _terms ??= new TermCatalogue(await db.TaxonomyTerms.Include(t => t.Taxonomy).AsNoTracking().ToListAsync(ct));

    /// <summary>The editable state of a stored service (the form's initial values, the "before" of a change).</summary>
    public static ServiceInput ToInput(Service s, TermCatalogue terms)
    {
        var location = s.Locations.OrderBy(l => l.SortOrder).ThenBy(l => l.Id).FirstOrDefault()?.Location;
        return new ServiceInput
        {
            OrganizationId = s.OrganizationId, Name = s.Name, AlternateName = s.AlternateName, Description = s.Description, Status = s.Status,
            Url = s.Url, Email = s.Email, ReferralEmail = s.ReferralEmail,
            Phones = s.Phones.OrderBy(p => p.Number).Select(p => new PhoneInput(p.Number, p.Type, p.Description)).ToList(),
            Location = location is null ? null : new LocationInput
            {
                Name = location.Name, Address1 = location.Address1, PostalCode = location.PostalCode, City = location.City,
                District = location.District, Country = location.Country, Latitude = location.Latitude, Longitude = location.Longitude, StepFree = location.StepFree,
            },
            OpeningHours = s.Schedules.OrderBy(h => h.Weekday).ThenBy(h => h.OpensAt)
                .Select(h => new OpeningHoursInput(h.Weekday, h.OpensAt.ToString("HH:mm"), h.ClosesAt.ToString("HH:mm"), h.Description)).ToList(),
            Languages = s.Languages.Select(l => l.Code).Distinct().Order().ToList(),
            Categories = terms.Codes(s.Terms, TaxonomyCodes.PartnerKind),
            TargetGroups = terms.Codes(s.Terms, TaxonomyCodes.TargetGroup),
            EligibilityDescription = s.EligibilityDescription, MinimumAge = s.MinimumAge, MaximumAge = s.MaximumAge,
            CapacityFree = s.CapacityFree, WaitingDays = s.WaitingDays, LegalBasis = s.LegalBasis, Payer = s.Payer,
            FeesDescription = s.FeesDescription, ApplicationProcess = s.ApplicationProcess, InterpretationServices = s.InterpretationServices,
        };
    }

    /// <summary>Flat field → text view of an entry, the unit of the change history.</summary>
    public static Dictionary<string, string?> Snapshot(ServiceInput i) => new()
    {
        ["name"] = i.Name, ["alternateName"] = i.AlternateName, ["description"] = i.Description, ["status"] = i.Status,
        ["url"] = i.Url, ["email"] = i.Email, ["referralEmail"] = i.ReferralEmail,
        ["phones"] = Join(i.Phones?.Select(p => p.Type is null or "voice" ? p.Number : $"{p.Number} ({p.Type})")),
        ["location"] = i.Location is null ? null : string.Join(", ", new[] { i.Location.Name, i.Location.Address1, $"{i.Location.PostalCode} {i.Location.City}".Trim(), i.Location.District }.Where(x => !string.IsNullOrWhiteSpace(x))),
        ["coordinates"] = i.Location?.Latitude is { } lat ? string.Create(CultureInfo.InvariantCulture, $"{lat:0.#####}, {i.Location.Longitude:0.#####}") : null,
        ["stepFree"] = i.Location is null ? null : i.Location.StepFree ? "ja" : "nein",
        ["openingHours"] = i.OpeningHours is null ? null : OpeningHoursText.Format(i.OpeningHours),
        ["languages"] = Join(i.Languages?.Order()), ["categories"] = Join(i.Categories?.Order()), ["targetGroups"] = Join(i.TargetGroups?.Order()),
        ["eligibilityDescription"] = i.EligibilityDescription, ["minimumAge"] = i.MinimumAge?.ToString(), ["maximumAge"] = i.MaximumAge?.ToString(),
        ["capacityFree"] = i.CapacityFree?.ToString(), ["waitingDays"] = i.WaitingDays?.ToString(),
        ["legalBasis"] = i.LegalBasis, ["payer"] = i.Payer, ["feesDescription"] = i.FeesDescription,
        ["applicationProcess"] = i.ApplicationProcess, ["interpretationServices"] = i.InterpretationServices,
    };

    public static Dictionary<string, string?> Snapshot(Organization o) => new()
    {
        ["name"] = o.Name, ["alternateName"] = o.AlternateName, ["description"] = o.Description, ["email"] = o.Email,
        ["referralEmail"] = o.ReferralEmail, ["website"] = o.Website, ["legalStatus"] = o.LegalStatus,
        ["phone"] = Join(o.Phones.Select(p => p.Number)),
        ["cooperationAgreement"] = o.CooperationAgreement ? "ja" : "nein", ["cooperationSince"] = o.CooperationSince?.ToString("dd.MM.yyyy"),
        ["cooperationNote"] = o.CooperationNote, ["status"] = o.Status,
    };

    private static string? Join(IEnumerable<string>? values) => values is null ? null : string.Join("; ", values);

    public List<string> RecordDiff(string type, Guid id, Dictionary<string, string?> before, Dictionary<string, string?> after, string by, string source)
    {
        var changed = new List<string>();
        foreach (var (field, value) in after)
        {
            var old = before.GetValueOrDefault(field);
            if (Normalize(old) == Normalize(value)) continue;
            _history.Add((type, id, field, old, value, by, source));
            changed.Add(field);
        }
        return changed;
    }

    public const string CreatedField = "angelegt";

    private List<string> Created(string type, Guid id, string name, string by, string source)
    {
        _history.Add((type, id, CreatedField, null, name, by, source));
        return [CreatedField];
    }

    public void Record(string type, Guid id, string field, string? old, string? @new, string by, string source)
        => _history.Add((type, id, field, old, @new, by, source));

    private static string? Normalize(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    /// <summary>
    /// Checks what needs the database (taxonomy terms) on top of <see cref="EntryRules.Validate(ServiceInput, FieldErrors, bool)"/>.
    /// </summary>
    public async Task ValidateAsync(ServiceInput input, FieldErrors errors, bool organizationRequired, CancellationToken ct)
    {
        EntryRules.Validate(input, errors, organizationRequired);
        var terms = await TermsAsync(ct);
        foreach (var c in input.Categories ?? [])
            if (terms.Find(TaxonomyCodes.PartnerKind, c) is null) errors.Add("categories", $"Unbekannte Kategorie „{EntryRules.Shorten(c)}“.");
        foreach (var c in input.TargetGroups ?? [])
            if (terms.Find(TaxonomyCodes.TargetGroup, c) is null) errors.Add("targetGroups", $"Unbekannte Zielgruppe „{EntryRules.Shorten(c)}“.");
        if (organizationRequired && input.OrganizationId is { } orgId && !await db.Organizations.AnyAsync(o => o.Id == orgId, ct))
            errors.Add("organizationId", "Der Träger existiert nicht.");
    }

    /// <summary>
    /// Writes <paramref name="input"/> onto <paramref name="s"/> (new or loaded with <see cref="ServicesWithDetails"/>).
    /// Scalars are replaced; a collection that is null stays as it is. Records and returns the changed fields.
    /// With <paramref name="bulk"/>, a new service is collected there (written by COPY) instead of being added to EF.
    /// </summary>
    public async Task<List<string>> ApplyAsync(Service s, ServiceInput input, string by, string source, CancellationToken ct, GeneratedCatalogue? bulk = null)
    {
        var isNew = bulk is not null || db.Entry(s).State == EntityState.Detached;
        var terms = await TermsAsync(ct);
        var before = isNew ? new Dictionary<string, string?>() : Snapshot(ToInput(s, terms));
        var (modifiedAt, modifiedBy) = (s.ModifiedAt, s.ModifiedBy);
        if (isNew)
        {
            if (s.Id == Guid.Empty) s.Id = Guid.NewGuid();
            s.CreatedAt = Now;
            if (bulk is null) db.Services.Add(s);
        }
        if (input.OrganizationId is { } org) s.OrganizationId = org;
        s.Name = input.Name!.Trim();
        s.AlternateName = Clean(input.AlternateName);
        s.Description = input.Description?.Trim() ?? "";
        s.Status = input.Status ?? (isNew ? EntryStatus.Active : s.Status);
        s.Url = Clean(input.Url) is { } url ? EntryRules.NormalizeUrl(url) : null;
        s.Email = Clean(input.Email);
        s.ReferralEmail = Clean(input.ReferralEmail);
        s.EligibilityDescription = Clean(input.EligibilityDescription);
        s.MinimumAge = input.MinimumAge;
        s.MaximumAge = input.MaximumAge;
        if (s.CapacityFree != input.CapacityFree) { s.CapacityFree = input.CapacityFree; s.CapacityUpdatedAt = Now; s.CapacityUpdatedBy = by; }
        if (s.WaitingDays != input.WaitingDays) { s.WaitingDays = input.WaitingDays; s.WaitingUpdatedAt = Now; s.WaitingUpdatedBy = by; }
        s.LegalBasis = Clean(input.LegalBasis);
        s.Payer = Clean(input.Payer);
        s.FeesDescription = Clean(input.FeesDescription);
        s.ApplicationProcess = Clean(input.ApplicationProcess);
        s.InterpretationServices = Clean(input.InterpretationServices);
        s.ModifiedAt = Now;
        s.ModifiedBy = by;

        if (input.Phones is not null)
        {
            db.Phones.RemoveRange(s.Phones);
            s.Phones.Clear();
            foreach (var p in input.Phones)
                AddChild(s.Phones, new Phone { Id = Guid.NewGuid(), ServiceId = s.Id, Number = p.Number.Trim(), Type = p.Type ?? "voice", Description = Clean(p.Description), ModifiedAt = Now }, bulk);
        }
        if (input.OpeningHours is not null)
        {
            var mainLocationId = s.Locations.OrderBy(l => l.SortOrder).FirstOrDefault()?.LocationId;
            db.Schedules.RemoveRange(s.Schedules);
            s.Schedules.Clear();
            foreach (var h in input.OpeningHours)
                AddChild(s.Schedules, new Schedule
                {
                    Id = Guid.NewGuid(), ServiceId = s.Id, LocationId = mainLocationId, Weekday = (short)h.Weekday,
                    OpensAt = EntryRules.ParseTime(h.Opens), ClosesAt = EntryRules.ParseTime(h.Closes), Description = Clean(h.Description), ModifiedAt = Now,
                }, bulk);
        }
        if (input.Languages is not null)
        {
            var codes = input.Languages.Select(l => LanguageNames.CodeFor(l)!).Distinct().ToHashSet();
            foreach (var gone in s.Languages.Where(l => !codes.Contains(l.Code)).ToList()) { db.Languages.Remove(gone); s.Languages.Remove(gone); }
            foreach (var code in codes.Where(c => s.Languages.All(l => l.Code != c)))
                AddChild(s.Languages, new Language { Id = Guid.NewGuid(), ServiceId = s.Id, Code = code, Name = LanguageNames.NameFor(code), ModifiedAt = Now }, bulk);
        }
        if (input.Categories is not null) SetTerms(s, terms, TaxonomyCodes.PartnerKind, input.Categories, bulk);
        if (input.TargetGroups is not null) SetTerms(s, terms, TaxonomyCodes.TargetGroup, input.TargetGroups, bulk);
        if (input.Location is not null) await SetLocationAsync(s, input.Location, ct, bulk is null);

        // A new entry gets one "angelegt" row; its fields are its current state. Later edits are recorded field by field.
        var changed = isNew ? Created("service", s.Id, s.Name, by, source) : RecordDiff("service", s.Id, before, Snapshot(ToInput(s, terms)), by, source);
        if (changed.Count == 0)
        {
            // Nothing changed (e.g. the same list imported again): keep the entry's modification stamp.
            s.ModifiedAt = modifiedAt;
            s.ModifiedBy = modifiedBy;
            return changed;
        }
        if (bulk is not null)
        {
            bulk.Services.Add(s);
            bulk.Phones.AddRange(s.Phones);
            bulk.Schedules.AddRange(s.Schedules);
            bulk.Languages.AddRange(s.Languages);
            bulk.ServiceTerms.AddRange(s.Terms);
            foreach (var sal in s.Locations)
            {
                bulk.ServiceAtLocations.Add(sal);
                if (sal.Location is not null) bulk.Locations.Add(sal.Location);   // a new service's location is new too
            }
        }
        else _touchedServices.Add(s.Id);
        return changed;
    }

    private void SetTerms(Service s, TermCatalogue terms, string taxonomy, List<string> values, GeneratedCatalogue? bulk)
    {
        var wanted = values.Select(v => terms.Find(taxonomy, v)!).DistinctBy(t => t.Id).ToList();
        foreach (var gone in s.Terms.Where(t => terms.ById(t.TaxonomyTermId)?.Taxonomy?.Code == taxonomy && wanted.All(w => w.Id != t.TaxonomyTermId)).ToList())
        {
            db.ServiceTaxonomyTerms.Remove(gone);
            s.Terms.Remove(gone);
        }
        foreach (var term in wanted.Where(w => s.Terms.All(t => t.TaxonomyTermId != w.Id)))
            AddChild(s.Terms, new ServiceTaxonomyTerm { ServiceId = s.Id, TaxonomyTermId = term.Id }, bulk);
    }

    private async Task SetLocationAsync(Service s, LocationInput input, CancellationToken ct, bool track)
    {
        var link = s.Locations.OrderBy(l => l.SortOrder).ThenBy(l => l.Id).FirstOrDefault();
        var location = link?.Location;
        var postcodeChanged = location is null || location.PostalCode != Clean(input.PostalCode);
        if (location is null)
        {
            location = new Location { Id = Guid.NewGuid(), OrganizationId = s.OrganizationId };
            if (track) db.Locations.Add(location);
            var newLink = new ServiceAtLocation { Id = Guid.NewGuid(), ServiceId = s.Id, LocationId = location.Id, Location = location, SortOrder = 0, ModifiedAt = Now };
            if (track) db.ServiceAtLocations.Add(newLink);
            if (!s.Locations.Contains(newLink)) s.Locations.Add(newLink);
        }
        else
        {
            // A location may be shared by several services of the organisation: their search documents change too.
            foreach (var other in await db.ServiceAtLocations.Where(x => x.LocationId == location.Id).Select(x => x.ServiceId).ToListAsync(ct))
                _touchedServices.Add(other);
        }
        location.Name = Clean(input.Name) ?? Clean(input.Address1) ?? s.Name;
        location.Address1 = Clean(input.Address1);
        location.PostalCode = Clean(input.PostalCode);
        location.City = Clean(input.City);
        location.Country = Clean(input.Country)?.ToUpperInvariant() is { Length: 2 } c ? c : "DE";
        location.StepFree = input.StepFree;
        if (input.Latitude is { } lat && input.Longitude is { } lon) { location.Latitude = lat; location.Longitude = lon; }
        else if (postcodeChanged)
        {
            // Without coordinates the postcode's centre keeps the entry findable by distance.
            var pc = location.PostalCode is null ? null : (await PostcodesAsync(ct)).GetValueOrDefault(location.PostalCode);
            location.Latitude = pc?.Latitude;
            location.Longitude = pc?.Longitude;
        }
        var district = Clean(input.District);
        if (district is null && location.PostalCode is not null) district = (await PostcodesAsync(ct)).GetValueOrDefault(location.PostalCode)?.District;
        location.District = district;
        location.ModifiedAt = Now;
    }

    private async Task<Dictionary<string, Postcode>> PostcodesAsync(CancellationToken ct)
        => _postcodes ??= (await db.Postcodes.AsNoTracking().ToListAsync(ct)).GroupBy(p => p.Code).ToDictionary(g => g.Key, g => g.First());

    public List<string> ApplyOrganization(Organization o, OrganizationInput input, string by, string source, GeneratedCatalogue? bulk = null)
    {
        var isNew = bulk is not null || db.Entry(o).State == EntityState.Detached;
        var before = isNew ? new Dictionary<string, string?>() : Snapshot(o);
        var (modifiedAt, modifiedBy) = (o.ModifiedAt, o.ModifiedBy);
        if (isNew)
        {
            if (o.Id == Guid.Empty) o.Id = Guid.NewGuid();
            o.CreatedAt = Now;
            if (bulk is null) db.Organizations.Add(o);
            else bulk.Organizations.Add(o);
        }
        o.Name = input.Name!.Trim();
        o.AlternateName = Clean(input.AlternateName);
        o.Description = input.Description?.Trim() ?? "";
        o.Email = Clean(input.Email);
        o.ReferralEmail = Clean(input.ReferralEmail);
        o.Website = Clean(input.Website) is { } w ? EntryRules.NormalizeUrl(w) : null;
        o.LegalStatus = Clean(input.LegalStatus);
        o.CooperationAgreement = input.CooperationAgreement;
        o.CooperationSince = input.CooperationSince;
        o.CooperationNote = Clean(input.CooperationNote);
        o.Status = input.Status ?? (isNew ? EntryStatus.Active : o.Status);
        o.ModifiedAt = Now;
        o.ModifiedBy = by;
        var phone = Clean(input.Phone);
        if (phone is not null && o.Phones.All(p => p.Number != phone))
        {
            db.Phones.RemoveRange(o.Phones);
            o.Phones.Clear();
            AddChild(o.Phones, new Phone { Id = Guid.NewGuid(), OrganizationId = o.Id, Number = phone, Type = "voice", ModifiedAt = Now }, bulk);
        }
        else if (phone is null && o.Phones.Count > 0)
        {
            db.Phones.RemoveRange(o.Phones);
            o.Phones.Clear();
        }
        if (bulk is not null) bulk.Phones.AddRange(o.Phones);
        var changed = isNew ? Created("organization", o.Id, o.Name, by, source) : RecordDiff("organization", o.Id, before, Snapshot(o), by, source);
        if (changed.Count == 0) (o.ModifiedAt, o.ModifiedBy) = (modifiedAt, modifiedBy);
        return changed;
    }

    /// <summary>
    /// New child rows are added to EF explicitly: found only through a navigation, an entity whose Guid key is already
    /// set would be taken for an existing row and updated instead of inserted.
    /// </summary>
    private void AddChild<T>(List<T> collection, T entity, GeneratedCatalogue? bulk) where T : class
    {
        if (bulk is null) db.Add(entity);   // EF's fix-up may already put it into the collection
        if (!collection.Contains(entity)) collection.Add(entity);
    }

    public void TouchService(Guid id) => _touchedServices.Add(id);

    /// <summary>Saves the entities, the history rows and the search documents inside the open transaction.</summary>
    public async Task SaveAsync(CancellationToken ct, GeneratedCatalogue? bulk = null)
    {
        var (conn, tx) = Connection();
        // New entries first (binary COPY, builds their search documents), then EF's updates, which may refer to them.
        if (bulk is not null && bulk.Services.Count + bulk.Organizations.Count > 0)
        {
            // Building 10,000 search documents is one large statement; compiling it with JIT costs more than it saves.
            await conn.ExecuteAsync(new CommandDefinition("SET LOCAL jit = off", transaction: tx, cancellationToken: ct));
            await CatalogueBulkWriter.WriteAsync(conn, bulk, includeTaxonomies: false, ct);
        }
        await db.SaveChangesAsync(ct);
        if (_history.Count > 0)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO directory.change_history (entity_type, entity_id, changed_at, changed_by, source, field, old_value, new_value)
                SELECT t, i, @now, b, s, f, o, n FROM unnest(@types, @ids, @bys, @sources, @fields, @olds, @news) AS x(t, i, b, s, f, o, n)
                """, new
            {
                now = Now,
                types = _history.Select(h => h.Type).ToArray(), ids = _history.Select(h => h.Id).ToArray(),
                bys = _history.Select(h => h.By).ToArray(), sources = _history.Select(h => h.Source).ToArray(),
                fields = _history.Select(h => h.Field).ToArray(), olds = _history.Select(h => h.Old).ToArray(),
                news = _history.Select(h => h.New).ToArray(),
            }, tx, cancellationToken: ct));
            _history.Clear();
        }
        if (_touchedServices.Count > 0)
        {
            await SearchIndex.RefreshAsync(conn, tx, _touchedServices.ToArray(), ct);
            _touchedServices.Clear();
        }
    }

    public (NpgsqlConnection Connection, NpgsqlTransaction? Transaction) Connection()
        => ((NpgsqlConnection)db.Database.GetDbConnection(), (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction());

    public static async Task<List<HistoryEntry>> HistoryAsync(DbConnection conn, string type, Guid id, CancellationToken ct)
        => (await conn.QueryAsync<HistoryEntry>(new CommandDefinition("""
            SELECT changed_at AS ChangedAt, changed_by AS ChangedBy, source AS Source, field AS Field, old_value AS OldValue, new_value AS NewValue
            FROM directory.change_history WHERE entity_type = @type AND entity_id = @id ORDER BY changed_at DESC, id DESC LIMIT 500
            """, new { type, id }, cancellationToken: ct))).ToList();

    private static string? Clean(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();
}

/// <summary>Partner kinds and target groups by code or name, as coordinators and lists spell them.</summary>
public sealed class TermCatalogue(List<TaxonomyTerm> terms)
{
    private readonly Dictionary<(string, string), TaxonomyTerm> _byKey = terms
        .SelectMany(t => new[] { (Key: (t.Taxonomy!.Code, Fold(t.Code)), t), (Key: (t.Taxonomy!.Code, Fold(t.Name)), t) })
        .GroupBy(x => x.Key).ToDictionary(g => g.Key, g => g.First().t);

    private readonly Dictionary<Guid, TaxonomyTerm> _byId = terms.ToDictionary(t => t.Id);
    public IReadOnlyList<TaxonomyTerm> All => terms;
    public TaxonomyTerm? ById(Guid id) => _byId.GetValueOrDefault(id);
    public List<string> Codes(IEnumerable<ServiceTaxonomyTerm> links, string taxonomy)
        => links.Select(l => ById(l.TaxonomyTermId)).Where(t => t?.Taxonomy?.Code == taxonomy).Select(t => t!.Code).Order().ToList();
    public TaxonomyTerm? Find(string taxonomy, string value) => _byKey.GetValueOrDefault((taxonomy, Fold(value)));
    public static string Fold(string s) => s.Trim().ToLowerInvariant().Replace("ä", "ae").Replace("ö", "oe").Replace("ü", "ue").Replace("ß", "ss");
}
