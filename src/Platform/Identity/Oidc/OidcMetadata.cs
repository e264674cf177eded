using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Netzwerk.Platform.Identity.Oidc;

/// <summary>
/// The provider's discovery document and signing keys (JWKS), fetched and cached by IdentityModel's
/// ConfigurationManager, which refreshes them periodically (key rollover).
/// </summary>
public sealed class OidcMetadata
{
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _manager;

    public OidcMetadata(OidcSettings settings)
    {
        Settings = settings;
        _manager = new ConfigurationManager<OpenIdConnectConfiguration>(
            settings.MetadataUrl,
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever { RequireHttps = settings.RequireHttpsMetadata })
        {
            AutomaticRefreshInterval = TimeSpan.FromHours(12),
            RefreshInterval = TimeSpan.FromMinutes(1),
        };
    }

    public OidcSettings Settings { get; }

    public Task<OpenIdConnectConfiguration> GetAsync(CancellationToken ct = default) => _manager.GetConfigurationAsync(ct);

    /// <summary>For synchronous token-validation callbacks; the document is cached after the first fetch.</summary>
    public OpenIdConnectConfiguration Current() => _manager.GetConfigurationAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>An unknown key id may mean the provider rolled its keys: fetch again (rate-limited by RefreshInterval).</summary>
    public void RequestRefresh() => _manager.RequestRefresh();
}
