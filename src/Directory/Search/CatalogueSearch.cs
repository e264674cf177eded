namespace Netzwerk.Directory.Search;

/// <summary>
/// The catalogue search behind one seam (API, UI and benchmark use only this), so that another engine
/// could replace the PostgreSQL implementation later.
/// </summary>
public interface ICatalogueSearch
{
    Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken ct = default);
    Task<GeoPoint?> FindPostcodeAsync(string postcode, CancellationToken ct = default);

    /// <summary>
    /// Places the catalogue knows by the name a user types: a German postcode, or a town from the postcode list or,
    /// failing that, from the location addresses; "Name (Landkreis)" picks one of several towns of that name.
    /// More than one result means the name is ambiguous and the user chooses.
    /// </summary>
    Task<IReadOnlyList<Place>> FindPlacesAsync(string text, CancellationToken ct = default);
}

/// <summary>A place a user can search around; <see cref="Choice"/> is what to type (or send as near) to pick exactly it.</summary>
public sealed record Place(string Name, string? District, GeoPoint Point)
{
    public string Choice => string.IsNullOrEmpty(District) ? Name : $"{Name} ({District})";
}

public sealed record SearchResult(
    // Exact when TotalExact; otherwise more services matched than are ranked (Directory:Search:CandidateLimit,
    // 1,000) and Total is that limit: "more than 1,000".
    long Total,
    int Page,
    int PageSize,
    IReadOnlyList<SearchHit> Items,
    SearchFacets Facets,
    QueryInterpretation Interpretation,
    // False when more services matched than are ranked and counted (the first 1,000): facet counts are then
    // counts among those, and the order of very broad text searches is approximate. Add a place or a filter.
    bool FacetsComplete)
{
    /// <summary>The same fact seen from the total: all matches were counted (the API says both).</summary>
    public bool TotalExact => FacetsComplete;
}

public sealed record CodeLabel(string Code, string Label);

public sealed record SearchHit(
    Guid ServiceId,
    string ServiceName,
    Guid OrganizationId,
    string OrganizationName,
    IReadOnlyList<CodeLabel> Categories,
    IReadOnlyList<CodeLabel> TargetGroups,
    IReadOnlyList<CodeLabel> Languages,
    string Status,
    SearchLocation? Location,
    double? DistanceKm,
    bool StepFree,
    int? WaitingDays,
    DateTimeOffset? WaitingUpdatedAt,
    int? WaitingAgeDays,
    int? CapacityFree,
    DateTimeOffset? CapacityUpdatedAt,
    int? CapacityAgeDays,
    DateTimeOffset? VerifiedAt,
    bool VerificationDue,
    double Score,
    IReadOnlyList<SearchHighlight> Highlights,
    IReadOnlyList<string> Why);

public sealed record SearchLocation(Guid? LocationId, string? Name, string? Address, string? PostalCode, string? City, string? District, double? Latitude, double? Longitude);

/// <summary>A field that matched; <see cref="Html"/> is HTML-encoded text with &lt;mark&gt; around matched words.</summary>
public sealed record SearchHighlight(string Field, string Label, string Html);

public sealed record FacetValue(string Value, string Label, long Count);

public sealed record SearchFacets(
    IReadOnlyList<FacetValue> Category,
    IReadOnlyList<FacetValue> TargetGroup,
    IReadOnlyList<FacetValue> District,
    IReadOnlyList<FacetValue> Language);

/// <summary>How the text was understood: corrected typos, applied synonyms, ignored filler words.</summary>
public sealed record QueryInterpretation(
    IReadOnlyList<string> Terms,
    IReadOnlyList<TermCorrection> Corrections,
    IReadOnlyList<TermSynonym> Synonyms,
    IReadOnlyList<string> IgnoredWords,
    string Sort);

public sealed record TermCorrection(string Typed, IReadOnlyList<string> Suggestions);

public sealed record TermSynonym(string Typed, IReadOnlyList<string> Expansions);
