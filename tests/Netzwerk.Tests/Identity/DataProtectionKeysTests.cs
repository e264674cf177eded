using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Identity;
using Netzwerk.Tests.Infrastructure;
using Npgsql;

namespace Netzwerk.Tests.Identity;

/// <summary>The data-protection key ring (cookies, anti-forgery, sign-in state) lives in PostgreSQL, shared by all instances.</summary>
public sealed class DataProtectionKeysTests(NetzwerkApp app) : IClassFixture<NetzwerkApp>
{
    [Fact]
    public async Task What_one_instance_protects_another_instance_on_the_same_database_can_read()
    {
        var sealedText = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("Hallo");

        await using (var db = await app.OpenDatabaseAsync())
        await using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT count(*) FROM platform.data_protection_keys";
            ((long)(await cmd.ExecuteScalarAsync())!).ShouldBeGreaterThan(0);
        }

        // A second instance: its own services and key manager, the same database.
        var services = new ServiceCollection().AddLogging();
        services.AddSingleton(app.Services.GetRequiredService<NpgsqlDataSource>());
        services.AddNetzwerkDataProtection();
        await using var other = services.BuildServiceProvider();
        other.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(sealedText).ShouldBe("Hallo");
        // Different purpose, no access: the keys are shared, not the meaning.
        Should.Throw<System.Security.Cryptography.CryptographicException>(
            () => other.GetRequiredService<IDataProtectionProvider>().CreateProtector("other").Unprotect(sealedText));
    }

    [Fact]
    public async Task A_key_written_by_the_hand_written_repository_before_the_upgrade_is_still_read()
    {
        // A key as the earlier repository stored it: its XML (unformatted) under the friendly name "key-{id}".
        var folder = new DirectoryInfo(Path.Combine(Path.GetTempPath(), "nz-keys-" + Guid.NewGuid().ToString("N")));
        try
        {
            var before = new ServiceCollection().AddLogging();
            before.AddDataProtection().SetApplicationName(KeyRingDb.ApplicationName).PersistKeysToFileSystem(folder);
            string sealedText;
            await using (var old = before.BuildServiceProvider())
                sealedText = old.GetRequiredService<IDataProtectionProvider>().CreateProtector("upgrade").Protect("Hallo");
            var file = folder.GetFiles("key-*.xml").ShouldHaveSingleItem();
            await using (var db = await app.OpenDatabaseAsync())
            await using (var cmd = db.CreateCommand())
            {
                cmd.CommandText = "INSERT INTO platform.data_protection_keys (friendly_name, xml) VALUES ($1, $2)";
                cmd.Parameters.Add(new NpgsqlParameter { Value = Path.GetFileNameWithoutExtension(file.Name) });
                cmd.Parameters.Add(new NpgsqlParameter { Value = System.Xml.Linq.XElement.Load(file.FullName).ToString(System.Xml.Linq.SaveOptions.DisableFormatting) });
                await cmd.ExecuteNonQueryAsync();
            }

            var services = new ServiceCollection().AddLogging();
            services.AddSingleton(app.Services.GetRequiredService<NpgsqlDataSource>());
            services.AddNetzwerkDataProtection();
            await using var upgraded = services.BuildServiceProvider();
            upgraded.GetRequiredService<IDataProtectionProvider>().CreateProtector("upgrade").Unprotect(sealedText).ShouldBe("Hallo");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
