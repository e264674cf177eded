namespace Netzwerk.Platform.Identity;

/// <summary>Role names as they appear in the <c>role</c> claim and in authorisation policies.</summary>
public static class Roles
{
    public const string CaseManager = "Fallmanager";
    public const string TeamLead = "Teamleitung";
    public const string Partner = "Partner";
    public const string NetworkCoordinator = "Netzwerkkoordination";
    public const string DataProtection = "Datenschutz";
    public const string Administrator = "Administration";

    public static readonly string[] All =
        [CaseManager, TeamLead, Partner, NetworkCoordinator, DataProtection, Administrator];
}

/// <summary>Claim types this app reads; identity providers are mapped onto them in configuration.</summary>
public static class NetzwerkClaims
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string OrganizationId = "org";
    public const string Team = "team";
    /// <summary>Set on sessions opened through a partner access link: the one referral they may answer.</summary>
    public const string ReferralScope = "referral";
}

/// <summary>Authorisation policy names, one per role family.</summary>
public static class Policies
{
    public const string CaseWork = "CaseWork";            // Fallmanager, Teamleitung
    public const string Partner = "Partner";
    public const string Coordination = "Coordination";    // Netzwerkkoordination, Administration
    public const string DataProtection = "DataProtection";
    public const string Staff = "Staff";                  // every job-centre role
    public const string SignedIn = "SignedIn";
}
