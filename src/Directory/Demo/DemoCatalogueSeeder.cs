using Netzwerk.Platform;
using Netzwerk.Platform.Identity;
using Npgsql;

namespace Netzwerk.Directory.Demo;

/// <summary>
/// Loads the fictional Landkreis network in demo mode (and in tests): skipped when the demo partner
/// organisation already exists. Deterministic: the same seed gives the same ids, names and figures.
/// </summary>
public sealed class DemoCatalogueSeeder(NpgsqlDataSource dataSource, TimeProvider time) : IDemoDataSeeder
{
    public const int Seed = 20261121;
    public const int Organizations = 165;

    public int Order => 10;

    public async Task SeedAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await using (var lockCmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(4711001)", conn, tx))
            await lockCmd.ExecuteNonQueryAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM directory.organization WHERE id = $1", conn, tx))
        {
            exists.Parameters.AddWithValue(DemoUsers.Organizations.DebtCounsellingKamenz);
            if (await exists.ExecuteScalarAsync(ct) is not null) return;
        }
        await SeedReferenceDataAsync(conn, tx, ct);
        // Fixed reference date: the demo's "age" of waiting times and verifications stays realistic relative to today.
        var catalogue = DemoCatalogueGenerator.Generate(Seed, Organizations, time.GetUtcNow());
        await CatalogueBulkWriter.WriteAsync(conn, catalogue, includeTaxonomies: true, ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Postcodes and search synonyms (also used by the benchmark).</summary>
    public static async Task SeedReferenceDataAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, CancellationToken ct)
    {
        var postcodes = DemoCatalogueData.Towns.Select(t => (Code: t.Postcode, Town: t.Name, t.District, Lat: t.Latitude, Lon: t.Longitude))
            .Concat(DemoCatalogueData.ExtraPostcodes.Select(p => (Code: p.Postcode, p.Town,
                DemoCatalogueData.Towns.First(t => t.Name == p.Town).District, p.Lat, p.Lon)))
            .DistinctBy(p => (p.Code, p.Town));
        foreach (var (code, town, district, lat, lon) in postcodes)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO directory.postcode (postcode, town, district, latitude, longitude) VALUES ($1, $2, $3, $4, $5)
                ON CONFLICT DO NOTHING
                """, conn, tx);
            cmd.Parameters.AddWithValue(code);
            cmd.Parameters.AddWithValue(town);
            cmd.Parameters.AddWithValue(district);
            cmd.Parameters.AddWithValue(lat);
            cmd.Parameters.AddWithValue(lon);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        foreach (var (term, expansions) in Synonyms)
        {
            await using var cmd = new NpgsqlCommand("""
                INSERT INTO directory.search_synonym (term, expansions, note, modified_by) VALUES ($1, $2, 'Grundbestand', 'system')
                ON CONFLICT DO NOTHING
                """, conn, tx);
            cmd.Parameters.AddWithValue(term);
            cmd.Parameters.AddWithValue(expansions);
            await cmd.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>The initial synonym list; coordinators maintain it in the table afterwards.</summary>
    public static readonly (string Term, string[] Expansions)[] Synonyms =
    [
        ("ASD", ["Allgemeiner Sozialer Dienst", "Jugendamt"]),
        ("Kita", ["Kinderbetreuung", "Kindertagesstätte"]),
        ("Krippe", ["Kinderbetreuung"]),
        ("Kindergarten", ["Kinderbetreuung"]),
        ("Drogen", ["Suchtberatung", "Drogenberatung"]),
        ("Alkohol", ["Suchtberatung"]),
        ("Crystal", ["Suchtberatung", "Drogenberatung"]),
        ("Spielsucht", ["Glücksspielsucht"]),
        ("Schulden", ["Schuldnerberatung"]),
        ("Insolvenz", ["Insolvenzberatung"]),
        ("Privatinsolvenz", ["Insolvenzberatung"]),
        ("P-Konto", ["Schuldnerberatung"]),
        ("SpDi", ["Sozialpsychiatrischer Dienst"]),
        ("JGH", ["Jugendgerichtshilfe"]),
        ("JMD", ["Jugendmigrationsdienst"]),
        ("MBE", ["Migrationsberatung"]),
        ("AGH", ["Arbeitsgelegenheit"]),
        ("Ein-Euro-Job", ["Arbeitsgelegenheit"]),
        ("BuT", ["Bildung und Teilhabe"]),
        ("Reha", ["Rehabilitation"]),
        ("Obdachlos", ["Wohnungsnotfallhilfe"]),
        ("Wohnung", ["Wohnungsvermittlung", "Wohnungsnotfallhilfe"]),
        ("Frauenhaus", ["Frauenschutzhaus", "Gewaltschutz"]),
        ("Gewalt", ["Gewaltschutz", "Frauenschutzhaus"]),
        ("Depression", ["Psychosoziale Betreuung", "Sozialpsychiatrischer Dienst"]),
        ("Psyche", ["Psychosoziale Betreuung"]),
        ("Deutschkurs", ["Integrationskurs", "Berufssprachkurs"]),
        ("Sprachkurs", ["Integrationskurs", "Berufssprachkurs"]),
        ("Flüchtlinge", ["Flüchtlingssozialarbeit", "Migrationsberatung"]),
        ("Schwanger", ["Schwangerschaftsberatung", "Schwangerenkonfliktberatung"]),
        ("Umschulung", ["Weiterbildung"]),
        ("Sport", ["Sportverein"]),
    ];
}
