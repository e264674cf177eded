using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Identity;

/// <summary>
/// The app on Kestrel at a port chosen up front (the provider must know the redirect URI before the app starts),
/// signing in against a real oidc-provider started for this fixture: a generic provider, or with
/// <paramref name="entraId"/> one that issues tokens like Entra ID, which the app reads through Microsoft.Identity.Web.
/// </summary>
public class OidcApp : NetzwerkApp
{
    public OidcApp() : this(entraId: false) { }
    protected OidcApp(bool entraId) => Provider = new OidcTestProvider(entraId);

    private readonly int _appPort = TestProcesses.FreePort();
    protected override bool UseRealServer => true;
    public OidcTestProvider Provider { get; }
    public string BaseUrl => $"http://localhost:{_appPort}";

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(Provider.AppSettings())
    {
        ["RateLimits:SignInPermitLimit"] = "10000",
        ["RateLimits:AccessLinkPermitLimit"] = "10000",
    };

    public override async Task InitializeAsync()
    {
        await Provider.StartAsync($"{BaseUrl}/anmelden/oidc/rueckkehr", $"{BaseUrl}/abmelden/oidc/rueckkehr");
        await TestServers.CreateDatabaseAsync(DatabaseName);
        await TestServers.CreateVirtualHostAsync(VirtualHost);
        UseKestrel(_appPort);
        StartServer();
    }

    public HttpClient Http(bool redirects = false) => new(new HttpClientHandler { AllowAutoRedirect = redirects, UseCookies = false })
    {
        BaseAddress = new Uri(BaseUrl),
    };

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Provider.DisposeAsync();
    }
}

/// <summary>The app with <c>Identity:Provider=EntraId</c> against an Entra-ID-like provider.</summary>
public sealed class EntraIdApp : OidcApp
{
    public EntraIdApp() : base(entraId: true) { }
}

/// <summary>One Chromium for the OIDC browser tests.</summary>
public class OidcBrowserFixture : IAsyncLifetime
{
    public OidcBrowserFixture() : this(new OidcApp()) { }
    protected OidcBrowserFixture(OidcApp app) => App = app;
    public OidcApp App { get; }
    public Browser Browser { get; } = new();

    public async Task InitializeAsync()
    {
        await App.InitializeAsync();
        await Browser.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await App.DisposeAsync();
    }
}

public sealed class EntraIdBrowserFixture : OidcBrowserFixture
{
    public EntraIdBrowserFixture() : base(new EntraIdApp()) { }
}
