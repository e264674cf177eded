using Netzwerk.Platform.Identity.Oidc;

namespace Netzwerk.Web.Hosting;

public static class OidcSetup
{
    /// <summary>Registers the provider's metadata only when <c>Oidc</c> is configured; without it, no OIDC endpoints exist.</summary>
    public static IServiceCollection AddNetzwerkOidc(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("Oidc").Get<OidcSettings>() ?? new OidcSettings();
        services.AddSingleton(settings);
        services.AddHttpClient(nameof(Netzwerk.Web.Identity.Oidc.OidcSignIn), c => c.Timeout = TimeSpan.FromSeconds(15));
        if (settings.Enabled) services.AddSingleton(new OidcMetadata(settings));
        return services;
    }
}
