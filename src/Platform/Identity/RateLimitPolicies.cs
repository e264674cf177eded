namespace Netzwerk.Platform.Identity;

/// <summary>
/// Names of the rate-limit policies that sign-in, token and access-link endpoints ask for. The host defines the
/// policies (limits per remote address); the modules only name them.
/// </summary>
public static class RateLimitPolicies
{
    public const string SignIn = "sign-in";
    public const string AccessLink = "access-link";
}
