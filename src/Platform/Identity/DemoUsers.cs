namespace Netzwerk.Platform.Identity;

/// <summary>
/// Fictional users for demo mode (deploy/run.sh) and tests. Partner users belong to demo
/// organisations whose ids are fixed here, so the directory's demo data can create them.
/// </summary>
public static class DemoUsers
{
    public static class Organizations
    {
        /// <summary>Schuldner- und Insolvenzberatung (Diakonie) in Kamenz.</summary>
        public static readonly Guid DebtCounsellingKamenz = Guid.Parse("0a000000-0000-4000-8000-000000000001");
        /// <summary>Suchtberatungs- und Behandlungsstelle in Bautzen.</summary>
        public static readonly Guid AddictionCounsellingBautzen = Guid.Parse("0a000000-0000-4000-8000-000000000002");
    }

    public sealed record DemoUser(string UserName, string DisplayName, string Role, Guid? OrganizationId, string? Team);

    public static readonly IReadOnlyList<DemoUser> All =
    [
        new("fm.mueller", "Anna Müller", Roles.CaseManager, null, "team-kamenz"),
        new("fm.schmidt", "Jonas Schmidt", Roles.CaseManager, null, "team-kamenz"),
        new("fm.yilmaz", "Derya Yılmaz", Roles.CaseManager, null, "team-bautzen"),
        new("tl.weber", "Petra Weber", Roles.TeamLead, null, "team-kamenz"),
        new("partner.schuldner", "Thomas Richter (Schuldnerberatung Kamenz)", Roles.Partner, Organizations.DebtCounsellingKamenz, null),
        new("partner.sucht", "Miriam Koch (Suchtberatung Bautzen)", Roles.Partner, Organizations.AddictionCounsellingBautzen, null),
        new("nk.hoffmann", "Sabine Hoffmann", Roles.NetworkCoordinator, null, null),
        new("ds.becker", "Frank Becker", Roles.DataProtection, null, null),
        new("admin", "Systemadministration", Roles.Administrator, null, null),
    ];

    public static DemoUser? Find(string userName) =>
        All.FirstOrDefault(u => string.Equals(u.UserName, userName, StringComparison.OrdinalIgnoreCase));
}
