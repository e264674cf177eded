using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;
using Npgsql;

namespace Netzwerk.Platform.Identity;

/// <summary>
/// The RSA key this app signs its own tokens with (demo mode). Stored in PostgreSQL so that every
/// instance of the app signs and validates with the same key; created on first start.
/// </summary>
public sealed class TokenSigningKeys(NpgsqlDataSource dataSource)
{
    public const string Issuer = "netzwerk";
    public const string Audience = "netzwerk-api";
    private const string KeyId = "netzwerk-1";
    private RsaSecurityKey? _key;

    public RsaSecurityKey Key => _key ?? throw new InvalidOperationException("Signing key not loaded yet.");

    public async Task LoadAsync(CancellationToken ct = default)
    {
        using var fresh = RSA.Create(2048);
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO platform.signing_keys (id, private_key_pem) VALUES ($1, $2)
            ON CONFLICT (id) DO NOTHING;
            """);
        cmd.Parameters.AddWithValue(KeyId);
        cmd.Parameters.AddWithValue(fresh.ExportRSAPrivateKeyPem());
        await cmd.ExecuteNonQueryAsync(ct);

        await using var read = dataSource.CreateCommand("SELECT private_key_pem FROM platform.signing_keys WHERE id = $1");
        read.Parameters.AddWithValue(KeyId);
        var pem = (string)(await read.ExecuteScalarAsync(ct))!;
        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        // The kid names the key material itself: IdentityModel caches signature providers per key id, so two keys
        // under one kid (several app instances in one test process, or a replaced key) must never share it.
        var thumbprint = Convert.ToHexString(SHA256.HashData(rsa.ExportRSAPublicKey()))[..16].ToLowerInvariant();
        _key = new RsaSecurityKey(rsa) { KeyId = $"{KeyId}-{thumbprint}" };
    }
}
