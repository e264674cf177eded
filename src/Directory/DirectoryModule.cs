using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Database;

namespace Netzwerk.Directory;

/// <summary>The partner catalogue: organisations, services, locations, search, HSDS interface.</summary>
public static class DirectoryModule
{
    public static IServiceCollection AddDirectory(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations("directory", typeof(DirectoryModule).Assembly, order: 10);
        return services;
    }

    public static IEndpointRouteBuilder MapDirectory(this IEndpointRouteBuilder app)
    {
        return app;
    }
}
