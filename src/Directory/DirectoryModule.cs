using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Demo;
using Netzwerk.Directory.Lookup;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Directory.Search;
using Netzwerk.Directory.Verification;
using Netzwerk.Platform;
using Netzwerk.Platform.Database;
using Npgsql;

namespace Netzwerk.Directory;

/// <summary>The partner catalogue: organisations, services, locations, search, HSDS interface.</summary>
public static class DirectoryModule
{
    public static IServiceCollection AddDirectory(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMigrations("directory", typeof(DirectoryModule).Assembly, order: 10);
        services.AddDbContext<DirectoryDbContext>((sp, o) => o.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddSingleton<SearchIndex>();
        services.AddSingleton<IServiceLookup, ServiceLookup>();
        services.AddScoped<IDemoDataSeeder, DemoCatalogueSeeder>();
        services.AddSingleton(configuration.GetSection("Directory:Search").Get<SearchSettings>() ?? new SearchSettings());
        services.AddCatalogueMaintenance();
        services.AddVerificationCampaigns(configuration);
        services.AddKeyedSingleton(PostgresCatalogueSearch.DataSourceKey, (_, _) =>
            DatabaseSetup.CreateDataSource(DatabaseSetup.ConnectionString(configuration), PostgresCatalogueSearch.SessionOptions));
        services.AddSingleton<PostgresCatalogueSearch>();
        services.AddSingleton<ICatalogueSearch>(sp => sp.GetRequiredService<PostgresCatalogueSearch>());
        return services;
    }

    public static IEndpointRouteBuilder MapDirectory(this IEndpointRouteBuilder app)
    {
        app.MapCatalogueMaintenanceApis();
        app.MapVerificationCampaigns();
        ReferralAddresses.ReferralFallbacks.MapReferralFallbacks(app);
        app.MapGroup("/api/directory").WithTags("Katalog").MapCatalogueSearch();
        return app;
    }
}
