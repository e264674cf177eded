using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Netzwerk.Directory.Lookup;
using Netzwerk.Tests.Infrastructure;

namespace Netzwerk.Tests.Identity.PartnerLinks;

/// <summary>A received mail, as the SMTP sink stored it.</summary>
public sealed record ReceivedMail(string From, string[] To, string Subject, string Body, string Raw);

/// <summary>
/// The app on Kestrel (known port, so the e-mailed links point at it), a real SMTP server (aiosmtpd) on a free port
/// writing every mail to a folder, and Chromium.
/// </summary>
public class PartnerLinkApp : NetzwerkApp
{
    private readonly int _appPort = TestProcesses.FreePort();
    protected override bool UseRealServer => true;
    private readonly int _smtpPort = TestProcesses.FreePort();
    private Process? _smtp;
    public string MailFolder { get; } = Path.Combine(Path.GetTempPath(), "nz-mails-" + Guid.NewGuid().ToString("N"));
    public string BaseUrl => $"http://localhost:{_appPort}";
    public Browser Browser { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Workflows:Outbox:PollInterval"] = "00:00:00.500",
        ["Smtp:Host"] = "127.0.0.1",
        ["Smtp:Port"] = _smtpPort.ToString(),
        ["Smtp:From"] = "netzwerk@jobcenter-test.example",
        ["Smtp:Security"] = "None", // aiosmtpd on loopback offers no TLS
        ["Smtp:PollInterval"] = "00:00:00.200",
        ["Smtp:FirstRetryDelay"] = "00:00:00.300",
        ["Smtp:MaxRetryDelay"] = "00:00:01",
        ["PublicBaseUrl"] = BaseUrl,
        ["PartnerLinks:LifetimeDays"] = "14",
        ["RateLimits:AccessLinkPermitLimit"] = "10000",
        ["RateLimits:SignInPermitLimit"] = "10000",
    };

    /// <summary>
    /// The directory's lookup is stood in for until feat/directory is merged: every service belongs to the demo debt
    /// counselling organisation and has its own referral address, so each test can find its own mails.
    /// </summary>
    protected override void ConfigureTestServices(IServiceCollection services)
    {
        if (StandInServiceLookup) services.Replace(ServiceDescriptor.Singleton<IServiceLookup, TestServiceLookup>());
    }

    /// <summary>False: the directory's real lookup and demo catalogue (for the full referral flow).</summary>
    protected virtual bool StandInServiceLookup => true;

    public static string ReferralEmailFor(Guid serviceId) => $"eingang-{serviceId:N}@schuldnerberatung.example";

    public override async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(MailFolder);
        await StartSmtpAsync();
        await TestServers.CreateDatabaseAsync(DatabaseName);
        await TestServers.CreateVirtualHostAsync(VirtualHost);
        UseKestrel(_appPort);
        StartServer();
        await Browser.InitializeAsync();
    }

    /// <summary>Starts the SMTP server (again) on its port.</summary>
    public async Task StartSmtpAsync()
    {
        var script = Path.Combine(TestProcesses.RepositoryRoot(), "tests", "Netzwerk.Tests", "Identity", "PartnerLinks", "smtp_sink.py");
        // Debian's python3 (with python3-aiosmtpd), not a pyenv shim that may come first in PATH.
        var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
        _smtp = await TestProcesses.StartAsync(new ProcessStartInfo(python, $"\"{script}\" {_smtpPort} \"{MailFolder}\""),
            "smtp listening", TimeSpan.FromSeconds(30));
    }

    /// <summary>Stops the SMTP server: connections to its port are refused until <see cref="StartSmtpAsync"/>.</summary>
    public void StopSmtp()
    {
        TestProcesses.Stop(_smtp);
        _smtp = null;
    }

    public IReadOnlyList<ReceivedMail> MailsTo(string address) => System.IO.Directory.GetFiles(MailFolder, "*.json")
        .Select(f => JsonSerializer.Deserialize<ReceivedMail>(File.ReadAllText(f), new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!)
        .Where(m => m.To.Contains(address, StringComparer.OrdinalIgnoreCase))
        .ToList();

    public override async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        await base.DisposeAsync();
        TestProcesses.Stop(_smtp);
        try { System.IO.Directory.Delete(MailFolder, recursive: true); } catch (IOException) { }
    }

    private sealed class TestServiceLookup : IServiceLookup
    {
        public Task<ServiceSummary?> FindAsync(Guid serviceId, CancellationToken ct = default)
            => Task.FromResult<ServiceSummary?>(new ServiceSummary(serviceId, "Schuldnerberatung – Erstgespräch",
                Netzwerk.Platform.Identity.DemoUsers.Organizations.DebtCounsellingKamenz, "Schuldner- und Insolvenzberatung Kamenz",
                ["schuldnerberatung"], "Kamenz", ReferralEmailFor(serviceId), "active"));

        public Task<string?> OrganizationNameAsync(Guid organizationId, CancellationToken ct = default)
            => Task.FromResult<string?>("Schuldner- und Insolvenzberatung Kamenz");
    }
}
