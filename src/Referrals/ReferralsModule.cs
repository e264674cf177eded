using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Database;

namespace Netzwerk.Referrals;

/// <summary>Referrals, consents, the partner's inbox and the Fallmanager's feedback inbox.</summary>
public static class ReferralsModule
{
    public static IServiceCollection AddReferrals(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations("referrals", typeof(ReferralsModule).Assembly, order: 20);
        return services;
    }

    public static void AddReferralConsumers(this IBusRegistrationConfigurator bus)
    {
    }

    public static IEndpointRouteBuilder MapReferrals(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
