using NpgsqlTypes;

namespace Netzwerk.Directory.Catalogue;

// The catalogue entities, one class per table of schema `directory` (HSDS 3.0 names, snake_case columns).
// Child collections are loaded explicitly where needed; handlers use DirectoryDbContext directly.

public static class EntryStatus
{
    public const string Active = "active";
    public const string TemporarilyClosed = "temporarily_closed";
    public const string Retired = "retired";
    public static readonly string[] All = [Active, TemporarilyClosed, Retired];
}

public static class TaxonomyCodes
{
    /// <summary>Partner kinds (Schuldnerberatung, Jugendamt …): the service categories.</summary>
    public const string PartnerKind = "partnerart";
    /// <summary>Target groups (U25, Alleinerziehende …).</summary>
    public const string TargetGroup = "zielgruppe";
}

public sealed class Taxonomy
{
    public Guid Id { get; set; }
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public string? Uri { get; set; }
    public string? Version { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
    public List<TaxonomyTerm> Terms { get; set; } = [];
}

public sealed class TaxonomyTerm
{
    public Guid Id { get; set; }
    public Guid TaxonomyId { get; set; }
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string Description { get; set; } = "";
    public Guid? ParentId { get; set; }
    public string? TermGroup { get; set; }
    public int SortOrder { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
    public Taxonomy? Taxonomy { get; set; }
}

public sealed class Organization
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string? AlternateName { get; set; }
    public string Description { get; set; } = "";
    public string? Email { get; set; }
    public string? ReferralEmail { get; set; }
    public string? Website { get; set; }
    public string? LegalStatus { get; set; }
    public int? YearIncorporated { get; set; }
    public bool CooperationAgreement { get; set; }
    public DateOnly? CooperationSince { get; set; }
    public string? CooperationNote { get; set; }
    public string Status { get; set; } = EntryStatus.Active;
    public DateTimeOffset? VerifiedAt { get; set; }
    public string? VerifiedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
    public string? ModifiedBy { get; set; }
    public List<Service> Services { get; set; } = [];
    public List<Location> Locations { get; set; } = [];
    public List<Contact> Contacts { get; set; } = [];
    public List<Phone> Phones { get; set; } = [];
}

public sealed class Location
{
    public Guid Id { get; set; }
    public Guid? OrganizationId { get; set; }
    public string LocationType { get; set; } = "physical";
    public string Name { get; set; } = "";
    public string? AlternateName { get; set; }
    public string Description { get; set; } = "";
    public string? Transportation { get; set; }
    public string? Url { get; set; }
    public string? Address1 { get; set; }
    public string? Address2 { get; set; }
    public string? PostalCode { get; set; }
    public string? City { get; set; }
    public string? District { get; set; }
    public string? Region { get; set; }
    public string StateProvince { get; set; } = "Sachsen";
    public string Country { get; set; } = "DE";
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public bool StepFree { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
    public List<Accessibility> Accessibility { get; set; } = [];
}

public sealed class Accessibility
{
    public Guid Id { get; set; }
    public Guid LocationId { get; set; }
    public string Description { get; set; } = "";
    public string? Details { get; set; }
    public string? Url { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
}

public sealed class Service
{
    public Guid Id { get; set; }
    public Guid OrganizationId { get; set; }
    public string Name { get; set; } = "";
    public string? AlternateName { get; set; }
    public string Description { get; set; } = "";
    public string? Url { get; set; }
    public string? Email { get; set; }
    public string? ReferralEmail { get; set; }
    public string Status { get; set; } = EntryStatus.Active;
    public string? InterpretationServices { get; set; }
    public string? ApplicationProcess { get; set; }
    public string? FeesDescription { get; set; }
    public string? Accreditations { get; set; }
    public string? EligibilityDescription { get; set; }
    public int? MinimumAge { get; set; }
    public int? MaximumAge { get; set; }
    public string? Alert { get; set; }
    public string? LegalBasis { get; set; }
    public string? Payer { get; set; }
    public int? CapacityFree { get; set; }
    public DateTimeOffset? CapacityUpdatedAt { get; set; }
    public string? CapacityUpdatedBy { get; set; }
    public int? WaitingDays { get; set; }
    public DateTimeOffset? WaitingUpdatedAt { get; set; }
    public string? WaitingUpdatedBy { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
    public string? VerifiedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
    public string? ModifiedBy { get; set; }

    public Organization? Organization { get; set; }
    public List<ServiceTaxonomyTerm> Terms { get; set; } = [];
    public List<ServiceAtLocation> Locations { get; set; } = [];
    public List<Contact> Contacts { get; set; } = [];
    public List<Phone> Phones { get; set; } = [];
    public List<Schedule> Schedules { get; set; } = [];
    public List<Language> Languages { get; set; } = [];
    public List<CostOption> CostOptions { get; set; } = [];
    public List<RequiredDocument> RequiredDocuments { get; set; } = [];
    public List<ServiceArea> ServiceAreas { get; set; } = [];
}

public sealed class ServiceTaxonomyTerm
{
    public Guid ServiceId { get; set; }
    public Guid TaxonomyTermId { get; set; }
    public TaxonomyTerm? TaxonomyTerm { get; set; }
}

public sealed class ServiceAtLocation
{
    public Guid Id { get; set; }
    public Guid ServiceId { get; set; }
    public Guid LocationId { get; set; }
    public string? Description { get; set; }
    public int SortOrder { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
    public Location? Location { get; set; }
}

public sealed class Contact
{
    public Guid Id { get; set; }
    public Guid? OrganizationId { get; set; }
    public Guid? ServiceId { get; set; }
    public Guid? ServiceAtLocationId { get; set; }
    public Guid? LocationId { get; set; }
    public string? Name { get; set; }
    public string? Title { get; set; }
    public string? Department { get; set; }
    public string? Email { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
}

public sealed class Phone
{
    public Guid Id { get; set; }
    public Guid? OrganizationId { get; set; }
    public Guid? ServiceId { get; set; }
    public Guid? LocationId { get; set; }
    public Guid? ContactId { get; set; }
    public Guid? ServiceAtLocationId { get; set; }
    public string Number { get; set; } = "";
    public string? Extension { get; set; }
    public string? Type { get; set; }
    public string? Description { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
}

/// <summary>Opening hours: one weekday (ISO 1 = Montag … 7 = Sonntag) and one time span.</summary>
public sealed class Schedule
{
    public Guid Id { get; set; }
    public Guid? ServiceId { get; set; }
    public Guid? LocationId { get; set; }
    public Guid? ServiceAtLocationId { get; set; }
    public short Weekday { get; set; }
    public TimeOnly OpensAt { get; set; }
    public TimeOnly ClosesAt { get; set; }
    public DateOnly? ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }
    public string? Description { get; set; }
    public string? AttendingType { get; set; }
    public string? Notes { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
}

public sealed class Language
{
    public Guid Id { get; set; }
    public Guid? ServiceId { get; set; }
    public Guid? LocationId { get; set; }
    public Guid? PhoneId { get; set; }
    public string Code { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Note { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
}

public sealed class CostOption
{
    public Guid Id { get; set; }
    public Guid ServiceId { get; set; }
    public DateOnly? ValidFrom { get; set; }
    public DateOnly? ValidTo { get; set; }
    public string? Option { get; set; }
    public string? Currency { get; set; }
    public decimal? Amount { get; set; }
    public string? AmountDescription { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
}

public sealed class RequiredDocument
{
    public Guid Id { get; set; }
    public Guid ServiceId { get; set; }
    public string Document { get; set; } = "";
    public string? Uri { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
}

public sealed class ServiceArea
{
    public Guid Id { get; set; }
    public Guid? ServiceId { get; set; }
    public Guid? ServiceAtLocationId { get; set; }
    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string? Extent { get; set; }
    public string? ExtentType { get; set; }
    public string? Uri { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
}

public sealed class Postcode
{
    public string Code { get; set; } = "";
    public string Town { get; set; } = "";
    public string District { get; set; } = "";
    public double Latitude { get; set; }
    public double Longitude { get; set; }
}

/// <summary>A word as people type it ('ASD') and the phrases it stands for ('Allgemeiner Sozialer Dienst', 'Jugendamt').</summary>
public sealed class SearchSynonym
{
    public Guid Id { get; set; }
    public string Term { get; set; } = "";
    public string[] Expansions { get; set; } = [];
    public string? Note { get; set; }
    public DateTimeOffset ModifiedAt { get; set; }
    public string? ModifiedBy { get; set; }
}
