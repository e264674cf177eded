using System.Security.Claims;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform;
using Netzwerk.Platform.Identity;

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

/// <summary>How referrals to each kind of partner run. Versioned: PUT adds a version, running referrals keep theirs.</summary>
public static class RouteCatalogue
{
    /// <summary>The route used when no category of the service has its own.</summary>
    public const string DefaultCategory = "*";

    // Compiled: every new referral asks (translating the query each time showed in the profile).
    private static readonly Func<ReferralsDb, string[], IAsyncEnumerable<ReferralRoute>> RoutesOf = EF.CompileAsyncQuery(
        (ReferralsDb db, string[] codes) => db.Routes.AsNoTracking().Where(r => codes.Contains(r.CategoryCode)));

    public static async Task<ReferralRoute> CurrentForAsync(ReferralsDb db, IReadOnlyList<string> categoryCodes, CancellationToken ct)
    {
        var codes = categoryCodes.Append(DefaultCategory).ToArray();
        var candidates = new List<ReferralRoute>();
        await foreach (var route in RoutesOf(db, codes).WithCancellation(ct)) candidates.Add(route);
        return candidates
                   .GroupBy(r => r.CategoryCode)
                   .Select(g => g.MaxBy(r => r.Version)!)
                   .OrderBy(r => r.CategoryCode == DefaultCategory ? 1 : 0)
                   .ThenBy(r => Array.IndexOf(codes, r.CategoryCode))
                   .FirstOrDefault()
               ?? throw new InvalidOperationException("No default referral route seeded.");
    }


    public sealed record RouteDto(string CategoryCode, int Version, string Name, string[] RequiredCategories,
        int ResponseWorkingDays, int[] ReminderWorkingDays, int EscalationWorkingDays, string EscalationTarget,
        string DefaultFeedbackLevel, bool ForwardingAllowed, DateTimeOffset CreatedAt, string CreatedBy)
    {
        public static RouteDto From(ReferralRoute r) => new(r.CategoryCode, r.Version, r.Name, r.RequiredCategories,
            r.ResponseWorkingDays, r.ReminderWorkingDays, r.EscalationWorkingDays, r.EscalationTarget,
            r.DefaultFeedbackLevel, r.ForwardingAllowed, r.CreatedAt, r.CreatedBy);
    }

    public sealed record PutRequest(string? CategoryCode, string? Name, string[]? RequiredCategories, int ResponseWorkingDays,
        int[]? ReminderWorkingDays, int EscalationWorkingDays, string? EscalationTarget, string? DefaultFeedbackLevel, bool ForwardingAllowed);

    public sealed class PutValidator : AbstractValidator<PutRequest>
    {
        public PutValidator()
        {
            RuleFor(x => x.CategoryCode).NotEmpty().WithMessage("Bitte geben Sie die Partnerart (Kategorie-Code) an.")
                .MaximumLength(80).WithMessage("Der Kategorie-Code darf höchstens 80 Zeichen lang sein.")
                .Matches(@"^(\*|[a-z0-9][a-z0-9_-]*)$").WithMessage("Der Kategorie-Code besteht aus Kleinbuchstaben, Ziffern, Unter- und Bindestrichen.");
            RuleFor(x => x.Name).NotEmpty().WithMessage("Bitte geben Sie einen Namen an.")
                .MaximumLength(200).WithMessage("Der Name darf höchstens 200 Zeichen lang sein.");
            RuleFor(x => x.RequiredCategories).NotNull().WithMessage("Bitte geben Sie die erforderlichen Datenkategorien an (ggf. leer).");
            RuleForEach(x => x.RequiredCategories).Must(c => c is not null && DataCategories.IsKnown(c)).WithMessage("Unbekannte Datenkategorie.");
            RuleFor(x => x.ResponseWorkingDays).InclusiveBetween(1, 60).WithMessage("Die Antwortfrist muss zwischen 1 und 60 Arbeitstagen liegen.");
            RuleFor(x => x.ReminderWorkingDays).NotNull().WithMessage("Bitte geben Sie den Erinnerungsplan an (ggf. leer).")
                .Must(r => r is null || r.Length <= 10).WithMessage("Höchstens 10 Erinnerungen.");
            RuleForEach(x => x.ReminderWorkingDays).InclusiveBetween(1, 60).WithMessage("Erinnerungen zwischen 1 und 60 Arbeitstagen.");
            RuleFor(x => x.EscalationWorkingDays).InclusiveBetween(1, 90).WithMessage("Die Eskalation muss zwischen 1 und 90 Arbeitstagen liegen.")
                .GreaterThanOrEqualTo(x => x.ResponseWorkingDays).WithMessage("Die Eskalation kann nicht vor der Antwortfrist liegen.");
            RuleFor(x => x.EscalationTarget).Must(t => t is Roles.TeamLead or Roles.NetworkCoordinator)
                .WithMessage("Eskaliert wird an „Teamleitung“ oder „Netzwerkkoordination“.");
            RuleFor(x => x.DefaultFeedbackLevel).Must(l => l is not null && FeedbackLevels.IsKnown(l))
                .WithMessage("Die Rückmeldestufe muss „attendance“, „outcome“ oder „full“ sein.");
        }
    }

    public static void Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/routes").WithTags("Verweisungswege")
            .RequireAuthorization(Policies.Staff).AddEndpointFilter<ReferralProblemFilter>();

        group.MapGet("/", async (ReferralsDb db, bool? allVersions, CancellationToken ct) =>
        {
            var routes = await db.Routes.AsNoTracking().OrderBy(r => r.CategoryCode).ThenByDescending(r => r.Version).ToListAsync(ct);
            var shown = allVersions == true ? routes : routes.GroupBy(r => r.CategoryCode).Select(g => g.First()).ToList();
            return Results.Ok(shown.Select(RouteDto.From));
        }).WithSummary("Verweisungswege je Partnerart (aktuelle Versionen, mit ?allVersions=true alle)");

        group.MapPut("/{categoryCode}", async (string categoryCode, PutRequest request, ClaimsPrincipal user, ReferralsDb db,
                TimeProvider clock, Platform.Audit.AuditLog audit, CancellationToken ct) =>
            {
                var created = await PutAsync(db, clock, user, request with { CategoryCode = categoryCode }, ct);
                await audit.RecordAsync(new Platform.Audit.AuditEvent("route.version", "route", $"{created.CategoryCode}/{created.Version}"), ct);
                return Results.Ok(RouteDto.From(created));
            })
            .RequireAuthorization(Policies.Coordination)
            .WithSummary("Neue Version eines Verweisungswegs anlegen (laufende Verweisungen behalten ihre Version)");
    }

    public static async Task<ReferralRoute> PutAsync(ReferralsDb db, TimeProvider clock, ClaimsPrincipal principal, PutRequest request, CancellationToken ct)
    {
        var check = new PutValidator().Validate(request);
        if (!check.IsValid) throw ReferralProblem.Invalid(check);
        for (var attempt = 0; ; attempt++)
        {
            var latest = await db.Routes.Where(r => r.CategoryCode == request.CategoryCode).MaxAsync(r => (int?)r.Version, ct) ?? 0;
            var route = new ReferralRoute
            {
                CategoryCode = request.CategoryCode!, Version = latest + 1, Name = request.Name!.Trim(),
                RequiredCategories = request.RequiredCategories!.Distinct().ToArray(),
                ResponseWorkingDays = request.ResponseWorkingDays, ReminderWorkingDays = request.ReminderWorkingDays!.Distinct().Order().ToArray(),
                EscalationWorkingDays = request.EscalationWorkingDays, EscalationTarget = request.EscalationTarget!,
                DefaultFeedbackLevel = request.DefaultFeedbackLevel!, ForwardingAllowed = request.ForwardingAllowed,
                CreatedAt = clock.GetUtcNow(), CreatedBy = principal.CurrentUser().Id,
            };
            db.Routes.Add(route);
            try
            {
                await db.SaveChangesAsync(ct);
                return route;
            }
            catch (DbUpdateException e) when (attempt < 3 && e.InnerException is Npgsql.PostgresException { SqlState: "23505" })
            {
                db.ChangeTracker.Clear(); // another coordinator took that version number: take the next
            }
        }
    }
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
        ReferralRoute Route(string code, string name, string[] required, string level, bool forwarding, string target = Roles.TeamLead) => new()
        {
            CategoryCode = code, Version = 1, Name = name, RequiredCategories = required, ResponseWorkingDays = 5,
            ReminderWorkingDays = [3], EscalationWorkingDays = 10, EscalationTarget = target, DefaultFeedbackLevel = level,
            ForwardingAllowed = forwarding, CreatedAt = DateTimeOffset.UtcNow, CreatedBy = "system",
        };
        db.Routes.AddRange(
            Route(RouteCatalogue.DefaultCategory, "Standardweg", [DataCategories.Contact], FeedbackLevels.Outcome, true),
            Route("schuldnerberatung", "Schuldnerberatung", [DataCategories.Contact], FeedbackLevels.Attendance, true),
            Route("suchtberatung", "Suchtberatung", [DataCategories.Contact], FeedbackLevels.Attendance, false, Roles.NetworkCoordinator),
            Route("psychosoziale_betreuung", "Psychosoziale Betreuung", [DataCategories.Contact], FeedbackLevels.Attendance, true),
            Route("jugendamt", "Jugendamt / ASD", [DataCategories.Contact, DataCategories.Reason], FeedbackLevels.Outcome, false, Roles.NetworkCoordinator));
        try { await db.SaveChangesAsync(ct); }
        catch (DbUpdateException e) when (e.InnerException is Npgsql.PostgresException { SqlState: "23505" })
        {
            // another instance seeded them at the same moment
        }
    }
}
