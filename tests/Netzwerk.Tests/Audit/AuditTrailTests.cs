using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Audit;
using Netzwerk.Tests.Infrastructure;
using Npgsql;

namespace Netzwerk.Tests.Audit;

/// <summary>The hash chain against the real database: tampering and deletion are found and named; refusals are recorded.</summary>
public sealed class AuditTrailTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    private async Task<JsonElement> VerifyAsync()
    {
        var ds = await app.ClientFor("ds.becker");
        var response = await ds.GetAsync("/api/audit/verify");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task RecordSomeAsync(int n)
    {
        var audit = app.Services.GetRequiredService<AuditLog>();
        for (var i = 0; i < n; i++)
            await audit.RecordAsync(new AuditEvent("read", "referral", Guid.NewGuid().ToString(), Detail: $"test {i}"), "fm.mueller", "Fallmanager", "10.0.0.1");
    }

    private async Task<long[]> IdsAsync(NpgsqlConnection db)
    {
        await using var cmd = new NpgsqlCommand("SELECT id FROM platform.audit_entries ORDER BY id", db);
        var ids = new List<long>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) ids.Add(r.GetInt64(0));
        return ids.ToArray();
    }

    /// <summary>One test, because tampering with the shared chain would disturb any test running beside it.</summary>
    [Fact]
    public async Task Entries_recorded_at_once_are_all_written_in_one_intact_chain()
    {
        // Concurrent callers end up in shared groups (one multi-row insert each): every entry must be there once,
        // each one's previous hash must be its predecessor's hash, in id order.
        var audit = app.Services.GetRequiredService<AuditLog>();
        var marker = Guid.NewGuid().ToString();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() =>
            audit.RecordAsync(new AuditEvent("read", "referral", marker, Detail: $"parallel {i}"), "fm.mueller", "Fallmanager", null))));

        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand("SELECT detail FROM platform.audit_entries WHERE object_id = $1", db) { Parameters = { new() { Value = marker } } };
        var details = new List<string>();
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) details.Add(r.GetString(0));
        details.Order().ShouldBe(Enumerable.Range(0, 200).Select(i => $"parallel {i}").Order());
        (await VerifyAsync()).GetProperty("intact").GetBoolean().ShouldBeTrue();
    }

    [Fact]
    public async Task Altered_and_deleted_entries_are_reported_exactly_and_the_cli_agrees()
    {
        await RecordSomeAsync(6);
        (await VerifyAsync()).GetProperty("intact").GetBoolean().ShouldBeTrue();
        (await RunCliAsync()).ExitCode.ShouldBe(0);

        await using var db = await app.OpenDatabaseAsync();
        var ids = await IdsAsync(db);
        var victim = ids[^3];

        // 1. Someone edits a field of one entry directly in the database.
        await using (var tamper = new NpgsqlCommand("UPDATE platform.audit_entries SET user_id = 'jemand-anders' WHERE id = $1", db))
        {
            tamper.Parameters.AddWithValue(victim);
            (await tamper.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        var report = await VerifyAsync();
        report.GetProperty("intact").GetBoolean().ShouldBeFalse();
        report.GetProperty("firstBrokenId").GetInt64().ShouldBe(victim);
        var cli = await RunCliAsync();
        cli.ExitCode.ShouldBe(2);
        cli.Output.ShouldContain($"Nr. {victim}");

        // Restore it: the chain is intact again (verification records entries itself, at the end of the chain).
        await using (var restore = new NpgsqlCommand("UPDATE platform.audit_entries SET user_id = 'fm.mueller' WHERE id = $1", db))
        {
            restore.Parameters.AddWithValue(victim);
            await restore.ExecuteNonQueryAsync();
        }
        (await VerifyAsync()).GetProperty("intact").GetBoolean().ShouldBeTrue();

        // 2. Someone deletes one entry.
        await using (var delete = new NpgsqlCommand("DELETE FROM platform.audit_entries WHERE id = $1", db))
        {
            delete.Parameters.AddWithValue(victim);
            (await delete.ExecuteNonQueryAsync()).ShouldBe(1);
        }
        report = await VerifyAsync();
        report.GetProperty("intact").GetBoolean().ShouldBeFalse();
        report.GetProperty("firstBrokenId").GetInt64().ShouldBe(victim);
        report.GetProperty("problem").GetString()!.ShouldContain("fehlt");

        // 3. Someone alters an earlier entry and recomputes its hash: the next entry no longer points to it.
        var chain = app.Services.GetRequiredService<AuditChain>();
        var victim2 = ids[^5];
        await using (var alter = new NpgsqlCommand("UPDATE platform.audit_entries SET detail = 'gefälscht' WHERE id = $1", db))
        {
            alter.Parameters.AddWithValue(victim2);
            await alter.ExecuteNonQueryAsync();
        }
        var row = await ReadRowAsync(db, victim2);
        await using (var rehash = new NpgsqlCommand("UPDATE platform.audit_entries SET hash = $2 WHERE id = $1", db))
        {
            rehash.Parameters.AddWithValue(victim2);
            rehash.Parameters.AddWithValue(row.ComputeHash());
            await rehash.ExecuteNonQueryAsync();
        }
        var direct = await chain.VerifyAsync();
        direct.Intact.ShouldBeFalse();
        direct.FirstBrokenId.ShouldBe(victim2);
    }

    private static async Task<AuditRow> ReadRowAsync(NpgsqlConnection db, long id)
    {
        await using var cmd = new NpgsqlCommand(
            "SELECT id, at, user_id, role, action, object_type, object_id, outcome, remote_address, detail, previous_hash, hash FROM platform.audit_entries WHERE id = $1", db);
        cmd.Parameters.AddWithValue(id);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return new AuditRow(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
            r.GetString(6), r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8), r.IsDBNull(9) ? null : r.GetString(9), r.GetString(10), r.GetString(11));
    }

    /// <summary>The same check as deploy/audit-verify.sh: the app's CLI mode against this test's database.</summary>
    private async Task<(int ExitCode, string Output)> RunCliAsync()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Netzwerk.Web.dll");
        var psi = new ProcessStartInfo("dotnet", $"\"{dll}\" audit-verify") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment["ConnectionStrings__Netzwerk"] = app.ConnectionString;
        psi.Environment["DOTNET_ENVIRONMENT"] = "Testing";
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync() + await p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return (p.ExitCode, output);
    }
}

public sealed class AuditViewerTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    [Fact]
    public async Task Refused_access_is_recorded_with_who_what_and_outcome_denied()
    {
        (await app.Anonymous().GetAsync("/api/audit")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var fm = await app.ClientFor("fm.yilmaz");
        (await fm.GetAsync("/api/audit/verify")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        var ds = await app.ClientFor("ds.becker");
        var page = await ds.GetFromJsonAsync<JsonElement>("/api/audit?action=access&user=fm.yilmaz");
        var entry = page.GetProperty("entries").EnumerateArray().First();
        entry.GetProperty("outcome").GetString().ShouldBe("denied");
        entry.GetProperty("role").GetString().ShouldBe("Fallmanager");
        entry.GetProperty("objectId").GetString().ShouldBe("/api/audit/verify");

        var anonymous = await ds.GetFromJsonAsync<JsonElement>("/api/audit?action=access&user=anonym");
        anonymous.GetProperty("entries").EnumerateArray().ShouldContain(e => e.GetProperty("objectId").GetString() == "/api/audit");
    }

    [Fact]
    public async Task Datenschutz_filters_by_user_action_object_and_time_and_pages()
    {
        var audit = app.Services.GetRequiredService<AuditLog>();
        var referral = Guid.NewGuid().ToString();
        for (var i = 0; i < 3; i++)
            await audit.RecordAsync(new AuditEvent("read", "referral", referral), "fm.schmidt", "Fallmanager", "10.1.1.1");
        await audit.RecordAsync(new AuditEvent("update", "referral", referral), "fm.schmidt", "Fallmanager", "10.1.1.1");

        var ds = await app.ClientFor("ds.becker");
        var page = await ds.GetFromJsonAsync<JsonElement>($"/api/audit?objectType=referral&objectId={referral}&action=read");
        page.GetProperty("total").GetInt64().ShouldBe(3);
        page.GetProperty("entries").EnumerateArray().ShouldAllBe(e => e.GetProperty("userId").GetString() == "fm.schmidt");

        var from = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"));
        (await ds.GetFromJsonAsync<JsonElement>($"/api/audit?objectId={referral}&from={from}")).GetProperty("total").GetInt64().ShouldBe(0);
        (await ds.GetAsync("/api/audit?page=0")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ds.GetAsync("/api/audit?from=gestern")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Datenschutz_sees_the_trail_but_nothing_else_and_others_do_not_see_the_trail()
    {
        var ds = await app.ClientFor("ds.becker");
        (await ds.GetAsync("/api/absences")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        foreach (var user in new[] { "fm.mueller", "tl.weber", "partner.schuldner", "nk.hoffmann", "admin" })
            (await (await app.ClientFor(user)).GetAsync("/api/audit")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }
}
