using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Npgsql;

namespace Netzwerk.Tests.Infrastructure;

/// <summary>
/// The real PostgreSQL and RabbitMQ that deploy/test.sh starts (or external ones given by the same
/// environment variables). Each test app gets its own database and its own RabbitMQ virtual host,
/// so test classes can run in parallel without seeing each other's data or messages.
/// </summary>
public static class TestServers
{
    public static string PostgresConnectionString =>
        Environment.GetEnvironmentVariable("ConnectionStrings__Netzwerk")
        ?? throw new InvalidOperationException(
            "ConnectionStrings__Netzwerk ist nicht gesetzt. Tests bitte mit deploy/test.sh starten.");

    public static string RabbitHost => Environment.GetEnvironmentVariable("RabbitMq__Host") ?? "127.0.0.1";
    public static string RabbitPort => Environment.GetEnvironmentVariable("RabbitMq__Port") ?? "5672";
    public static string RabbitUser => Environment.GetEnvironmentVariable("RabbitMq__Username") ?? "guest";
    public static string RabbitPassword => Environment.GetEnvironmentVariable("RabbitMq__Password") ?? "guest";
    public static string RabbitManagementPort => Environment.GetEnvironmentVariable("RabbitMq__ManagementPort") ?? "15672";

    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(PostgresConnectionString) { Database = database }.ConnectionString;

    public static async Task CreateDatabaseAsync(string database)
    {
        await using var conn = new NpgsqlConnection(ConnectionStringFor("postgres"));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{database}\" TEMPLATE template1", conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public static async Task DropDatabaseAsync(string database)
    {
        NpgsqlConnection.ClearAllPools();
        // Clean-up only: an autovacuum worker (another role) may still hold the database for a moment.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var conn = new NpgsqlConnection(ConnectionStringFor("postgres"));
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", conn);
                await cmd.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException) when (attempt < 5)
            {
                await Task.Delay(500 * attempt);
            }
            catch (PostgresException)
            {
                return; // a leftover test database harms nothing; the test result stands
            }
        }
    }

    /// <summary>
    /// Runs one of the server scripts deploy/lib.sh exports (<c>NETZWERK_RABBITMQ_START</c>, <c>NETZWERK_PG_RESTART</c> …)
    /// and returns its standard output; a missing script or a non-zero exit fails the test with the script's error output.
    /// </summary>
    public static async Task<string> RunScriptAsync(string variable, params string[] args)
    {
        var script = Environment.GetEnvironmentVariable(variable);
        script.ShouldNotBeNull($"{variable} fehlt (deploy/test.sh setzt es über deploy/lib.sh nz_env).");
        return await RunAsync(script, args);
    }

    /// <inheritdoc cref="RunScriptAsync"/>
    public static async Task<string> RunAsync(string file, params string[] args)
    {
        var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, await stderr);
        return await stdout;
    }

    /// <summary>The management API of the test broker, or of another broker of the same user (the fault tests' cluster).</summary>
    public static HttpClient Management(int? port = null)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://{RabbitHost}:{port?.ToString() ?? RabbitManagementPort}/api/"), Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{RabbitUser}:{RabbitPassword}")));
        return client;
    }

    public static async Task CreateVirtualHostAsync(string vhost, int? managementPort = null)
    {
        using var client = Management(managementPort);
        (await client.PutAsync($"vhosts/{Uri.EscapeDataString(vhost)}", null)).EnsureSuccessStatusCode();
        var permissions = new StringContent("""{"configure":".*","write":".*","read":".*"}""", Encoding.UTF8, "application/json");
        (await client.PutAsync($"permissions/{Uri.EscapeDataString(vhost)}/{Uri.EscapeDataString(RabbitUser)}", permissions))
            .EnsureSuccessStatusCode();
    }

    public static async Task DeleteVirtualHostAsync(string vhost)
    {
        using var client = Management();
        await client.DeleteAsync($"vhosts/{Uri.EscapeDataString(vhost)}");
    }

    /// <summary>Queue names and message counts of a virtual host, from the management API.</summary>
    public static async Task<string> QueuesJsonAsync(string vhost)
    {
        using var client = Management();
        return await client.GetStringAsync($"queues/{Uri.EscapeDataString(vhost)}");
    }
}
