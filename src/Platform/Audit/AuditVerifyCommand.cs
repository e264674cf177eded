using Microsoft.Extensions.Configuration;
using Netzwerk.Platform.Database;
using Npgsql;

namespace Netzwerk.Platform.Audit;

/// <summary>
/// <c>dotnet Netzwerk.Web.dll audit-verify</c>: checks the audit chain without starting the web server
/// (used by deploy/audit-verify.sh). Exit code 0 = intact, 2 = broken, 1 = could not check.
/// </summary>
public static class AuditVerifyCommand
{
    public static async Task<int> RunAsync(IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(DatabaseSetup.ConnectionStringName);
        if (string.IsNullOrEmpty(connectionString))
        {
            Console.Error.WriteLine("ConnectionStrings__Netzwerk ist nicht gesetzt.");
            return 1;
        }
        try
        {
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            var report = await new AuditChain(dataSource).VerifyAsync();
            if (report.Intact)
            {
                Console.WriteLine($"Protokollkette unversehrt: {report.EntriesChecked} Einträge geprüft (letzter: Nr. {report.LastId}).");
                return 0;
            }
            Console.WriteLine($"Protokollkette UNTERBROCHEN bei Eintrag Nr. {report.FirstBrokenId}: {report.Problem}");
            return 2;
        }
        catch (PostgresException e)
        {
            Console.Error.WriteLine($"Prüfung nicht möglich: PostgreSQL meldet {e.SqlState} (sind die Migrationen angewandt?).");
            return 1;
        }
        catch (NpgsqlException e)
        {
            Console.Error.WriteLine($"Prüfung nicht möglich: PostgreSQL nicht erreichbar ({e.GetType().Name}).");
            return 1;
        }
    }
}
