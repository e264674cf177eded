namespace Netzwerk.Directory.Lookup;

/// <summary>What other modules need to know about a catalogue service (for referrals and routes).</summary>
public sealed record ServiceSummary(
    Guid ServiceId,
    string ServiceName,
    Guid OrganizationId,
    string OrganizationName,
    IReadOnlyList<string> CategoryCodes,
    string? District,
    string? ReferralEmail,
    string Status);

/// <summary>How a client finds a service: its main location's address, a phone number and the opening hours (Verweisungsschein).</summary>
public sealed record ServiceContactCard(string OrganizationName, string ServiceName, string? Street, string? PostalCode, string? City,
    string? Phone, IReadOnlyList<OpeningHours> Hours);

/// <summary>One weekday span (ISO weekday, 1 = Montag).</summary>
public sealed record OpeningHours(int Weekday, TimeOnly Opens, TimeOnly Closes, string? Description);

/// <summary>
/// Where referrals to a service are mailed: the service's own address, else its organisation's; then, in order, the
/// fallbacks to try when the mail server refuses an address for good (the service's own, else the organisation's).
/// </summary>
public sealed record ReferralAddress(string? ReferralEmail, string OrganizationName, IReadOnlyList<string>? Fallbacks = null)
{
    /// <summary>Every address to try, in order, each once.</summary>
    public IReadOnlyList<string> InOrder => new[] { ReferralEmail }.Concat(Fallbacks ?? []).OfType<string>()
        .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
}

/// <summary>The directory's seam for other modules; implemented over the catalogue tables.</summary>
public interface IServiceLookup
{
    Task<ServiceSummary?> FindAsync(Guid serviceId, CancellationToken ct = default);

    /// <summary>Only the mail address of <see cref="FindAsync"/> (one per sent referral: the access-link mail).</summary>
    async Task<ReferralAddress?> ReferralAddressAsync(Guid serviceId, CancellationToken ct = default)
        => await FindAsync(serviceId, ct) is { } s ? new ReferralAddress(s.ReferralEmail, s.OrganizationName) : null;

    Task<string?> OrganizationNameAsync(Guid organizationId, CancellationToken ct = default);

    /// <summary>The client-facing contact card of a service; null when unknown (or not implemented by a stand-in).</summary>
    Task<ServiceContactCard?> ContactCardAsync(Guid serviceId, CancellationToken ct = default) => Task.FromResult<ServiceContactCard?>(null);
}
