using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Directory.Search;

/// <summary><c>GET /api/directory/search</c>: for signed-in staff and partners (the public interface is /hsds).</summary>
public static class SearchEndpoint
{
    public static RouteGroupBuilder MapCatalogueSearch(this RouteGroupBuilder group)
    {
        group.MapGet("/search", SearchAsync)
            // Staff (every job-centre role) or partner: any role claim of ours.
            .RequireAuthorization(p => p.RequireClaim(NetzwerkClaims.Role, Roles.All))
            .WithName("SearchCatalogue")
            .WithSummary("Angebote suchen (Text, Filter, Umkreis) mit Facetten")
            .Produces<SearchResult>()
            .ProducesValidationProblem();
        return group;
    }

    private static async Task<IResult> SearchAsync(HttpContext http, ICatalogueSearch search, TimeProvider time, CancellationToken ct)
    {
        var (query, errors) = await SearchQueryParser.ParseAsync(http.Request.Query,
            place => search.FindPlacesAsync(place, ct), PostgresCatalogueSearch.LocalNow(time));
        if (query is null) return Problems.Validation(errors, "Die Suchparameter sind nicht gültig.");
        return Results.Ok(await search.SearchAsync(query, ct));
    }
}
