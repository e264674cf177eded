namespace Netzwerk.Platform.Identity.Oidc;

/// <summary>
/// OpenID Connect provider of the organisation (configuration section <c>Oidc</c>). Any standard provider
/// (Entra ID, Keycloak, ADFS …) works; claims are mapped onto ours by name and value.
/// </summary>
public sealed class OidcSettings
{
    /// <summary>Issuer URL; the metadata is read from <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? Authority { get; set; }
    /// <summary>Explicit metadata URL (wins over <see cref="Authority"/>).</summary>
    public string? MetadataAddress { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public string Scope { get; set; } = "openid profile";
    /// <summary>Audience of access tokens for this API. Without it, the provider's bearer tokens are not accepted.</summary>
    public string? ApiAudience { get; set; }
    /// <summary>Public base URL for the redirect URI (e.g. behind a proxy); default: the request's own.</summary>
    public string? PublicBaseUrl { get; set; }
    public bool RequireHttpsMetadata { get; set; } = true;

    public string SubjectClaim { get; set; } = "sub";
    public string NameClaim { get; set; } = "name";
    public string RoleClaim { get; set; } = "roles";
    /// <summary>Provider role value → our role (<see cref="Roles"/>). Values already equal to our role names are accepted as they are.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public string OrganizationClaim { get; set; } = "org";
    /// <summary>Provider organisation value → partner organisation id, when the provider does not carry our ids.</summary>
    public Dictionary<string, string> OrganizationMap { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public string TeamClaim { get; set; } = "team";

    public const string CallbackPath = "/anmelden/oidc/rueckkehr";

    public bool Enabled => !string.IsNullOrWhiteSpace(ClientId)
        && (!string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(MetadataAddress));

    public string MetadataUrl => !string.IsNullOrWhiteSpace(MetadataAddress)
        ? MetadataAddress!
        : Authority!.TrimEnd('/') + "/.well-known/openid-configuration";
}
