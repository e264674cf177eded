using System.Security.Cryptography;
using System.Text;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Platform.Identity;
using static Netzwerk.Directory.Demo.DemoCatalogueData;

namespace Netzwerk.Directory.Demo;

/// <summary>Fixed ids of demo services other modules and tests may rely on.</summary>
public static class DemoCatalogue
{
    public static class Services
    {
        public static readonly Guid DebtCounsellingKamenz = Guid.Parse("0b000000-0000-4000-8000-000000000001");
        public static readonly Guid InsolvencyCounsellingKamenz = Guid.Parse("0b000000-0000-4000-8000-000000000002");
        public static readonly Guid AddictionCounsellingBautzen = Guid.Parse("0b000000-0000-4000-8000-000000000011");
        public static readonly Guid DrugCounsellingBautzen = Guid.Parse("0b000000-0000-4000-8000-000000000012");
        public static readonly Guid AddictionAftercareBautzen = Guid.Parse("0b000000-0000-4000-8000-000000000013");
    }

    public static readonly Guid PsychotherapyMuellerPulsnitz = Guid.Parse("0a000000-0000-4000-8000-0000000000a1");

    public const string DebtCounsellingKamenzReferralEmail = "verweisung@schuldnerberatung-kamenz.example";
    public const string AddictionCounsellingBautzenReferralEmail = "verweisung@suchtberatung-bautzen.example";
}

/// <summary>All rows of a generated catalogue, in insert order.</summary>
public sealed class GeneratedCatalogue
{
    public List<Taxonomy> Taxonomies { get; } = [];
    public List<TaxonomyTerm> Terms { get; } = [];
    public List<Organization> Organizations { get; } = [];
    public List<Location> Locations { get; } = [];
    public List<Accessibility> Accessibility { get; } = [];
    public List<Service> Services { get; } = [];
    public List<ServiceTaxonomyTerm> ServiceTerms { get; } = [];
    public List<ServiceAtLocation> ServiceAtLocations { get; } = [];
    public List<Contact> Contacts { get; } = [];
    public List<Phone> Phones { get; } = [];
    public List<Schedule> Schedules { get; } = [];
    public List<Language> Languages { get; } = [];
    public List<CostOption> CostOptions { get; } = [];
    public List<RequiredDocument> RequiredDocuments { get; } = [];
    public List<ServiceArea> ServiceAreas { get; } = [];
}

/// <summary>
/// Generates a realistic, fictional Landkreis network, deterministic for a seed: the demo data (about
/// 160 organisations) and the benchmark catalogue (300,000 services) come from the same generator.
/// </summary>
public sealed class DemoCatalogueGenerator
{
    private readonly Random _rng;
    private readonly DateTimeOffset _now;
    private readonly double _spreadDegrees;
    private readonly GeneratedCatalogue _c = new();
    private readonly Dictionary<string, Guid> _termIds = new();
    private readonly HashSet<string> _orgNames = new();
    private string _orgPhone = "";
    private readonly IReadOnlyList<Town> _towns;
    private readonly int _totalTownWeight;

    private DemoCatalogueGenerator(int seed, DateTimeOffset now, double spreadDegrees, IReadOnlyList<Town>? towns)
    {
        _towns = towns ?? Towns;
        _totalTownWeight = _towns.Sum(t => t.Weight);
        _rng = new Random(seed);
        _now = now.ToUniversalTime();
        _spreadDegrees = spreadDegrees;
    }

    public static Guid StableId(string key)
    {
        var hash = MD5.HashData(Encoding.UTF8.GetBytes("netzwerk:" + key));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x30);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash, bigEndian: true);
    }

    /// <param name="targetServices">When set, organisations are added until this many services exist (benchmark).</param>
    public static GeneratedCatalogue Generate(int seed, int organizations, DateTimeOffset now, double spreadDegrees = 0.015,
        bool withDemoPartners = true, IReadOnlyList<Town>? towns = null, int? targetServices = null)
    {
        var g = new DemoCatalogueGenerator(seed, now, spreadDegrees, towns);
        g.AddTaxonomies();
        if (withDemoPartners) g.AddDemoPartners();
        var weighted = Categories.SelectMany(c => Enumerable.Repeat(c.Code, c.Code switch
        {
            "kinderbetreuung" or "bildungstraeger" => 5,
            "vereine" => 4,
            "schuldnerberatung" or "suchtberatung" or "freie_jugendhilfe" or "migrationsberatung" => 3,
            _ => 2,
        })).ToArray();
        for (var i = 0; targetServices is { } target ? g._c.Services.Count < target : i < organizations; i++)
        {
            var code = i < Categories.Length * 3 ? Categories[i % Categories.Length].Code : weighted[g._rng.Next(weighted.Length)];
            g.AddOrganization(Templates.First(t => t.Category == code), g.PickTown());
        }
        return g._c;
    }

    private Guid NewId()
    {
        Span<byte> b = stackalloc byte[16];
        _rng.NextBytes(b);
        b[6] = (byte)((b[6] & 0x0F) | 0x40);
        b[8] = (byte)((b[8] & 0x3F) | 0x80);
        return new Guid(b, bigEndian: true);
    }

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private Town PickTown()
    {
        var x = _rng.Next(_totalTownWeight);
        foreach (var t in _towns)
        {
            if (x < t.Weight) return t;
            x -= t.Weight;
        }
        return _towns[0];
    }

    private void AddTaxonomies()
    {
        var kinds = new Taxonomy { Id = StableId("taxonomy:partnerart"), Code = TaxonomyCodes.PartnerKind, Name = "Partnerarten", Description = "Arten von Netzwerkpartnern (erweiterbar durch die Netzwerkkoordination)", Version = "1", ModifiedAt = _now };
        var groups = new Taxonomy { Id = StableId("taxonomy:zielgruppe"), Code = TaxonomyCodes.TargetGroup, Name = "Zielgruppen", Description = "Zielgruppen der Angebote", Version = "1", ModifiedAt = _now };
        _c.Taxonomies.AddRange([kinds, groups]);
        var order = 0;
        foreach (var cat in Categories)
        {
            var id = StableId("term:partnerart:" + cat.Code);
            _termIds[cat.Code] = id;
            _c.Terms.Add(new TaxonomyTerm { Id = id, TaxonomyId = kinds.Id, Code = cat.Code, Name = cat.Name, Description = cat.Description, TermGroup = cat.Group, SortOrder = order++, ModifiedAt = _now });
        }
        order = 0;
        foreach (var tg in TargetGroups)
        {
            var id = StableId("term:zielgruppe:" + tg.Code);
            _termIds[tg.Code] = id;
            _c.Terms.Add(new TaxonomyTerm { Id = id, TaxonomyId = groups.Id, Code = tg.Code, Name = tg.Name, SortOrder = order++, ModifiedAt = _now });
        }
    }

    private void AddDemoPartners()
    {
        var kamenz = Towns.First(t => t.Name == "Kamenz");
        var debt = Templates.First(t => t.Category == "schuldnerberatung");
        var org = NewOrganization(DemoUsers.Organizations.DebtCounsellingKamenz, "Schuldner- und Insolvenzberatung der Diakonie Kamenz", debt, kamenz);
        org.ReferralEmail = DemoCatalogue.DebtCounsellingKamenzReferralEmail;
        org.Status = EntryStatus.Active;
        org.VerifiedAt = _now.AddDays(-40);
        org.Email = "info@schuldnerberatung-kamenz.example";
        org.CooperationAgreement = true;
        org.CooperationSince = new DateOnly(2019, 4, 1);
        org.CooperationNote = "Kooperationsvereinbarung nach §16a SGB II mit dem Jobcenter, jährliche Fallkonferenz.";
        var loc = NewLocation(org, kamenz, "Macherstraße 25", stepFree: true, exact: true);
        AddService(org, loc, debt, debt.Services[0], DemoCatalogue.Services.DebtCounsellingKamenz, ["de", "ar", "en"], capacity: 3, waiting: 10);
        AddService(org, loc, debt, debt.Services[1], DemoCatalogue.Services.InsolvencyCounsellingKamenz, ["de", "ar"], capacity: 1, waiting: 35);

        var bautzen = Towns.First(t => t.Name == "Bautzen");
        var addiction = Templates.First(t => t.Category == "suchtberatung");
        var org2 = NewOrganization(DemoUsers.Organizations.AddictionCounsellingBautzen, "Suchtberatungs- und Behandlungsstelle Bautzen", addiction, bautzen);
        org2.ReferralEmail = DemoCatalogue.AddictionCounsellingBautzenReferralEmail;
        org2.Status = EntryStatus.Active;
        org2.VerifiedAt = _now.AddDays(-420);
        org2.Email = "kontakt@suchtberatung-bautzen.example";
        org2.CooperationAgreement = true;
        org2.CooperationSince = new DateOnly(2017, 1, 1);
        var loc2 = NewLocation(org2, bautzen, "Löbauer Straße 48", stepFree: true, exact: true);
        AddService(org2, loc2, addiction, addiction.Services[0], DemoCatalogue.Services.AddictionCounsellingBautzen, ["de", "ru", "en"], capacity: 4, waiting: 5);
        AddService(org2, loc2, addiction, addiction.Services[1], DemoCatalogue.Services.DrugCounsellingBautzen, ["de", "ru", "uk"], capacity: 2, waiting: 3);
        AddService(org2, loc2, addiction, addiction.Services[2], DemoCatalogue.Services.AddictionAftercareBautzen, ["de"], capacity: 0, waiting: 42);

        // A name with an umlaut, so that Müller / Mueller / Muller can be shown (and tested).
        var pulsnitz = Towns.First(t => t.Name == "Pulsnitz");
        var psycho = Templates.First(t => t.Category == "psychosoziale_betreuung");
        var org3 = NewOrganization(DemoCatalogue.PsychotherapyMuellerPulsnitz, "Praxis für Psychotherapie Dr. Müller", psycho, pulsnitz);
        org3.Status = EntryStatus.Active;
        var loc3 = NewLocation(org3, pulsnitz, "Straße der Einheit 5", stepFree: false, exact: true);
        AddService(org3, loc3, psycho, psycho.Services[0], NewId(), ["de", "pl"], capacity: 2, waiting: 28);
    }

    private void AddOrganization(OrgTemplate template, Town town)
    {
        string name = "";
        for (var attempt = 0; attempt < 4; attempt++)
        {
            name = Pick(template.Names)
                .Replace("{town}", town.Name)
                .Replace("{carrier}", Pick(template.Carriers))
                .Replace("{name}", Pick(KitaNames))
                .Replace("{lastname}", Pick(LastNames));
            if (_orgNames.Add(name)) break;
        }
        var org = NewOrganization(NewId(), name, template, town);
        var loc = NewLocation(org, town, $"{Pick(Streets)} {_rng.Next(1, 80)}", stepFree: _rng.NextDouble() < 0.65, exact: false);
        var count = template.Services.Length == 1 ? 1 : _rng.Next(2, Math.Min(4, template.Services.Length + 1));
        foreach (var st in template.Services.OrderBy(_ => _rng.Next()).Take(count))
        {
            var langs = new List<string> { "de" };
            foreach (var (lang, p) in OtherLanguages)
                if (_rng.NextDouble() < p) langs.Add(lang.Code);
            if (template.ExtraLanguages is { } extra)
                langs.AddRange(extra.OrderBy(_ => _rng.Next()).Take(_rng.Next(2, extra.Length + 1)));
            var waiting = _rng.Next(st.WaitMin, st.WaitMax + 1);
            var capacity = _rng.NextDouble() < 0.2 ? 0 : _rng.Next(1, 12);
            AddService(org, loc, template, st, NewId(), langs.Distinct().ToArray(), capacity, waiting);
        }
    }

    private Organization NewOrganization(Guid id, string name, OrgTemplate template, Town town)
    {
        _orgNames.Add(name);
        var slug = Slug(name);
        var verifiedDaysAgo = _rng.Next(0, 560);
        var org = new Organization
        {
            Id = id,
            Name = name,
            Description = $"{Categories.First(c => c.Code == template.Category).Description} in {town.Name} und Umgebung.",
            Email = $"info@{slug}.example",
            ReferralEmail = $"verweisung@{slug}.example",
            Website = $"https://www.{slug}.example",
            LegalStatus = template.LegalStatus,
            YearIncorporated = _rng.Next(1990, 2021),
            CooperationAgreement = _rng.NextDouble() < 0.6,
            Status = _rng.NextDouble() switch { < 0.02 => EntryStatus.Retired, < 0.05 => EntryStatus.TemporarilyClosed, _ => EntryStatus.Active },
            VerifiedAt = _now.AddDays(-verifiedDaysAgo),
            VerifiedBy = "nk.hoffmann",
            CreatedAt = _now.AddDays(-600),
            ModifiedAt = _now.AddDays(-_rng.Next(0, 200)),
            ModifiedBy = "nk.hoffmann",
        };
        if (org.CooperationAgreement)
            org.CooperationSince = new DateOnly(_rng.Next(2012, 2025), _rng.Next(1, 13), 1);
        _c.Organizations.Add(org);
        _orgPhone = $"{town.AreaCode} {_rng.Next(10000, 99999)}";
        _c.Phones.Add(new Phone { Id = NewId(), OrganizationId = org.Id, Number = _orgPhone, Type = "voice", Description = "Zentrale", ModifiedAt = _now });
        return org;
    }

    private Location NewLocation(Organization org, Town town, string street, bool stepFree, bool exact)
    {
        var loc = new Location
        {
            Id = NewId(),
            OrganizationId = org.Id,
            Name = org.Name,
            Address1 = street,
            PostalCode = town.Postcode,
            City = town.Name,
            District = town.District,
            Latitude = Math.Round(town.Latitude + (exact ? 0.002 : (_rng.NextDouble() - 0.5) * 2 * _spreadDegrees), 6),
            Longitude = Math.Round(town.Longitude + (exact ? 0.003 : (_rng.NextDouble() - 0.5) * 3 * _spreadDegrees), 6),
            StepFree = stepFree,
            Transportation = $"Bus, Haltestelle {town.Name} {Pick(new[] { "Markt", "Bahnhof", "Zentrum", "Rathaus" })}",
            ModifiedAt = _now,
        };
        _c.Locations.Add(loc);
        if (stepFree)
        {
            _c.Accessibility.Add(new Accessibility { Id = NewId(), LocationId = loc.Id, Description = "Stufenloser Zugang", Details = "Eingang ebenerdig, Türbreite 90 cm", ModifiedAt = _now });
            if (_rng.NextDouble() < 0.5)
                _c.Accessibility.Add(new Accessibility { Id = NewId(), LocationId = loc.Id, Description = "Barrierefreies WC", ModifiedAt = _now });
        }
        return loc;
    }

    private void AddService(Organization org, Location loc, OrgTemplate template, ServiceTemplate st, Guid id, string[] languages, int capacity, int waiting)
    {
        var capacityDaysAgo = _rng.Next(0, 45);
        var service = new Service
        {
            Id = id,
            OrganizationId = org.Id,
            Name = st.Name,
            Description = st.Description,
            Email = org.Email,
            ReferralEmail = _rng.NextDouble() < 0.2 && !IsDemoPartner(org.Id) ? $"anmeldung-{_c.Services.Count + 1}@{Slug(org.Name)}.example" : null,
            Status = _rng.NextDouble() < 0.03 && !IsDemoPartner(org.Id) ? EntryStatus.TemporarilyClosed : EntryStatus.Active,
            InterpretationServices = languages.Length > 1 ? "Beratung in " + string.Join(", ", languages.Skip(1).Select(c => LanguageByCode(c).Name)) + "; weitere Sprachen über Sprachmittler nach Absprache." : "Sprachmittlung nach Absprache.",
            ApplicationProcess = st.Hours == HoursProfile.Office ? "Termin telefonisch oder per E-Mail; Verweisung durch das Jobcenter möglich." : "Offene Sprechstunde oder Termin nach telefonischer Vereinbarung; Verweisung durch das Jobcenter.",
            FeesDescription = st.Cost ?? "kostenfrei",
            EligibilityDescription = st.Eligibility,
            MinimumAge = st.MinAge,
            MaximumAge = st.MaxAge,
            LegalBasis = template.LegalBasis,
            Payer = template.Payer,
            CapacityFree = capacity,
            CapacityUpdatedAt = _now.AddDays(-capacityDaysAgo).AddHours(-_rng.Next(0, 9)),
            CapacityUpdatedBy = "partner",
            WaitingDays = waiting,
            WaitingUpdatedAt = _now.AddDays(-capacityDaysAgo - _rng.Next(0, 20)),
            WaitingUpdatedBy = "partner",
            VerifiedAt = org.VerifiedAt,
            VerifiedBy = org.VerifiedBy,
            CreatedAt = org.CreatedAt,
            ModifiedAt = org.ModifiedAt,
            ModifiedBy = org.ModifiedBy,
        };
        _c.Services.Add(service);
        _c.ServiceTerms.Add(new ServiceTaxonomyTerm { ServiceId = id, TaxonomyTermId = _termIds[template.Category] });
        if (st.ExtraCategory is { } extra)
            _c.ServiceTerms.Add(new ServiceTaxonomyTerm { ServiceId = id, TaxonomyTermId = _termIds[extra] });
        foreach (var tg in st.TargetGroups)
            _c.ServiceTerms.Add(new ServiceTaxonomyTerm { ServiceId = id, TaxonomyTermId = _termIds[tg] });
        if (languages.Contains("ar") || languages.Contains("uk") || languages.Contains("ru") || languages.Contains("fa"))
            if (!st.TargetGroups.Contains("migration"))
                _c.ServiceTerms.Add(new ServiceTaxonomyTerm { ServiceId = id, TaxonomyTermId = _termIds["migration"] });

        var sal = new ServiceAtLocation { Id = NewId(), ServiceId = id, LocationId = loc.Id, ModifiedAt = _now };
        _c.ServiceAtLocations.Add(sal);
        foreach (var code in languages)
        {
            var lang = LanguageByCode(code);
            _c.Languages.Add(new Language { Id = NewId(), ServiceId = id, Code = lang.Code, Name = lang.Name, ModifiedAt = _now });
        }
        var contact = new Contact
        {
            Id = NewId(), ServiceId = id,
            Name = $"{Pick(FirstNames)} {Pick(LastNames)}",
            Title = st.Hours == HoursProfile.Office ? "Sachbearbeitung" : "Beraterin/Berater",
            Email = $"beratung@{Slug(org.Name)}.example",
            ModifiedAt = _now,
        };
        _c.Contacts.Add(contact);
        _c.Phones.Add(new Phone { Id = NewId(), ServiceId = id, ContactId = contact.Id, Number = _orgPhone[..^2] + _rng.Next(10, 99), Type = "voice", ModifiedAt = _now });
        foreach (var (day, opens, closes, note) in Hours(st.Hours))
            _c.Schedules.Add(new Schedule { Id = NewId(), ServiceId = id, Weekday = day, OpensAt = opens, ClosesAt = closes, Description = note, AttendingType = "in Person", ModifiedAt = _now });
        _c.CostOptions.Add(new CostOption { Id = NewId(), ServiceId = id, Option = st.Cost ?? "kostenfrei", Currency = "EUR", Amount = st.Cost is null ? 0m : null, AmountDescription = st.Cost ?? "Für Leistungsbeziehende kostenfrei", ModifiedAt = _now });
        foreach (var doc in st.Documents ?? [])
            _c.RequiredDocuments.Add(new RequiredDocument { Id = NewId(), ServiceId = id, Document = doc, ModifiedAt = _now });
        _c.ServiceAreas.Add(new ServiceArea { Id = NewId(), ServiceId = id, Name = _rng.NextDouble() < 0.5 ? loc.District ?? DistrictBautzen : $"{loc.City} und Umgebung", ModifiedAt = _now });
    }

    private static readonly TimeOnly T8 = new(8, 0), T9 = new(9, 0), T12 = new(12, 0), T13 = new(13, 0), T15 = new(15, 0), T16 = new(16, 0), T18 = new(18, 0);

    private IEnumerable<(short, TimeOnly, TimeOnly, string?)> Hours(HoursProfile profile)
    {
        switch (profile)
        {
            case HoursProfile.Office:
                for (short d = 1; d <= 5; d++) yield return (d, T8, T12, null);
                yield return (2, T13, T18, null);
                yield return (4, T13, T16, null);
                break;
            case HoursProfile.Daycare:
                for (short d = 1; d <= 5; d++) yield return (d, new TimeOnly(6, 0), new TimeOnly(17, 0), null);
                break;
            case HoursProfile.Club:
                var day = (short)_rng.Next(1, 6);
                yield return (day, new TimeOnly(17, 0), new TimeOnly(20, 0), "Training/Treff");
                yield return ((short)(day % 5 + 1), new TimeOnly(17, 0), new TimeOnly(20, 0), "Training/Treff");
                if (_rng.NextDouble() < 0.5) yield return (6, new TimeOnly(10, 0), new TimeOnly(13, 0), null);
                break;
            case HoursProfile.Shelter:
                for (short d = 1; d <= 7; d++) yield return (d, new TimeOnly(0, 0), new TimeOnly(23, 59), "rund um die Uhr erreichbar");
                break;
            case HoursProfile.Course:
                for (short d = 1; d <= 5; d++) yield return (d, new TimeOnly(8, 0), new TimeOnly(15, 30), null);
                break;
            default:
                yield return (1, T9, T12, "Offene Sprechstunde");
                yield return (2, T9, T12, null);
                yield return (2, T13, T18, null);
                if (_rng.NextDouble() < 0.6) yield return (3, T9, T12, null);
                yield return (4, T13, T18, "Termine nach Vereinbarung");
                yield return (5, T9, T12, null);
                break;
        }
    }

    private static bool IsDemoPartner(Guid organizationId) =>
        organizationId == DemoUsers.Organizations.DebtCounsellingKamenz || organizationId == DemoUsers.Organizations.AddictionCounsellingBautzen
        || organizationId == DemoCatalogue.PsychotherapyMuellerPulsnitz;

    private static string Slug(string name)
    {
        var folded = name.ToLowerInvariant().Replace("ä", "ae").Replace("ö", "oe").Replace("ü", "ue").Replace("ß", "ss");
        var sb = new StringBuilder();
        foreach (var ch in folded)
        {
            if (ch is >= 'a' and <= 'z' or >= '0' and <= '9') sb.Append(ch);
            else if (sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        var slug = sb.ToString().Trim('-');
        return slug.Length > 40 ? slug[..40].TrimEnd('-') : slug;
    }
}
