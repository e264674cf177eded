using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Netzwerk.Platform.Identity;

/// <summary>
/// The secret of an e-mailed single-purpose link (a partner's access link, a verification campaign's review link): 256
/// random bits in the URL; the database keeps only their SHA-256, so a copy of the database opens nothing.
/// </summary>
public static class LinkTokens
{
    public static string New() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.ASCII.GetBytes(token));
}
