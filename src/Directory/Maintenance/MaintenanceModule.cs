using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Directory.Hsds;
using Netzwerk.Directory.Import;
using Netzwerk.Directory.Partner;

namespace Netzwerk.Directory.Maintenance;

/// <summary>Catalogue maintenance, partner self-service, HSDS interface, import and export (wired from DirectoryModule).</summary>
public static class MaintenanceModule
{
    public static IServiceCollection AddCatalogueMaintenance(this IServiceCollection services)
    {
        services.AddScoped<CatalogueEditor>();
        services.AddScoped<CatalogueImporter>();
        return services;
    }

    public static IEndpointRouteBuilder MapCatalogueMaintenanceApis(this IEndpointRouteBuilder app)
    {
        app.MapCatalogueMaintenance();
        app.MapPartnerListing();
        app.MapVocabulary();
        app.MapHsds();
        app.MapCatalogueImportExport();
        return app;
    }
}
