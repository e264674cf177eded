using MassTransit;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Netzwerk.Platform;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Database;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Input;
using Netzwerk.Platform.Mail;
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

        // Structured logs to the console, each line with the trace id of its request or message (Activity.Current);
        // request paths are logged as route patterns, bodies and query values never.
        services.AddSerilog((sp, log) => log
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", Serilog.Events.LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", Serilog.Events.LogEventLevel.Information)
            .MinimumLevel.Override("MassTransit", Serilog.Events.LogEventLevel.Warning)
            // The framework logs bad requests with the offending input ("Failed to bind … from 'value'");
            // our exception handler answers them and logs server errors itself, without input values.
            .MinimumLevel.Override("Microsoft.AspNetCore.Diagnostics.ExceptionHandlerMiddleware", Serilog.Events.LogEventLevel.Fatal)
            .Enrich.FromLogContext()
            .ReadFrom.Services(sp) // further sinks registered as ILogEventSink (the tests read the log this way)
            .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {TraceId}{NewLine}{Exception}"),
            // One logger per host (the tests run several in one process), not the static Log.Logger.
            preserveStaticLogger: true);

        services.AddSingleton<TimeProvider>(GermanTime.Clock);
        services.AddHttpContextAccessor();
        services.AddNetzwerkDatabase(configuration);
        // Startup tasks first: hosted services start in registration order, the bus comes later.
        services.AddHostedService<StartupTasksHostedService>();
        services.AddSingleton<AuditLog>();
        services.AddNetzwerkMail(configuration);
        services.AddNetzwerkTelemetry(configuration);
        services.AddSingleton<Deputies>();
        services.AddGermanProblems();
        services.AddInputRules();
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

        // Ready: PostgreSQL answers (AspNetCore.HealthChecks.NpgSql), every migration is applied (ours), and the bus is
        // connected (MassTransit registers "masstransit-bus" with the tag "ready" itself; it reports the connection the
        // app's consumers and publishers use, where a RabbitMQ.Client check would open a connection of its own).
        services.AddHealthChecks()
            .AddNpgSql(sp => sp.GetRequiredService<Npgsql.NpgsqlDataSource>(), name: "postgresql", tags: ["ready"])
            .AddCheck<DatabaseReadyCheck>("migrations", tags: ["ready"]);
        services.AddOpenApi();
        services.AddRazorPages(o =>
        {
            o.Conventions.AuthorizeFolder("/");
            o.Conventions.AllowAnonymousToPage("/Index");
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
        app.UseInputRules();
        app.UseAuthentication();
        app.UseSameOriginGuard();
        app.UseScopedSessionGuard();
        app.UseDeniedAccessAudit();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = c => c.Tags.Contains("ready"),
            // Each check's name and status, never exception text (it may name hosts and users).
            ResponseWriter = (ctx, report) => ctx.Response.WriteAsJsonAsync(new
            {
                status = report.Status.ToString(),
                checks = report.Entries.ToDictionary(e => e.Key, e => e.Value.Status.ToString()),
            }),
        }).AllowAnonymous();
        app.MapMailOutbox();
        app.MapNetzwerkMetrics(app.Configuration);
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

/// <summary>Ready when every migration is applied (whether PostgreSQL answers at all is the NpgSql check's).</summary>
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
            return HealthCheckResult.Unhealthy("Migrationsstand nicht lesbar.", e);
        }
    }
}
