using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Directory.Verification;

public sealed record VerifyBatchInput(List<Guid>? ServiceIds);

public static class CampaignModule
{
    public static IServiceCollection AddVerificationCampaigns(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection("Directory:Campaigns").Get<CampaignSettings>() ?? new CampaignSettings();
        if (configuration["PublicBaseUrl"] is { Length: > 0 } baseUrl) settings.PublicBaseUrl = baseUrl;
        services.AddSingleton(settings);
        services.AddScoped<Campaigns>();
        services.AddHostedService<CampaignReminders>();
        return services;
    }

    /// <summary>
    /// Coordinator API (<c>/api/directory/campaigns</c>) and the partner's answer through its link
    /// (<c>/api/pruefung/{token}</c>, anonymous; the token is the only key and opens one organisation's entries).
    /// </summary>
    public static IEndpointRouteBuilder MapVerificationCampaigns(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/directory/campaigns").RequireAuthorization(Policies.Coordination).WithTags("Prüfaktionen");
        g.MapPost("/", async (CampaignInput input, Campaigns campaigns, HttpContext http, CancellationToken ct)
            => MaintenanceEndpoints.ToResult(await campaigns.CreateAsync(input, http.User.CurrentUser(), ct), id => $"/api/directory/campaigns/{id}"))
            .WithSummary("Prüfaktion anlegen: Auswahl (faellig, kategorie, landkreis, traeger, alle) → eine E-Mail je Partner");
        g.MapGet("/", async (Campaigns campaigns, CancellationToken ct)
            => Results.Ok((await campaigns.ListAsync(ct)).Select(c => new { c.Id, c.Title, c.Selection, c.CreatedAt, c.Partners, c.Answered })));
        g.MapGet("/{id:guid}", async (Guid id, Campaigns campaigns, CancellationToken ct)
            => await campaigns.GetAsync(id, ct) is { } c ? Results.Ok(c) : Problems.NotFound());
        g.MapPost("/{id:guid}/entries/{serviceId:guid}/review", async (Guid id, Guid serviceId, ReviewInput input, Campaigns campaigns, HttpContext http, CancellationToken ct)
            => MaintenanceEndpoints.ToResult(await campaigns.ReviewAsync(id, serviceId, input, http.User.CurrentUser(), ct)))
            .WithSummary("Änderungen des Partners feldweise übernehmen (acceptedFields); der Eintrag gilt dann als vom Partner geprüft");
        g.MapPost("/{id:guid}/requests/{requestId:guid}/phone", async (Guid id, Guid requestId, Campaigns campaigns, HttpContext http, CancellationToken ct)
            => MaintenanceEndpoints.ToResult(await campaigns.ConfirmByPhoneAsync(id, requestId, http.User.CurrentUser(), ct)))
            .WithSummary("Partner telefonisch erreicht: seine offenen Einträge gelten als unverändert geprüft (wie: telefon)");
        app.MapPost("/api/directory/services/{id:guid}/confirm", async (Guid id, Campaigns campaigns, HttpContext http, CancellationToken ct)
            => MaintenanceEndpoints.ToResult(await campaigns.ConfirmInPortalAsync(id, http.User.CurrentUser(), ct)))
            .RequireAuthorization(Policies.Partner).WithTags("Partner-Angebote")
            .WithSummary("Eigenes Angebot unverändert bestätigen (wie: portal)");

        app.MapPost("/api/directory/services/verify-batch", async (VerifyBatchInput input, CatalogueEditor editor, HttpContext http, CancellationToken ct) =>
            {
                var r = await ServiceCommands.VerifyBatchAsync(editor, input.ServiceIds, http.User.CurrentUser(), ct);
                return r.Outcome == CommandOutcome.Done ? Results.Ok(new { verified = int.Parse(r.Detail!) }) : MaintenanceEndpoints.ToResult(r);
            })
            .RequireAuthorization(Policies.Coordination).WithTags("Prüfaktionen")
            .WithSummary("Einträge (z. B. eines Imports) als geprüft bestätigen (wie: import)");
        app.MapGet("/api/directory/freshness", async (Netzwerk.Directory.Catalogue.DirectoryDbContext db, TimeProvider time, CancellationToken ct)
                => Results.Ok(await Freshness.QueryAsync(db, time.GetUtcNow(), ct)))
            .RequireAuthorization(Policies.Coordination).WithTags("Prüfaktionen")
            .WithSummary("Aktualität: Anteil der in 12 Monaten geprüften Einträge, Median-Alter der freien Plätze je Kategorie und Landkreis");

        var link = app.MapGroup("/api/pruefung").AllowAnonymous().RequireRateLimiting(RateLimitPolicies.AccessLink).WithTags("Prüfaktionen (Partner-Link)");
        link.MapGet("/{token}", async (string token, Campaigns campaigns, CancellationToken ct)
            => await campaigns.OpenAsync(token, ct) is { } v ? Results.Ok(v) : Problems.NotFound());
        link.MapPost("/{token}", async (string token, List<EntryAnswer> answers, Campaigns campaigns, CancellationToken ct)
            => MaintenanceEndpoints.ToResult(await campaigns.AnswerAsync(token, answers ?? [], ct)));
        return app;
    }
}

/// <summary>Sends due reminders now and then (each instance; the guarded update makes every reminder go out once).</summary>
public sealed class CampaignReminders(IServiceScopeFactory scopes, CampaignSettings settings, ILogger<CampaignReminders> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(settings.ReminderPollInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var sent = await scope.ServiceProvider.GetRequiredService<Campaigns>().SendRemindersAsync(stoppingToken);
                if (sent > 0) log.LogInformation("Prüfaktionen: {Count} Erinnerungen eingereiht", sent);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("Prüfaktionen: Erinnerungen fehlgeschlagen ({Error})", e.GetType().Name);
            }
        }
    }
}
