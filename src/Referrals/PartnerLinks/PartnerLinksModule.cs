using MassTransit;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Messaging;

namespace Netzwerk.Referrals.PartnerLinks;

/// <summary>Access links for partners without an account: one link per referral, issued when it is sent.</summary>
public static class PartnerLinksModule
{
    public static IServiceCollection AddPartnerLinks(this IServiceCollection services, IConfiguration configuration)
    {
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
        return services;
    }

    public static void AddPartnerLinkConsumers(this IBusRegistrationConfigurator bus)
    {
        // Retries with pauses for a database that is briefly away; the mail itself is retried by the mail outbox.
        bus.AddConsumer<IssueAccessLinkOnReferralSent>((_, c) =>
        {
            c.UseMessageRetry(MessageRetry.WhileDatabaseAway);
            c.UseMessageRetry(MessageRetry.Quick);
        });
        bus.AddConsumer<RevokeAccessLinksOnAccessEnded>((_, c) =>
        {
            c.UseMessageRetry(MessageRetry.WhileDatabaseAway);
            c.UseMessageRetry(MessageRetry.Quick);
        });
    }
}
