using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Netzwerk.Platform.Identity;

/// <summary>
/// The data-protection key ring in PostgreSQL (<c>platform.data_protection_keys</c>): sign-in cookies, anti-forgery tokens
/// and OIDC sign-in state stay valid across restarts and across app instances, which otherwise each keep keys of their
/// own under the user's home. ASP.NET Core reads the ring rarely (start, then about once a day) and synchronously.
/// </summary>
public sealed class DataProtectionKeys(NpgsqlDataSource dataSource) : IXmlRepository
{
    public const string ApplicationName = "Netzwerk";

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var cmd = dataSource.CreateCommand("SELECT xml FROM platform.data_protection_keys ORDER BY created_at");
        using var reader = cmd.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var cmd = dataSource.CreateCommand(
            "INSERT INTO platform.data_protection_keys (friendly_name, xml) VALUES ($1, $2) ON CONFLICT (friendly_name) DO NOTHING");
        cmd.Parameters.AddWithValue(friendlyName);
        cmd.Parameters.AddWithValue(element.ToString(SaveOptions.DisableFormatting));
        cmd.ExecuteNonQuery();
    }
}
