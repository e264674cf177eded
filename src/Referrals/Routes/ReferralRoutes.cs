using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Referrals.Routes;

/// <summary>
/// The route versions running referrals keep. A version never changes once written (PUT adds a new one), so each is
/// read once per app instance instead of on every send and every routed message. A singleton per host, so every
/// database (and every test's app) has its own.
/// </summary>
public sealed class RouteVersions
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Category, int Version), ReferralRoute> _read = new();

    /// <summary>The version as written. Callers only read it: the instance is shared.</summary>
    public async Task<ReferralRoute> GetAsync(ReferralsDb db, string category, int version, CancellationToken ct)
    {
        if (_read.TryGetValue((category, version), out var route)) return route;
        route = await db.Routes.AsNoTracking().SingleAsync(r => r.CategoryCode == category && r.Version == version, ct);
        return _read.GetOrAdd((category, version), route);
    }
}

/// <summary>
/// How referrals to each kind of partner run. Versioned: PUT adds a version, running referrals keep theirs. A route may be
/// narrowed to one organisation, service or district; the most specific route that fits a service wins.
/// </summary>
public static class RouteCatalogue
{
    /// <summary>The partner kind of the route used when no category of the service has its own.</summary>
    public const string DefaultCategory = "*";

    // Compiled: every new referral asks (translating the query each time showed in the profile).
    private static readonly Func<ReferralsDb, string[], Guid, Guid, string?, IAsyncEnumerable<ReferralRoute>> RoutesFitting = EF.CompileAsyncQuery(
        (ReferralsDb db, string[] kinds, Guid service, Guid organization, string? district) => db.Routes.AsNoTracking().Where(r =>
            kinds.Contains(r.PartnerKind)
            && (r.ServiceId == null || r.ServiceId == service)
            && (r.OrganizationId == null || r.OrganizationId == organization)
            && (r.District == null || r.District == district)));

    /// <summary>The current version of the most specific route for a service: service, organisation, district, partner kind, default.</summary>
    public static async Task<ReferralRoute> CurrentForAsync(ReferralsDb db, Directory.Lookup.ServiceSummary service, CancellationToken ct)
    {
        var kinds = service.CategoryCodes.Append(DefaultCategory).ToArray();
        var candidates = new List<ReferralRoute>();
        await foreach (var route in RoutesFitting(db, kinds, service.ServiceId, service.OrganizationId, service.District).WithCancellation(ct))
            candidates.Add(route);
        return Choose(candidates, kinds) ?? throw new InvalidOperationException("No default referral route seeded.");
    }

    /// <summary>Pure part of <see cref="CurrentForAsync"/>: candidates already fit the service.</summary>
    public static ReferralRoute? Choose(IEnumerable<ReferralRoute> candidates, string[] kinds) => candidates
        .GroupBy(r => r.CategoryCode)
        .Select(g => g.MaxBy(r => r.Version)!)
        .OrderBy(RouteKeys.Specificity)
        .ThenBy(r => Array.IndexOf(kinds, r.PartnerKind))
        .FirstOrDefault();

    /// <summary>Marks the version as taken by a referral (once; versions are immutable anyway, this says since when it matters).</summary>
    public static async Task MarkUsedAsync(ReferralsDb db, ReferralRoute route, DateTimeOffset at, CancellationToken ct)
    {
        if (route.FirstUsedAt is not null) return;
        await db.Routes.Where(r => r.CategoryCode == route.CategoryCode && r.Version == route.Version && r.FirstUsedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.FirstUsedAt, at), ct);
    }

    public sealed record RouteDto(string Key, string PartnerKind, RouteScope? Scope, int Version, string Name, IReadOnlyList<RouteStep> Steps,
        DateTimeOffset CreatedAt, string CreatedBy, DateTimeOffset? FirstUsedAt)
    {
        public static RouteDto From(ReferralRoute r) => new(r.CategoryCode, r.PartnerKind, r.Scope.IsEmpty ? null : r.Scope, r.Version, r.Name,
            r.Steps, r.CreatedAt, r.CreatedBy, r.FirstUsedAt);
    }

    /// <summary>Steps are read one by one (<see cref="RouteValidation.Parse"/>) so that a wrong one is named in German.</summary>
    public sealed record PutRequest(string? Name, RouteScope? Scope, System.Text.Json.JsonElement[]? Steps);

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/routes").WithTags("Verweisungswege")
            .RequireAuthorization(Policies.Staff).AddEndpointFilter<ReferralProblemFilter>();

        group.MapGet("/", async (ReferralsDb db, bool? allVersions, CancellationToken ct) =>
        {
            var routes = await db.Routes.AsNoTracking().OrderBy(r => r.CategoryCode).ThenByDescending(r => r.Version).ToListAsync(ct);
            var shown = allVersions == true ? routes : routes.GroupBy(r => r.CategoryCode).Select(g => g.First()).ToList();
            return Results.Ok(shown.Select(RouteDto.From));
        }).WithSummary("Verweisungswege (aktuelle Versionen, mit ?allVersions=true alle)");

        group.MapGet("/{key}/versions/{version:int}", async (string key, int version, ReferralsDb db, CancellationToken ct) =>
                await FindAsync(db, key, version, ct) is { } route ? Results.Ok(RouteDto.From(route)) : NotFound())
            .WithSummary("Eine Version eines Verweisungswegs");

        group.MapGet("/{key}/versions/{version:int}/picture.svg", async (string key, int version, ReferralsDb db, CancellationToken ct) =>
                await FindAsync(db, key, version, ct) is { } route ? Results.Text(RoutePicture.Svg(route), "image/svg+xml; charset=utf-8") : NotFound())
            .WithSummary("Bild des Verweisungswegs (barrierefreies SVG)");

        group.MapPut("/{categoryCode}", async (string categoryCode, PutRequest request, ClaimsPrincipal user, ReferralsDb db,
                TimeProvider clock, Platform.Audit.AuditLog audit, CancellationToken ct) =>
            {
                var errors = new Dictionary<string, string[]>();
                var steps = RouteValidation.Parse(request.Steps, errors);
                var created = await PutAsync(db, clock, audit, user, categoryCode, request.Name, request.Scope, steps, errors, ct);
                return Results.Ok(RouteDto.From(created));
            })
            .RequireAuthorization(Policies.Coordination)
            .WithSummary("Neue Version eines Verweisungswegs anlegen (laufende Verweisungen behalten ihre Version)");
    }

    private static IResult NotFound() => Problems.NotFound("Diesen Verweisungsweg oder diese Version gibt es nicht.");

    public static Task<ReferralRoute?> FindAsync(ReferralsDb db, string key, int version, CancellationToken ct) =>
        db.Routes.AsNoTracking().SingleOrDefaultAsync(r => r.CategoryCode == key && r.Version == version, ct);

    /// <summary>Validates and writes a new version (audited); the page and the API both come through here.</summary>
    public static async Task<ReferralRoute> PutAsync(ReferralsDb db, TimeProvider clock, Platform.Audit.AuditLog audit, ClaimsPrincipal principal, string? partnerKind,
        string? name, RouteScope? scope, IReadOnlyList<RouteStep?> steps, IDictionary<string, string[]>? readErrors, CancellationToken ct)
    {
        var errors = RouteValidation.Validate(partnerKind, name, scope, steps, readErrors);
        if (errors.Count > 0) throw new ReferralProblem(400, "Bitte prüfen Sie die markierten Angaben; der Weg wurde nicht gespeichert.", errors);
        scope = scope is null || scope.IsEmpty ? null : scope with { District = string.IsNullOrWhiteSpace(scope.District) ? null : scope.District.Trim() };
        var key = RouteKeys.For(partnerKind!, scope);
        for (var attempt = 0; ; attempt++)
        {
            var latest = await db.Routes.Where(r => r.CategoryCode == key).MaxAsync(r => (int?)r.Version, ct) ?? 0;
            var route = new ReferralRoute
            {
                CategoryCode = key, Version = latest + 1, Name = name!.Trim(), PartnerKind = partnerKind!,
                OrganizationId = scope?.OrganizationId, ServiceId = scope?.ServiceId, District = scope?.District,
                Steps = steps.Select(Normalised).ToArray(), CreatedAt = clock.GetUtcNow(), CreatedBy = principal.CurrentUser().Id,
            };
            db.Routes.Add(route);
            try
            {
                await db.SaveChangesAsync(ct);
                await audit.RecordAsync(new Platform.Audit.AuditEvent("route.version", "route", $"{route.CategoryCode}/{route.Version}"), ct);
                return route;
            }
            catch (DbUpdateException e) when (attempt < 3 && e.InnerException is Npgsql.PostgresException { SqlState: "23505" })
            {
                db.ChangeTracker.Clear(); // another coordinator took that version number: take the next
            }
        }
    }

    private static RouteStep Normalised(RouteStep? step) => step switch
    {
        ConsentStep c => c with { RequiredCategories = c.RequiredCategories.Distinct().ToArray() },
        ResponseStep r => r with { ReminderWorkingDays = r.ReminderWorkingDays.Order().ToArray() },
        IntakeStep q => q with { Questions = q.Questions.Select(x => x with { Text = x.Text.Trim() }).ToArray() },
        { } s => s,
        null => throw new ArgumentNullException(nameof(step)),
    };
}

/// <summary>The routes the product ships with; the default one reproduces the behaviour before routes had steps.</summary>
public static class DefaultRoutes
{
    public static RouteStep[] Steps(string[] required, string level, bool forwarding, string target = Roles.TeamLead) =>
    [
        new ConsentStep(required, level),
        new ResponseStep(5, [3], 10, target),
        new AttendanceStep(2),
        .. forwarding ? new RouteStep[] { new ForwardingStep() } : [],
    ];

    public static ReferralRoute Standard(DateTimeOffset at) => Route(RouteCatalogue.DefaultCategory, "Standardweg", [DataCategories.Contact], FeedbackLevels.Outcome, true, at);

    public static ReferralRoute[] All(DateTimeOffset at) =>
    [
        Standard(at),
        Route("schuldnerberatung", "Schuldnerberatung", [DataCategories.Contact], FeedbackLevels.Attendance, true, at),
        Route("suchtberatung", "Suchtberatung", [DataCategories.Contact], FeedbackLevels.Attendance, false, at, Roles.NetworkCoordinator),
        Route("psychosoziale_betreuung", "Psychosoziale Betreuung", [DataCategories.Contact], FeedbackLevels.Attendance, true, at),
        Route("jugendamt", "Jugendamt / ASD", [DataCategories.Contact, DataCategories.Reason], FeedbackLevels.Outcome, false, at, Roles.NetworkCoordinator),
    ];

    private static ReferralRoute Route(string code, string name, string[] required, string level, bool forwarding, DateTimeOffset at,
        string target = Roles.TeamLead) => new()
    {
        CategoryCode = code, PartnerKind = code, Version = 1, Name = name, Steps = Steps(required, level, forwarding, target),
        CreatedAt = at, CreatedBy = "system",
    };
}

/// <summary>Seeds the default routes once (not demo data: the product needs a route for every referral).</summary>
public sealed class DefaultRoutesSeeder(IServiceProvider services) : IStartupTask
{
    public int Order => 20;

    public async Task RunAsync(CancellationToken ct)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<ReferralsDb>();
        if (await db.Routes.AnyAsync(ct)) return;
        db.Routes.AddRange(DefaultRoutes.All(DateTimeOffset.UtcNow));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: "23505" })
        {
            // another instance seeded them at the same moment
        }
    }
}
