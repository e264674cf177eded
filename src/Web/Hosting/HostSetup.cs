using MassTransit;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Netzwerk.Platform;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Database;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Messaging;
using Netzwerk.Platform.Problems;
using Netzwerk.Platform.Time;
using Serilog;

namespace Netzwerk.Web.Hosting;

public static class HostSetup
{
    public static WebApplicationBuilder AddNetzwerkHost(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        var demo = configuration.GetSection("Demo").Get<DemoSettings>() ?? new DemoSettings();
        if (demo.Enabled && builder.Environment.IsProduction())
            throw new InvalidOperationException(
                "Der Demo-Modus (Demo__Enabled) darf in der Umgebung 'Production' nicht eingeschaltet werden.");
        services.AddSingleton(demo);

        // Structured logs to the console; request paths are logged, bodies and query values never.
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Serilog.Events.LogEventLevel.Information)
            .MinimumLevel.Override("MassTransit", Serilog.Events.LogEventLevel.Warning)
            // The framework logs bad requests with the offending input ("Failed to bind … from 'value'");
            // our exception handler answers them and logs server errors itself, without input values.
            .MinimumLevel.Override("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", Serilog.Events.LogEventLevel.Fatal)
            .Enrich.FromLogContext()
            .WriteTo.Console()
            .CreateLogger();
        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(Log.Logger, dispose: false);

        services.AddSingleton<TimeProvider>(GermanTime.Clock);
        services.AddHttpContextAccessor();
        services.AddNetzwerkDatabase(configuration);
        // Startup tasks first: hosted services start in registration order, the bus comes later.
        services.AddHostedService<StartupTasksHostedService>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<Deputies>();
        services.AddGermanProblems();
        services.AddNetzwerkAuthentication(configuration, demo.Enabled);
        services.AddNetzwerkRateLimits(configuration);
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, DeniedAccessAudit>();
        // 1 MB per request unless an endpoint raises it ([RequestSizeLimit] on evidence and import uploads).
        var maxBody = configuration.GetValue<long?>("Limits:MaxRequestBodyBytes") ?? 1_048_576;
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = maxBody);
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "netzwerk.af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.HeaderName = "X-CSRF-TOKEN";
        });
        services.Configure<ForwardedHeadersOptions>(o =>
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);

        services.AddHealthChecks()
            .AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);
        services.AddOpenApi();
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Index");
            o.Conventions.AllowAnonymousToPage("/Anmelden");
            o.Conventions.AddPageApplicationModelConvention("/Anmelden", m =>
                m.EndpointMetadata.Add(new Microsoft.AspNetCore.RateLimiting.EnableRateLimitingAttribute(RateLimits.SignIn)));
            o.Conventions.AllowAnonymousToPage("/ZugriffVerweigert");
            o.Conventions.AllowAnonymousToPage("/ZugangUngueltig");
            o.Conventions.AllowAnonymousToPage("/Fehler");
        });
        return builder;
    }

    public static IServiceCollection AddNetzwerkBus(this IServiceCollection services, IConfiguration configuration,
        Action<IBusRegistrationConfigurator> configure)
        => services.AddNetzwerkMessaging(configuration, configure);

    public static WebApplication UseNetzwerkHost(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseRequestLogging();
        app.UseSecurityHeaders();
        app.UseGermanProblems();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseScopedSessionGuard();
        app.UseDeniedAccessAudit();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        app.MapOpenApi().AllowAnonymous();
        app.UseSwaggerUI(o =>
        {
            o.SwaggerEndpoint("/openapi/v1.json", "Netzwerk API v1");
            o.RoutePrefix = "api-doku";
            o.DocumentTitle = "Netzwerk API";
        });
        return app;
    }
}

/// <summary>Ready when PostgreSQL answers and every migration is applied.</summary>
public sealed class DatabaseReadyCheck(Migrator migrator) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            return await migrator.IsUpToDateAsync(ct)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("Migrationen stehen aus.");
        }
        catch (Exception e)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL nicht erreichbar.", e);
        }
    }
}
