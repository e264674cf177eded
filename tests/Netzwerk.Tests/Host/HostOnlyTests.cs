using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Razor.Hosting;
using Netzwerk.Directory;
using Netzwerk.Platform.Database;
using Netzwerk.Referrals;
using Netzwerk.Web.Hosting;
using Netzwerk.Workflows;

namespace Netzwerk.Tests.Host;

/// <summary>The host composes; it holds no feature. A module's migrations touch only its own schema.</summary>
public sealed class HostOnlyTests
{
    private static readonly string[] ShellPages =
    [
        "/Pages/Index.cshtml", "/Pages/Shared/_Layout.cshtml", "/Pages/ZugriffVerweigert.cshtml",
        "/Pages/ZugangUngueltig.cshtml", "/Pages/_ViewImports.cshtml", "/Pages/_ViewStart.cshtml",
    ];

    private static readonly (string Module, Assembly Assembly)[] Modules =
    [
        ("platform", typeof(DatabaseSetup).Assembly),
        ("directory", typeof(DirectoryModule).Assembly),
        ("referrals", typeof(ReferralsModule).Assembly),
        ("workflows", typeof(WorkflowsModule).Assembly),
    ];

    /// <summary>(module, migration, the foreign name it may use; null: any).</summary>
    private static readonly (string Module, string Version, string? Allowed)[] KnownExceptions =
    [
        // Takes over the table that platform's 0002 created until issue 15.
        ("referrals", "0004_partner_access_links", "platform.partner_access_links"),
        // Upgrades databases from before issue 15: copies the old instance table, renames pending outbox message types.
        ("referrals", "0003_lifecycle_state", null),
        // Debt, not design (issue 18): the figures' fact function reads the service's district and target group from the
        // catalogue and the reminder/escalation times from the deadlines, inside the lifecycle's own transaction. To be
        // replaced by values the referrals module records itself (district and target group at creation, deadline times
        // when they fire); until then these names, and only these, are allowed.
        ("referrals", "0011_referral_facts", "directory.service_at_location"),
        ("referrals", "0011_referral_facts", "directory.location"),
        ("referrals", "0011_referral_facts", "directory.service_taxonomy_term"),
        ("referrals", "0011_referral_facts", "directory.taxonomy_term"),
        ("referrals", "0011_referral_facts", "directory.taxonomy"),
        ("referrals", "0011_referral_facts", "workflows.deadlines"),
    ];

    [Fact]
    public void The_host_assembly_holds_only_hosting_types_program_and_the_shell_pages()
    {
        var host = typeof(DatabaseReadyCheck).Assembly;
        var pages = host.GetCustomAttributes<RazorCompiledItemAttribute>().ToList();
        var shellPageTypes = pages.Where(p => ShellPages.Contains(p.Identifier)).Select(p => p.Type).ToHashSet();
        shellPageTypes.Count.ShouldBe(ShellPages.Length, "every shell page is compiled into the host");

        var misplaced = host.GetTypes()
            // File-local types of source generators (OpenAPI XML comments, interceptors) have unspeakable names.
            .Where(t => !t.IsNested && !t.IsDefined(typeof(CompilerGeneratedAttribute)) && !t.Name.Contains('<'))
            .Where(t => t != typeof(Program) && !shellPageTypes.Contains(t) && t.Namespace != "Netzwerk.Web.Hosting")
            .Select(t => t.FullName)
            .Concat(pages.Where(p => !ShellPages.Contains(p.Identifier)).Select(p => p.Identifier))
            .ToList();
        misplaced.ShouldBeEmpty("feature code belongs to a module (src/Platform, src/Directory, src/Referrals, src/Workflows)");
    }

    [Fact]
    public void Migrations_name_only_their_own_schema()
    {
        var found = Modules
            .SelectMany(m => new MigrationSource(m.Module, m.Assembly, 0).Scripts()
                .SelectMany(s => ForeignNames(m.Module, s.Sql)
                    .Where(name => !KnownExceptions.Any(e => e.Module == m.Module && e.Version == s.Version
                                                            && (e.Allowed is null || e.Allowed == name)))
                    .Select(name => $"{m.Module}/{s.Version}: {name}")))
            .ToList();
        Modules.ShouldAllBe(m => new MigrationSource(m.Module, m.Assembly, 0).Scripts().Any());
        found.ShouldBeEmpty();
    }

    [Fact]
    public void The_migration_scan_sees_qualified_foreign_names_and_ignores_comments_and_own_names()
    {
        ForeignNames("directory", """
            -- platform.users is not read here
            SELECT * FROM directory.services s JOIN "referrals".referrals r ON true;
            UPDATE Workflows.outbox SET x = 1;
            """).ShouldBe(["referrals.referrals", "workflows.outbox"]);
    }

    private static List<string> ForeignNames(string module, string sql)
    {
        var code = Regex.Replace(sql, "--[^\n]*", "");
        var others = Modules.Select(m => m.Module).Where(m => m != module);
        return Regex.Matches(code, $"""(?<![\w."])"?({string.Join("|", others)})"?\.("?\w+"?)""", RegexOptions.IgnoreCase)
            .Select(m => $"{m.Groups[1].Value}.{m.Groups[2].Value.Trim('"')}".ToLowerInvariant())
            .ToList();
    }
}
