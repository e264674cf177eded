using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Netzwerk.Tests.Infrastructure;

/// <summary>
/// The whole app (API, UI, consumers) against its own fresh database and RabbitMQ virtual host.
/// Use as an xunit class fixture; <see cref="Settings"/> may add configuration before the first use.
/// </summary>
public class NetzwerkApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public string DatabaseName { get; } = $"nz_t_{Guid.NewGuid():N}"[..24];
    public string VirtualHost { get; } = $"nz-t-{Guid.NewGuid():N}";
    public string ConnectionString => TestServers.ConnectionStringFor(DatabaseName);

    /// <summary>Extra configuration (key with ':' separators → value).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Serve over Kestrel on a free port (for the browser tests) instead of the in-memory test server.</summary>
    protected virtual bool UseRealServer => false;

    public virtual async Task InitializeAsync()
    {
        await TestServers.CreateDatabaseAsync(DatabaseName);
        await TestServers.CreateVirtualHostAsync(VirtualHost);
        if (UseRealServer)
        {
            UseKestrel(0);
            StartServer();
        }
        else
        {
            _ = Server; // builds the host and runs the startup tasks (migrations, demo data)
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Netzwerk", ConnectionString);
        builder.UseSetting("RabbitMq:Host", TestServers.RabbitHost);
        builder.UseSetting("RabbitMq:Port", TestServers.RabbitPort);
        builder.UseSetting("RabbitMq:Username", TestServers.RabbitUser);
        builder.UseSetting("RabbitMq:Password", TestServers.RabbitPassword);
        builder.UseSetting("RabbitMq:VirtualHost", VirtualHost);
        builder.UseSetting("Demo:Enabled", "true");
        // Tests sign in far more often than a person would; the rate-limit test sets its own limit.
        builder.UseSetting("RateLimits:SignInPermitLimit", "100000");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.ConfigureServices(ConfigureTestServices);
    }

    /// <summary>Replace services for a test (e.g. a controllable <see cref="TimeProvider"/>).</summary>
    protected virtual void ConfigureTestServices(IServiceCollection services) { }

    /// <summary>Base address of the Kestrel server (only with <see cref="UseRealServer"/>).</summary>
    public Uri ServerAddress => new(Services.GetRequiredService<IServer>().Features
        .Get<IServerAddressesFeature>()!.Addresses.First().Replace("127.0.0.1", "localhost"));

    public HttpClient Anonymous() => UseRealServer
        ? new HttpClient { BaseAddress = ServerAddress }
        : CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>An API client signed in as a demo user (see DemoUsers) with a bearer token.</summary>
    public async Task<HttpClient> ClientFor(string user)
    {
        var client = Anonymous();
        if (!_tokens.TryGetValue(user, out var token))
        {
            var response = await client.PostAsJsonAsync("/api/demo/token", new { user });
            response.EnsureSuccessStatusCode();
            token = (await response.Content.ReadFromJsonAsync<TokenResponse>())!.access_token;
            _tokens[user] = token;
        }
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> _tokens = new();

    /// <summary>A browser-like client signed in through the demo sign-in page (/anmelden): it holds the session cookie.</summary>
    public async Task<HttpClient> CookieClientAsync(string user)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var token = FormToken(await client.GetStringAsync("/anmelden"));
        var signIn = await client.PostAsync("/anmelden", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["user"] = user, ["__RequestVerificationToken"] = token,
        }));
        if (signIn.StatusCode != System.Net.HttpStatusCode.Redirect || (await client.GetAsync("/api/me")).StatusCode != System.Net.HttpStatusCode.OK)
            throw new InvalidOperationException($"Anmeldung als {user} über /anmelden fehlgeschlagen: {(int)signIn.StatusCode}");
        return client;
    }

    /// <summary>The anti-forgery token of the first form on a page.</summary>
    public static string FormToken(string page)
    {
        var match = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"");
        if (!match.Success) match = System.Text.RegularExpressions.Regex.Match(page, "value=\"([^\"]+)\"[^>]*name=\"__RequestVerificationToken\"");
        return match.Success ? match.Groups[1].Value : throw new InvalidOperationException("Die Seite enthält kein Anti-Forgery-Token.");
    }

    public async Task<NpgsqlConnection> OpenDatabaseAsync()
    {
        var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync();
        return conn;
    }

    /// <summary>One value from the test database (null and DBNull as default).</summary>
    public async Task<T?> ScalarAsync<T>(string sql, params object[] args)
    {
        await using var db = await OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public new virtual async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await TestServers.DropDatabaseAsync(DatabaseName);
        await TestServers.DeleteVirtualHostAsync(VirtualHost);
    }

    private sealed record TokenResponse(string access_token);
}

/// <summary>The app on a real Kestrel port, for Chromium.</summary>
public class NetzwerkWebApp : NetzwerkApp
{
    protected override bool UseRealServer => true;
}
