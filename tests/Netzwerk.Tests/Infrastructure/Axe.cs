using System.Diagnostics;
using Microsoft.Playwright;
using Netzwerk.Tests.Identity;

namespace Netzwerk.Tests.Infrastructure;

/// <summary>
/// axe-core (npm, tests/axe, installed on first use like the test OpenID provider) run in the page under test: the WCAG 2.1
/// A and AA rules it can check automatically. Evaluated through the browser's devtools protocol, so the app's
/// Content-Security-Policy needs no exception for it.
/// </summary>
public static class Axe
{
    private static readonly SemaphoreSlim Install = new(1, 1);
    private static string? _source;

    /// <summary>The violations on the page as it is now, one line each (rule, help text, how many elements); empty when none.</summary>
    public static async Task<IReadOnlyList<string>> ViolationsAsync(IPage page)
    {
        var source = await SourceAsync();
        await page.EvaluateAsync("() => { " + source + "\n; return true; }");
        return await page.EvaluateAsync<string[]>("""
            async () => {
              const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
              return result.violations.map(v => `${v.id}: ${v.help} (${v.nodes.length}× ${v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')})`);
            }
            """);
    }

    private static async Task<string> SourceAsync()
    {
        if (_source is not null) return _source;
        await Install.WaitAsync();
        try
        {
            var dir = Path.Combine(TestProcesses.RepositoryRoot(), "tests", "axe");
            var file = Path.Combine(dir, "node_modules", "axe-core", "axe.min.js");
            if (!File.Exists(file))
            {
                var psi = new ProcessStartInfo("npm", "ci --no-audit --no-fund") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true };
                using var npm = Process.Start(psi)!;
                var stderr = npm.StandardError.ReadToEndAsync();
                await npm.StandardOutput.ReadToEndAsync();
                await npm.WaitForExitAsync();
                if (npm.ExitCode != 0) throw new InvalidOperationException("npm ci in tests/axe failed: " + await stderr);
            }
            return _source = await File.ReadAllTextAsync(file);
        }
        finally { Install.Release(); }
    }
}
