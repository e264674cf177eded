using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity.Absences;
using Netzwerk.Platform.Identity.Oidc;
using Netzwerk.Platform.Retention;

namespace Netzwerk.Platform.Identity;

/// <summary>Sign-in (demo and the organisation's provider), who-am-I, absences with deputies, the audit viewer and retention.</summary>
public static class IdentityModule
{
    public static IServiceCollection AddIdentityFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<UserDirectory>();
        services.AddScoped<IDemoDataSeeder, DemoUserSeeder>();
        services.AddSingleton<AuditChain>();
        services.AddSingleton<AuditSearch>();
        services.AddScoped<AbsenceBook>();

        services.AddSingleton(configuration.GetSection("Retention").Get<RetentionSettings>() ?? new RetentionSettings());
        services.AddSingleton<RetentionRunner>();
        services.AddHostedService<RetentionService>();
        return services;
    }

    public static IEndpointRouteBuilder MapIdentityFeatures(this IEndpointRouteBuilder app)
    {
        app.MapDemoSignIn();
        app.MapMe();
        app.MapOidcSignIn();
        app.MapAudit();
        app.MapAbsences();
        return app;
    }
}
