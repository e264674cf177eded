using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;
using Npgsql;

namespace Netzwerk.Directory.ReferralAddresses;

/// <summary>
/// Ordered fallback addresses for referral mails (<c>directory.referral_fallback_address</c>): after the organisation's
/// referral address come its fallbacks; a service may have fallbacks of its own, which replace the organisation's. The
/// Netzwerkkoordination edits them for any organisation, a partner for its own (page /pflege/verweisungsadressen, API).
/// Each change is written to the catalogue's change history.
/// </summary>
public static class ReferralFallbacks
{
    public const int Max = 5;

    public sealed record Addresses(Guid OrganizationId, Guid? ServiceId, string Name, string? ReferralEmail, IReadOnlyList<string> Fallbacks,
        IReadOnlyList<string> OrganizationFallbacks);

    public sealed record FallbacksInput(List<string>? Fallbacks);

    /// <summary>The entry's addresses; null when it does not exist. For a service, <c>ReferralEmail</c> is the one its mails go to.</summary>
    public static async Task<Addresses?> GetAsync(NpgsqlDataSource dataSource, Guid? organizationId, Guid? serviceId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var head = serviceId is { } s
            ? await conn.QuerySingleOrDefaultAsync<(Guid Org, string Name, string? Email)>(new CommandDefinition("""
                SELECT o.id, s.name, coalesce(nullif(s.referral_email, ''), o.referral_email)
                FROM directory.service s JOIN directory.organization o ON o.id = s.organization_id WHERE s.id = @s
                """, new { s }, cancellationToken: ct))
            : await conn.QuerySingleOrDefaultAsync<(Guid Org, string Name, string? Email)>(new CommandDefinition(
                "SELECT id, name, referral_email FROM directory.organization WHERE id = @o", new { o = organizationId }, cancellationToken: ct));
        if (head.Name is null) return null;
        var orgList = (await conn.QueryAsync<string>(new CommandDefinition(
            "SELECT email FROM directory.referral_fallback_address WHERE organization_id = @o AND service_id IS NULL ORDER BY position",
            new { o = head.Org }, cancellationToken: ct))).ToList();
        var own = serviceId is null ? orgList : (await conn.QueryAsync<string>(new CommandDefinition(
            "SELECT email FROM directory.referral_fallback_address WHERE service_id = @s ORDER BY position", new { s = serviceId }, cancellationToken: ct))).ToList();
        return new Addresses(head.Org, serviceId, head.Name, head.Email, own, orgList);
    }

    /// <summary>Replaces the entry's fallbacks (an empty list: none; for a service: the organisation's apply again).</summary>
    public static async Task<Addresses> SaveAsync(NpgsqlDataSource dataSource, Addresses current, IReadOnlyList<string>? input, string by, string source,
        DateTimeOffset now, CancellationToken ct)
    {
        var clean = Validate(input, current.ReferralEmail);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(current.ServiceId is null
                ? "DELETE FROM directory.referral_fallback_address WHERE organization_id = @o AND service_id IS NULL"
                : "DELETE FROM directory.referral_fallback_address WHERE service_id = @s",
            new { o = current.OrganizationId, s = current.ServiceId }, tx, cancellationToken: ct));
        for (var i = 0; i < clean.Count; i++)
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO directory.referral_fallback_address (organization_id, service_id, position, email, changed_at, changed_by)
                VALUES (@o, @s, @p, @e, @now, @by)
                """, new { o = current.OrganizationId, s = current.ServiceId, p = i + 1, e = clean[i], now, by }, tx, cancellationToken: ct));
        var old = string.Join(", ", current.Fallbacks);
        var @new = string.Join(", ", clean);
        if (old != @new)
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO directory.change_history (entity_type, entity_id, changed_at, changed_by, source, field, old_value, new_value)
                VALUES (@type, @id, @now, @by, @source, 'referralFallbackEmails', @old, @new)
                """, new
            {
                type = current.ServiceId is null ? "organization" : "service", id = current.ServiceId ?? current.OrganizationId, now, by, source,
                old = old.Length == 0 ? null : old, @new = @new.Length == 0 ? null : @new,
            }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return current with { Fallbacks = clean, OrganizationFallbacks = current.ServiceId is null ? clean : current.OrganizationFallbacks };
    }

    /// <summary>Each a valid address, at most <see cref="Max"/>, none twice and none equal to the referral address; 422 otherwise.</summary>
    public static IReadOnlyList<string> Validate(IReadOnlyList<string>? input, string? referralEmail)
    {
        var list = (input ?? []).Select(a => a?.Trim() ?? "").Where(a => a.Length > 0).ToList();
        var errors = new List<string>();
        foreach (var a in list.Where(a => !EntryRules.IsEmail(a))) errors.Add($"„{Shorten(a)}“ ist keine gültige E-Mail-Adresse.");
        if (list.Count > Max) errors.Add($"Höchstens {Max} Ausweichadressen.");
        foreach (var a in list.GroupBy(a => a, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1)) errors.Add($"„{Shorten(a.Key)}“ steht mehrfach in der Liste.");
        if (referralEmail is not null && list.Contains(referralEmail, StringComparer.OrdinalIgnoreCase))
            errors.Add($"„{Shorten(referralEmail)}“ ist schon die Verweisungsadresse; eine Ausweichadresse muss eine andere sein.");
        if (errors.Count > 0) throw new InvalidFallbacks(errors);
        return list;
    }

    private static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;

    /// <summary>Coordinators: any entry; a partner: its own organisation's (another's answers 404, as if it did not exist).</summary>
    public static bool MayEdit(HttpContext http, Addresses entry)
    {
        var me = http.User.CurrentUser();
        return me.IsInRole(Roles.NetworkCoordinator, Roles.Administrator) || (me.Role == Roles.Partner && me.OrganizationId == entry.OrganizationId
            && http.User.FindFirst(NetzwerkClaims.ReferralScope) is null);
    }

    public static IEndpointRouteBuilder MapReferralFallbacks(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/directory").RequireAuthorization(Policies.SignedIn).WithTags("Verweisungsadressen");
        g.MapGet("/organizations/{id:guid}/referral-addresses", (Guid id, HttpContext http, NpgsqlDataSource ds, CancellationToken ct) => GetHandler(http, ds, id, null, ct));
        g.MapGet("/services/{id:guid}/referral-addresses", (Guid id, HttpContext http, NpgsqlDataSource ds, CancellationToken ct) => GetHandler(http, ds, null, id, ct));
        g.MapPut("/organizations/{id:guid}/referral-addresses", (Guid id, FallbacksInput input, HttpContext http, NpgsqlDataSource ds, TimeProvider clock, CancellationToken ct)
            => PutHandler(http, ds, clock, id, null, input, ct)).WithSummary("Ausweichadressen des Trägers (Reihenfolge = Reihenfolge der Zustellversuche)");
        g.MapPut("/services/{id:guid}/referral-addresses", (Guid id, FallbacksInput input, HttpContext http, NpgsqlDataSource ds, TimeProvider clock, CancellationToken ct)
            => PutHandler(http, ds, clock, null, id, input, ct)).WithSummary("Eigene Ausweichadressen eines Angebots (leer: die des Trägers gelten)");
        return app;
    }

    private static async Task<IResult> GetHandler(HttpContext http, NpgsqlDataSource ds, Guid? org, Guid? service, CancellationToken ct)
        => await GetAsync(ds, org, service, ct) is { } entry && MayEdit(http, entry) ? Results.Ok(entry) : Problems.NotFound();

    private static async Task<IResult> PutHandler(HttpContext http, NpgsqlDataSource ds, TimeProvider clock, Guid? org, Guid? service, FallbacksInput input,
        CancellationToken ct)
    {
        if (await GetAsync(ds, org, service, ct) is not { } entry || !MayEdit(http, entry)) return Problems.NotFound();
        try
        {
            var me = http.User.CurrentUser();
            return Results.Ok(await SaveAsync(ds, entry, input.Fallbacks, me.Id, me.Role == Roles.Partner ? "partner" : "pflege", clock.GetUtcNow(), ct));
        }
        catch (InvalidFallbacks e)
        {
            return Problems.Unprocessable(string.Join(" ", e.Errors), new Dictionary<string, string[]> { ["fallbacks"] = e.Errors.ToArray() });
        }
    }
}

/// <summary>The German reasons a list of fallback addresses was refused (a 422 in the API, field errors on the page).</summary>
public sealed class InvalidFallbacks(IReadOnlyList<string> errors) : Exception("invalid fallback addresses")
{
    public IReadOnlyList<string> Errors { get; } = errors;
}
