using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Database;
using Netzwerk.Tests.Infrastructure;
using Npgsql;

namespace Netzwerk.Tests.Identity.PartnerLinks;

/// <summary>The access links' table is the Referrals module's; a database from before issue 15 has it in schema platform.</summary>
public sealed class PartnerLinkMigrationTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    [Fact]
    public async Task A_fresh_database_has_the_table_in_referrals_only()
    {
        (await ScalarAsync("SELECT to_regclass('referrals.partner_access_links')::text")).ShouldBe("referrals.partner_access_links");
        (await ScalarAsync("SELECT to_regclass('platform.partner_access_links')::text")).ShouldBeNull();
    }

    [Fact]
    public async Task A_database_from_before_keeps_its_links_when_the_table_moves_to_referrals()
    {
        // The state before issue 15: the table in platform, with a link in it, and referrals/0004 not yet applied.
        var linkId = Guid.NewGuid();
        await ExecuteAsync("ALTER TABLE referrals.partner_access_links SET SCHEMA platform");
        await ExecuteAsync("DELETE FROM public.schema_versions WHERE module = 'referrals' AND version = '0004_partner_access_links'");
        await ExecuteAsync("""
            INSERT INTO platform.partner_access_links
                (id, referral_id, organization_id, service_id, case_manager_id, token_hash, reference, created_at, expires_at)
            VALUES ($1, gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'fm.mueller', '\x01'::bytea, 'NZ-TEST-MOVE', now(), now() + interval '1 day')
            """, linkId);

        await app.Services.GetRequiredService<Migrator>().MigrateAsync();

        (await ScalarAsync("SELECT to_regclass('platform.partner_access_links')::text")).ShouldBeNull();
        (await ScalarAsync("SELECT reference FROM referrals.partner_access_links WHERE id = $1", linkId)).ShouldBe("NZ-TEST-MOVE");
        (await app.Services.GetRequiredService<Migrator>().IsUpToDateAsync()).ShouldBeTrue();
    }

    private async Task ExecuteAsync(string sql, params object[] args)
    {
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<string?> ScalarAsync(string sql, params object[] args)
    {
        await using var db = await app.OpenDatabaseAsync();
        await using var cmd = new NpgsqlCommand(sql, db);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        return await cmd.ExecuteScalarAsync() as string;
    }
}
