using Microsoft.Playwright;

namespace Netzwerk.Tests.Infrastructure;

/// <summary>Debian's Chromium driven by Playwright (never a downloaded browser).</summary>
public sealed class Browser : IAsyncLifetime
{
    /// <summary>
    /// Waiting for a navigation: the server-rendered page is complete at DOMContentLoaded, and the assertions that follow
    /// wait for what they read. Waiting for "load" (every style sheet and script) once timed out on a loaded machine
    /// although the server had answered in 317 ms.
    /// </summary>
    public static readonly PageWaitForURLOptions DomReady = new() { WaitUntil = WaitUntilState.DOMContentLoaded };

    private IPlaywright? _playwright;
    public IBrowser Instance { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Instance = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("NETZWERK_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh page with its own cookies; signs in as the demo user when one is given.</summary>
    public async Task<IPage> NewPageAsync(Uri baseAddress, string? demoUser = null)
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions { BaseURL = baseAddress.ToString(), Locale = "de-DE" });
        var page = await context.NewPageAsync();
        if (demoUser is not null)
        {
            await page.GotoAsync("/anmelden");
            // Under a loaded machine headless Chromium once lost the click on the freshly loaded page (no POST reached
            // the server, the test waited 30 s): sign in again on a reloaded page rather than fail the test for it.
            for (var attempt = 1; ; attempt++)
            {
                await page.ClickAsync($"button[value='{demoUser}']");
                try
                {
                    await page.WaitForURLAsync(u => !u.Contains("/anmelden"), new() { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 10_000 });
                    break;
                }
                catch (TimeoutException) when (attempt < 3)
                {
                    await page.GotoAsync("/anmelden");
                }
            }
        }
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Instance is not null) await Instance.DisposeAsync();
        _playwright?.Dispose();
    }
}
