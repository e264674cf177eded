using Netzwerk.Directory.Lookup;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Suggestions;

namespace Netzwerk.Referrals.Demo;

/// <summary>
/// Stands in for the directory's <see cref="IServiceLookup"/> until the catalogue provides one (registered
/// with TryAdd, so the directory's implementation wins). Knows three services of the demo organisations.
/// </summary>
public sealed class FallbackServiceLookup : IServiceLookup, ICandidateServices
{
    public static readonly Guid DebtCounsellingService = Guid.Parse("5e000000-0000-4000-8000-000000000001");
    public static readonly Guid AddictionCounsellingService = Guid.Parse("5e000000-0000-4000-8000-000000000002");
    public static readonly Guid FamilyCounsellingService = Guid.Parse("5e000000-0000-4000-8000-000000000003");

    private static readonly ServiceSummary[] Services =
    [
        new(DebtCounsellingService, "Schuldner- und Insolvenzberatung Kamenz", DemoUsers.Organizations.DebtCounsellingKamenz,
            "Diakonie Kamenz – Schuldnerberatung", ["schuldnerberatung"], "Kamenz", "schuldnerberatung@example.org", "active"),
        new(AddictionCounsellingService, "Suchtberatung Bautzen", DemoUsers.Organizations.AddictionCounsellingBautzen,
            "Suchtberatungs- und Behandlungsstelle Bautzen", ["suchtberatung"], "Bautzen", "suchtberatung@example.org", "active"),
        new(FamilyCounsellingService, "Familien- und Lebensberatung Kamenz", DemoUsers.Organizations.DebtCounsellingKamenz,
            "Diakonie Kamenz – Schuldnerberatung", ["familienberatung"], "Kamenz", "familienberatung@example.org", "active"),
    ];

    public Task<ServiceSummary?> FindAsync(Guid serviceId, CancellationToken ct = default)
        => Task.FromResult(Services.FirstOrDefault(s => s.ServiceId == serviceId));

    public Task<string?> OrganizationNameAsync(Guid organizationId, CancellationToken ct = default)
        => Task.FromResult(Services.FirstOrDefault(s => s.OrganizationId == organizationId)?.OrganizationName);

    public Task<IReadOnlyList<Guid>> CandidatesAsync(IReadOnlyList<string> categoryCodes, CancellationToken ct)
        => Task.FromResult<IReadOnlyList<Guid>>(Services.Where(s => s.CategoryCodes.Intersect(categoryCodes).Any()).Select(s => s.ServiceId).ToList());
}
