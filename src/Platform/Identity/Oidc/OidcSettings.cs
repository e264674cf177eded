using Microsoft.Extensions.Configuration;

namespace Netzwerk.Platform.Identity.Oidc;

/// <summary>
/// The organisation's OpenID provider (configuration section <c>Oidc</c>) and how its claims map onto ours.
/// With <c>Identity:Provider=EntraId</c> the provider is an Entra ID tenant (section <c>EntraId</c>, read by
/// Microsoft.Identity.Web); the claim mapping below applies to both.
/// </summary>
public sealed class OidcSettings
{
    public const string CallbackPath = "/anmelden/oidc/rueckkehr";
    public const string SignedOutCallbackPath = "/abmelden/oidc/rueckkehr";

    /// <summary><c>Oidc</c> (any standard provider, the default) or <c>EntraId</c>.</summary>
    public string Provider { get; set; } = "Oidc";
    public bool IsEntraId => string.Equals(Provider, "EntraId", StringComparison.OrdinalIgnoreCase);

    /// <summary>Issuer URL; the metadata is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }
    /// <summary>Explicit metadata URL (wins over <see cref="Authority"/>).</summary>
    public string? MetadataAddress { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string Scope { get; set; } = "openid profile";
    /// <summary>Audience of access tokens for this API. Without it, the provider's bearer tokens are not accepted.</summary>
    public string? ApiAudience { get; set; }
    public bool RequireHttpsMetadata { get; set; } = true;
    /// <summary>Public base URL for the redirect URIs (e.g. behind a proxy); default: the request's own.</summary>
    public string? PublicBaseUrl { get; set; }

    public string? SubjectClaim { get; set; }
    public string NameClaim { get; set; } = "name";
    public string RoleClaim { get; set; } = "roles";
    /// <summary>Provider role value → our role (<see cref="Roles"/>). Values already equal to our role names are accepted as they are.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    /// <summary>Group claim (Entra ID: object ids of the user's groups) and group → our role, used when no role claim maps.</summary>
    public string GroupClaim { get; set; } = "groups";
    public Dictionary<string, string> GroupMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public string OrganizationClaim { get; set; } = "org";
    /// <summary>Provider organisation value → partner organisation id, when the provider does not carry our ids.</summary>
    public Dictionary<string, string> OrganizationMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public string TeamClaim { get; set; } = "team";

    /// <summary>Entra ID: the tenant's issuer, <c>{Instance}/{TenantId}/v2.0</c> (set from the <c>EntraId</c> section).</summary>
    public string? EntraIssuer { get; private set; }

    /// <summary>Entra ID's stable user id is <c>oid</c>; <c>sub</c> differs per application.</summary>
    public string Subject => SubjectClaim ?? (IsEntraId ? "oid" : "sub");

    public bool Enabled => !string.IsNullOrWhiteSpace(ClientId)
        && (!string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(MetadataAddress));

    /// <summary>Origin of the provider (the sign-out form posts there, so the CSP must allow it).</summary>
    public string? ProviderOrigin => Enabled && Uri.TryCreate(Authority ?? MetadataAddress, UriKind.Absolute, out var u)
        ? u.GetLeftPart(UriPartial.Authority)
        : null;

    public static OidcSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection("Oidc").Get<OidcSettings>() ?? new OidcSettings();
        settings.Provider = configuration["Identity:Provider"] ?? settings.Provider;
        if (!settings.IsEntraId) return settings;

        // The tenant, client and audience come from the EntraId section; Authority is only used for Enabled and the CSP.
        var entra = configuration.GetSection("EntraId");
        var instance = (entra["Instance"] ?? "https://login.microsoftonline.com/").TrimEnd('/');
        var tenant = entra["TenantId"];
        settings.ClientId = entra["ClientId"];
        settings.EntraIssuer = tenant is null ? null : $"{instance}/{tenant}/v2.0";
        settings.Authority = settings.EntraIssuer;
        settings.MetadataAddress = entra["MetadataAddress"];
        settings.ApiAudience = entra["Audience"] ?? (settings.ClientId is null ? null : $"api://{settings.ClientId}");
        if (entra["RequireHttpsMetadata"] is { } https) settings.RequireHttpsMetadata = bool.Parse(https);
        return settings;
    }
}
