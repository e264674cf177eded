using System.Globalization;
using Netzwerk.Directory.Maintenance;

namespace Netzwerk.Directory.Pages.Pflege;

/// <summary>The entry form as HTML posts it: lists as text (one phone per line, opening hours as "Mo-Fr 09:00-12:00").</summary>
public sealed class ServiceForm
{
    public Guid? OrganizationId { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public string? Status { get; set; }
    public string? Url { get; set; }
    public string? Email { get; set; }
    public string? ReferralEmail { get; set; }
    public string? Phones { get; set; }
    public string? LocationName { get; set; }
    public string? Address1 { get; set; }
    public string? PostalCode { get; set; }
    public string? City { get; set; }
    public string? District { get; set; }
    public string? Latitude { get; set; }
    public string? Longitude { get; set; }
    public bool StepFree { get; set; }
    public string? OpeningHours { get; set; }
    public string? Languages { get; set; }
    public List<string> Categories { get; set; } = [];
    public List<string> TargetGroups { get; set; } = [];
    public string? EligibilityDescription { get; set; }
    public int? MinimumAge { get; set; }
    public int? MaximumAge { get; set; }
    public int? CapacityFree { get; set; }
    public int? WaitingDays { get; set; }
    public string? LegalBasis { get; set; }
    public string? Payer { get; set; }
    public string? FeesDescription { get; set; }
    public string? ApplicationProcess { get; set; }

    public static ServiceForm From(ServiceInput i) => new()
    {
        OrganizationId = i.OrganizationId, Name = i.Name, Description = i.Description, Status = i.Status, Url = i.Url, Email = i.Email,
        ReferralEmail = i.ReferralEmail, Phones = string.Join("\n", (i.Phones ?? []).Select(p => p.Number)),
        LocationName = i.Location?.Name, Address1 = i.Location?.Address1, PostalCode = i.Location?.PostalCode, City = i.Location?.City,
        District = i.Location?.District, StepFree = i.Location?.StepFree ?? false,
        Latitude = i.Location?.Latitude?.ToString(CultureInfo.InvariantCulture), Longitude = i.Location?.Longitude?.ToString(CultureInfo.InvariantCulture),
        OpeningHours = OpeningHoursText.Format(i.OpeningHours ?? []),
        Languages = string.Join(", ", (i.Languages ?? []).Select(LanguageNames.NameFor)),
        Categories = i.Categories ?? [], TargetGroups = i.TargetGroups ?? [],
        EligibilityDescription = i.EligibilityDescription, MinimumAge = i.MinimumAge, MaximumAge = i.MaximumAge,
        CapacityFree = i.CapacityFree, WaitingDays = i.WaitingDays, LegalBasis = i.LegalBasis, Payer = i.Payer,
        FeesDescription = i.FeesDescription, ApplicationProcess = i.ApplicationProcess,
    };

    /// <summary>The form as an entry; text that cannot be read (opening hours, coordinates) becomes field errors.</summary>
    public ServiceInput ToInput(FieldErrors errors)
    {
        var hours = OpeningHoursText.Parse(OpeningHours, out var hourErrors);
        foreach (var m in hourErrors) errors.Add("openingHours", m);
        double? Coordinate(string? text, string field)
        {
            if (string.IsNullOrWhiteSpace(text)) return null;
            if (double.TryParse(text.Replace(',', '.'), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)) return d;
            errors.Add(field, "Bitte geben Sie eine Dezimalzahl an (z. B. 51.2686).");
            return null;
        }
        var hasLocation = new[] { LocationName, Address1, PostalCode, City, District, Latitude, Longitude }.Any(x => !string.IsNullOrWhiteSpace(x));
        return new ServiceInput
        {
            OrganizationId = OrganizationId, Name = Name, Description = Description, Status = Status, Url = Url, Email = Email, ReferralEmail = ReferralEmail,
            Phones = (Phones ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => new PhoneInput(p)).ToList(),
            Location = hasLocation ? new LocationInput
            {
                Name = LocationName, Address1 = Address1, PostalCode = PostalCode, City = City, District = District, StepFree = StepFree,
                Latitude = Coordinate(Latitude, "location.latitude"), Longitude = Coordinate(Longitude, "location.longitude"),
            } : null,
            OpeningHours = hours,
            Languages = (Languages ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList(),
            Categories = Categories, TargetGroups = TargetGroups,
            EligibilityDescription = EligibilityDescription, MinimumAge = MinimumAge, MaximumAge = MaximumAge,
            CapacityFree = CapacityFree, WaitingDays = WaitingDays, LegalBasis = LegalBasis, Payer = Payer,
            FeesDescription = FeesDescription, ApplicationProcess = ApplicationProcess,
        };
    }

    /// <summary>API field names (camelCase, dotted) → form field names, for showing errors next to the inputs.</summary>
    public static string FormField(string apiField) => apiField switch
    {
        var f when f.StartsWith("phones") => "Phones",
        var f when f.StartsWith("openingHours") => "OpeningHours",
        "location.postalCode" => "PostalCode",
        "location.city" => "City",
        "location.latitude" => "Latitude",
        "location.longitude" => "Longitude",
        var f => char.ToUpperInvariant(f[0]) + f[1..],
    };

    public static readonly Dictionary<string, string> FieldLabels = new()
    {
        ["angelegt"] = "Angelegt", ["name"] = "Name", ["alternateName"] = "Zweitname", ["description"] = "Beschreibung", ["status"] = "Status",
        ["url"] = "Website", ["email"] = "E-Mail", ["referralEmail"] = "E-Mail für Verweisungen", ["phones"] = "Telefon",
        ["location"] = "Standort", ["coordinates"] = "Koordinaten", ["stepFree"] = "Barrierefrei", ["openingHours"] = "Öffnungszeiten",
        ["languages"] = "Sprachen", ["categories"] = "Kategorien", ["targetGroups"] = "Zielgruppen", ["eligibilityDescription"] = "Voraussetzungen",
        ["minimumAge"] = "Mindestalter", ["maximumAge"] = "Höchstalter", ["capacityFree"] = "Freie Plätze", ["waitingDays"] = "Wartezeit (Tage)",
        ["legalBasis"] = "Rechtsgrundlage", ["payer"] = "Kostenträger", ["feesDescription"] = "Kosten", ["applicationProcess"] = "Zugangsweg",
        ["interpretationServices"] = "Sprachmittlung", ["verifiedAt"] = "Geprüft am", ["website"] = "Website", ["phone"] = "Telefon",
        ["legalStatus"] = "Rechtsform", ["cooperationAgreement"] = "Kooperationsvereinbarung", ["cooperationSince"] = "Kooperation seit",
        ["cooperationNote"] = "Notiz zur Kooperation",
    };

    public static string Label(string field) => FieldLabels.GetValueOrDefault(field, field);
}
