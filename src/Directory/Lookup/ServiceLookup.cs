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

/// <summary>The directory's seam for other modules; implemented over the catalogue tables.</summary>
public interface IServiceLookup
{
    Task<ServiceSummary?> FindAsync(Guid serviceId, CancellationToken ct = default);
    Task<string?> OrganizationNameAsync(Guid organizationId, CancellationToken ct = default);
}
