using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Netzwerk.Platform.Identity;

/// <summary>
/// The data-protection key ring in PostgreSQL (<c>platform.data_protection_keys</c>), kept by ASP.NET Core's own
/// EF Core repository: sign-in cookies, anti-forgery tokens and OIDC sign-in state stay valid across restarts and
/// across app instances, which otherwise each keep keys of their own under the user's home.
/// </summary>
public sealed class KeyRingDb(DbContextOptions<KeyRingDb> options) : DbContext(options), IDataProtectionKeyContext
{
    public const string ApplicationName = "Netzwerk";

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder model)
    {
        // The table predates this context (migration 0003) and keeps its layout, so the keys written before the switch
        // are read as they are and nobody is signed out by the upgrade: the friendly name (unique per key,
        // "key-{guid}") is the key; EF Core's integer id does not exist there. created_at is filled by its default.
        var key = model.Entity<DataProtectionKey>();
        key.ToTable("data_protection_keys", "platform");
        key.HasKey(k => k.FriendlyName);
        key.Ignore(k => k.Id);
        key.Property(k => k.FriendlyName).HasColumnName("friendly_name");
        key.Property(k => k.Xml).HasColumnName("xml").IsRequired();
    }
}
