using System.Text.RegularExpressions;
using Netzwerk.Platform.Audit;
using Netzwerk.Tests.Identity;

namespace Netzwerk.Tests.Audit;

public sealed class AuditActionNamesTests
{
    [Theory]
    [InlineData("referral.read.partner", "referral", "Verweisung vom Partner gelesen")]
    [InlineData("consent.revoke", "consent", "Widerruf der Einwilligung erfasst")]
    [InlineData("read", "audit-trail", "Zugriffsprotokoll durchsucht")]
    [InlineData("sign-in", "user", "Anmeldung")]
    [InlineData("sign-in", "partner-link", "Anmeldung über Zugangslink")]
    public void Known_codes_read_in_german(string code, string objectType, string expected)
        => AuditActionNames.Action(code, objectType).ShouldBe(expected);

    [Fact]
    public void An_unknown_code_falls_back_to_the_code()
    {
        AuditActionNames.Action("something.new", "referral").ShouldBe("something.new");
        AuditActionNames.Outcome("denied").ShouldBe("verweigert");
        AuditActionNames.Outcome("odd").ShouldBe("odd");
        AuditActionNames.ObjectType("referral").ShouldBe("Verweisung");
    }

    /// <summary>Every literal action code written in src/ has a German name, so a new audit call cannot go unnoticed.</summary>
    [Fact]
    public void Every_action_the_code_records_has_a_german_name()
    {
        var src = Path.Combine(TestProcesses.RepositoryRoot(), "src");
        var codes = System.IO.Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"AuditEvent\(\s*""([^""]+)""|AuditAction\s*=\s*""([^""]+)""")
                .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value))
            .Distinct().ToList();
        codes.Count.ShouldBeGreaterThan(20);
        codes.Where(c => AuditActionNames.Action(c) == c).ShouldBeEmpty();
    }
}
