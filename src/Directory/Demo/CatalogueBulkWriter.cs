using Netzwerk.Directory.Catalogue;
using Npgsql;
using NpgsqlTypes;
using static NpgsqlTypes.NpgsqlDbType;

namespace Netzwerk.Directory.Demo;

/// <summary>
/// Writes a generated catalogue with PostgreSQL binary COPY (demo data and the 300,000-service benchmark),
/// then builds the search documents. Runs inside the caller's transaction.
/// </summary>
public static class CatalogueBulkWriter
{
    public static async Task WriteAsync(NpgsqlConnection conn, GeneratedCatalogue c, bool includeTaxonomies, CancellationToken ct = default)
    {
        if (includeTaxonomies)
        {
            await Copy(conn, "directory.taxonomy", c.Taxonomies, ct,
                ("id", Uuid, x => x.Id), ("code", Text, x => x.Code), ("name", Text, x => x.Name), ("description", Text, x => x.Description),
                ("uri", Text, x => x.Uri), ("version", Text, x => x.Version), ("modified_at", TimestampTz, x => x.ModifiedAt));
            await Copy(conn, "directory.taxonomy_term", c.Terms, ct,
                ("id", Uuid, x => x.Id), ("taxonomy_id", Uuid, x => x.TaxonomyId), ("code", Text, x => x.Code), ("name", Text, x => x.Name),
                ("description", Text, x => x.Description), ("parent_id", Uuid, x => x.ParentId), ("term_group", Text, x => x.TermGroup),
                ("sort_order", Integer, x => x.SortOrder), ("modified_at", TimestampTz, x => x.ModifiedAt));
        }
        await Copy(conn, "directory.organization", c.Organizations, ct,
            ("id", Uuid, x => x.Id), ("name", Text, x => x.Name), ("alternate_name", Text, x => x.AlternateName), ("description", Text, x => x.Description),
            ("email", Text, x => x.Email), ("referral_email", Text, x => x.ReferralEmail), ("website", Text, x => x.Website),
            ("legal_status", Text, x => x.LegalStatus), ("year_incorporated", Integer, x => x.YearIncorporated),
            ("cooperation_agreement", NpgsqlDbType.Boolean, x => x.CooperationAgreement), ("cooperation_since", Date, x => x.CooperationSince),
            ("cooperation_note", Text, x => x.CooperationNote), ("status", Text, x => x.Status), ("verified_at", TimestampTz, x => x.VerifiedAt),
            ("verified_by", Text, x => x.VerifiedBy), ("created_at", TimestampTz, x => x.CreatedAt), ("modified_at", TimestampTz, x => x.ModifiedAt),
            ("modified_by", Text, x => x.ModifiedBy));
        await Copy(conn, "directory.location", c.Locations, ct,
            ("id", Uuid, x => x.Id), ("organization_id", Uuid, x => x.OrganizationId), ("location_type", Text, x => x.LocationType),
            ("name", Text, x => x.Name), ("description", Text, x => x.Description), ("transportation", Text, x => x.Transportation),
            ("address_1", Text, x => x.Address1), ("postal_code", Text, x => x.PostalCode), ("city", Text, x => x.City),
            ("district", Text, x => x.District), ("region", Text, x => x.Region), ("state_province", Text, x => x.StateProvince),
            ("country", Text, x => x.Country), ("latitude", NpgsqlDbType.Double, x => x.Latitude), ("longitude", NpgsqlDbType.Double, x => x.Longitude),
            ("step_free", NpgsqlDbType.Boolean, x => x.StepFree), ("modified_at", TimestampTz, x => x.ModifiedAt));
        await Copy(conn, "directory.accessibility", c.Accessibility, ct,
            ("id", Uuid, x => x.Id), ("location_id", Uuid, x => x.LocationId), ("description", Text, x => x.Description),
            ("details", Text, x => x.Details), ("url", Text, x => x.Url), ("modified_at", TimestampTz, x => x.ModifiedAt));
        await Copy(conn, "directory.service", c.Services, ct,
            ("id", Uuid, x => x.Id), ("organization_id", Uuid, x => x.OrganizationId), ("name", Text, x => x.Name),
            ("alternate_name", Text, x => x.AlternateName), ("description", Text, x => x.Description), ("url", Text, x => x.Url),
            ("email", Text, x => x.Email), ("referral_email", Text, x => x.ReferralEmail), ("status", Text, x => x.Status),
            ("interpretation_services", Text, x => x.InterpretationServices), ("application_process", Text, x => x.ApplicationProcess),
            ("fees_description", Text, x => x.FeesDescription), ("accreditations", Text, x => x.Accreditations),
            ("eligibility_description", Text, x => x.EligibilityDescription), ("minimum_age", Integer, x => x.MinimumAge),
            ("maximum_age", Integer, x => x.MaximumAge), ("alert", Text, x => x.Alert), ("legal_basis", Text, x => x.LegalBasis),
            ("payer", Text, x => x.Payer), ("capacity_free", Integer, x => x.CapacityFree), ("capacity_updated_at", TimestampTz, x => x.CapacityUpdatedAt),
            ("capacity_updated_by", Text, x => x.CapacityUpdatedBy), ("waiting_days", Integer, x => x.WaitingDays),
            ("waiting_updated_at", TimestampTz, x => x.WaitingUpdatedAt), ("waiting_updated_by", Text, x => x.WaitingUpdatedBy),
            ("verified_at", TimestampTz, x => x.VerifiedAt), ("verified_by", Text, x => x.VerifiedBy), ("created_at", TimestampTz, x => x.CreatedAt),
            ("modified_at", TimestampTz, x => x.ModifiedAt), ("modified_by", Text, x => x.ModifiedBy));
        await Copy(conn, "directory.service_taxonomy_term", c.ServiceTerms, ct,
            ("service_id", Uuid, x => x.ServiceId), ("taxonomy_term_id", Uuid, x => x.TaxonomyTermId));
        await Copy(conn, "directory.service_at_location", c.ServiceAtLocations, ct,
            ("id", Uuid, x => x.Id), ("service_id", Uuid, x => x.ServiceId), ("location_id", Uuid, x => x.LocationId),
            ("description", Text, x => x.Description), ("sort_order", Integer, x => x.SortOrder), ("modified_at", TimestampTz, x => x.ModifiedAt));
        await Copy(conn, "directory.contact", c.Contacts, ct,
            ("id", Uuid, x => x.Id), ("organization_id", Uuid, x => x.OrganizationId), ("service_id", Uuid, x => x.ServiceId),
            ("name", Text, x => x.Name), ("title", Text, x => x.Title), ("department", Text, x => x.Department), ("email", Text, x => x.Email),
            ("modified_at", TimestampTz, x => x.ModifiedAt));
        await Copy(conn, "directory.phone", c.Phones, ct,
            ("id", Uuid, x => x.Id), ("organization_id", Uuid, x => x.OrganizationId), ("service_id", Uuid, x => x.ServiceId),
            ("location_id", Uuid, x => x.LocationId), ("contact_id", Uuid, x => x.ContactId), ("number", Text, x => x.Number),
            ("extension", Text, x => x.Extension), ("type", Text, x => x.Type), ("description", Text, x => x.Description),
            ("modified_at", TimestampTz, x => x.ModifiedAt));
        await Copy(conn, "directory.schedule", c.Schedules, ct,
            ("id", Uuid, x => x.Id), ("service_id", Uuid, x => x.ServiceId), ("location_id", Uuid, x => x.LocationId),
            ("weekday", Smallint, x => x.Weekday), ("opens_at", Time, x => x.OpensAt), ("closes_at", Time, x => x.ClosesAt),
            ("description", Text, x => x.Description), ("attending_type", Text, x => x.AttendingType), ("notes", Text, x => x.Notes),
            ("modified_at", TimestampTz, x => x.ModifiedAt));
        await Copy(conn, "directory.language", c.Languages, ct,
            ("id", Uuid, x => x.Id), ("service_id", Uuid, x => x.ServiceId), ("code", Text, x => x.Code), ("name", Text, x => x.Name),
            ("note", Text, x => x.Note), ("modified_at", TimestampTz, x => x.ModifiedAt));
        await Copy(conn, "directory.cost_option", c.CostOptions, ct,
            ("id", Uuid, x => x.Id), ("service_id", Uuid, x => x.ServiceId), ("option", Text, x => x.Option), ("currency", Text, x => x.Currency),
            ("amount", Numeric, x => x.Amount), ("amount_description", Text, x => x.AmountDescription), ("modified_at", TimestampTz, x => x.ModifiedAt));
        await Copy(conn, "directory.required_document", c.RequiredDocuments, ct,
            ("id", Uuid, x => x.Id), ("service_id", Uuid, x => x.ServiceId), ("document", Text, x => x.Document), ("uri", Text, x => x.Uri),
            ("modified_at", TimestampTz, x => x.ModifiedAt));
        await Copy(conn, "directory.service_area", c.ServiceAreas, ct,
            ("id", Uuid, x => x.Id), ("service_id", Uuid, x => x.ServiceId), ("name", Text, x => x.Name), ("description", Text, x => x.Description),
            ("modified_at", TimestampTz, x => x.ModifiedAt));

        // Search documents in slices, so one statement never holds a huge array.
        foreach (var chunk in c.Services.Select(s => s.Id).Chunk(20_000))
            await SearchIndex.RefreshAsync(conn, null, chunk, ct);
        await using var vocabulary = new NpgsqlCommand("SELECT directory.refresh_vocabulary()", conn);
        await vocabulary.ExecuteNonQueryAsync(ct);
    }

    private static async Task Copy<T>(NpgsqlConnection conn, string table, IReadOnlyCollection<T> rows, CancellationToken ct,
        params (string Column, NpgsqlDbType Type, Func<T, object?> Value)[] columns)
    {
        if (rows.Count == 0) return;
        await using var writer = await conn.BeginBinaryImportAsync(
            $"COPY {table} ({string.Join(", ", columns.Select(c => c.Column))}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await writer.StartRowAsync(ct);
            foreach (var (_, type, value) in columns)
            {
                var v = value(row);
                if (v is null) await writer.WriteNullAsync(ct);
                else await writer.WriteAsync(v, type, ct);
            }
        }
        await writer.CompleteAsync(ct);
    }
}
