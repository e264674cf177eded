using MassTransit;
using Microsoft.AspNetCore.Authentication.Cookies;
using Netzwerk.Platform;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Retention;
using Netzwerk.Web.Audit;
using Netzwerk.Web.Identity.Absences;
using Netzwerk.Web.Identity.Oidc;
using Netzwerk.Web.PartnerLinks;

namespace Netzwerk.Web.Identity;

/// <summary>Sign-in with the organisation's provider, deputies, partner access links, audit viewer and retention.</summary>
public static class IdentityModule
{
    public static IServiceCollection AddIdentityFeatures(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<UserDirectory>();
        services.AddScoped<IDemoDataSeeder, DemoUserSeeder>();
        services.AddSingleton<AuditChain>();
        services.AddSingleton<AuditSearch>();
        services.AddScoped<AbsenceBook>();

        var links = configuration.GetSection("PartnerLinks").Get<PartnerLinkSettings>() ?? new PartnerLinkSettings();
        if (configuration["PublicBaseUrl"] is { Length: > 0 } publicBaseUrl) links.PublicBaseUrl = publicBaseUrl;
        services.AddSingleton(links);
        services.AddSingleton<AccessLinks>();
        services.PostConfigure<CookieAuthenticationOptions>(AuthenticationSetup.CookieScheme, o =>
        {
            var previous = o.Events.OnValidatePrincipal;
            o.Events.OnValidatePrincipal = async ctx =>
            {
                await previous(ctx);
                await AccessLinkEndpoints.ValidateLinkSessionAsync(ctx);
            };
        });

        services.AddSingleton(configuration.GetSection("Retention").Get<RetentionSettings>() ?? new RetentionSettings());
        services.AddSingleton<RetentionRunner>();
        services.AddHostedService<RetentionService>();
        return services;
    }

    public static void AddIdentityConsumers(this IBusRegistrationConfigurator bus)
    {
        // Retries with pauses for a database that is briefly away; the mail itself is retried by the mail outbox.
        bus.AddConsumer<IssueAccessLinkOnReferralSent>((_, c) =>
            c.UseMessageRetry(r => r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2))));
        bus.AddConsumer<RevokeAccessLinksOnAccessEnded>((_, c) =>
            c.UseMessageRetry(r => r.Intervals(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30))));
    }

    public static IEndpointRouteBuilder MapIdentityFeatures(this IEndpointRouteBuilder app)
    {
        app.MapOidcSignIn();
        app.MapAudit();
        app.MapAbsences();
        app.MapAccessLinks();
        return app;
    }
}
