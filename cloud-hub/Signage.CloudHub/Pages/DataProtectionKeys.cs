using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;
using Signage.CloudHub.Data;

namespace Signage.CloudHub.Pages;

/// <summary>Data-protection keys in the <c>data_protection_key</c> table. The framework calls these
/// synchronously and rarely (start-up, key rotation every 90 days).</summary>
public sealed class DataProtectionKeys(HubDatabase database) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand("SELECT xml FROM data_protection_key ORDER BY name;", connection);
        using var reader = command.ExecuteReader();
        var keys = new List<XElement>();
        while (reader.Read()) keys.Add(XElement.Parse(reader.GetString(0)));
        return keys;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = database.Open();
        using var command = new NpgsqlCommand("INSERT INTO data_protection_key (name, xml) VALUES (@name, @xml) ON CONFLICT (name) DO NOTHING;", connection);
        command.Parameters.AddWithValue("name", friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}
