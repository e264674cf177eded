using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Directory.Maintenance;

/// <summary>Coordinators keep the catalogue true: create, edit, verify, retire, history, verification list.</summary>
public static class MaintenanceEndpoints
{
    public static IEndpointRouteBuilder MapCatalogueMaintenance(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/directory").RequireAuthorization(Policies.Coordination).WithTags("Katalogpflege");

        g.MapGet("/entries", async (DirectoryDbContext db, TimeProvider time, string? q, string? status, bool? due, Guid? organizationId, int? page, int? pageSize, CancellationToken ct)
            => Results.Ok(await EntryList.QueryAsync(db, time.GetUtcNow(), q, status, due ?? false, organizationId, page ?? 1, pageSize ?? 50, ct)));

        g.MapGet("/verification-due", async (DirectoryDbContext db, TimeProvider time, int? page, int? pageSize, CancellationToken ct)
            => Results.Ok(await EntryList.QueryAsync(db, time.GetUtcNow(), null, null, true, null, page ?? 1, pageSize ?? 50, ct)));

        g.MapPost("/organizations", async (OrganizationInput input, CatalogueEditor editor, HttpContext http, CancellationToken ct)
            => ToResult(await ServiceCommands.SaveOrganizationAsync(editor, null, input, http.User.CurrentUser(), ct), created: id => $"/api/directory/organizations/{id}"));
        g.MapPut("/organizations/{id:guid}", async (Guid id, OrganizationInput input, CatalogueEditor editor, HttpContext http, CancellationToken ct)
            => ToResult(await ServiceCommands.SaveOrganizationAsync(editor, id, input, http.User.CurrentUser(), ct)));
        g.MapGet("/organizations/{id:guid}", async (Guid id, DirectoryDbContext db, CancellationToken ct) =>
        {
            var o = await db.Organizations.Include(x => x.Phones).AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
            return o is null ? Problems.NotFound() : Results.Ok(new
            {
                o.Id, o.Name, o.AlternateName, o.Description, o.Email, o.ReferralEmail, o.Website, o.LegalStatus,
                Phone = o.Phones.FirstOrDefault()?.Number, o.CooperationAgreement, o.CooperationSince, o.CooperationNote, o.Status, o.VerifiedAt, o.VerifiedBy, o.ModifiedAt,
            });
        });
        g.MapGet("/organizations/{id:guid}/history", async (Guid id, DirectoryDbContext db, CancellationToken ct)
            => await db.Organizations.AnyAsync(o => o.Id == id, ct)
                ? Results.Ok(await CatalogueEditor.HistoryAsync(db.Database.GetDbConnection(), "organization", id, ct))
                : Problems.NotFound());

        g.MapPost("/services", async (ServiceInput input, CatalogueEditor editor, HttpContext http, CancellationToken ct)
            => ToResult(await ServiceCommands.SaveServiceAsync(editor, null, input, http.User.CurrentUser(), ChangeSource.Coordination, ct), created: id => $"/api/directory/services/{id}/entry"));
        g.MapPut("/services/{id:guid}", async (Guid id, ServiceInput input, CatalogueEditor editor, HttpContext http, CancellationToken ct)
            => ToResult(await ServiceCommands.SaveServiceAsync(editor, id, input, http.User.CurrentUser(), ChangeSource.Coordination, ct)));
        g.MapGet("/services/{id:guid}/entry", async (Guid id, CatalogueEditor editor, CancellationToken ct) =>
        {
            var s = await editor.LoadServiceAsync(id, ct);
            if (s is null) return Problems.NotFound();
            return Results.Ok(new
            {
                s.Id, Entry = CatalogueEditor.ToInput(s, await editor.TermsAsync(ct)), s.VerifiedAt, s.VerifiedBy,
                s.CapacityUpdatedAt, s.CapacityUpdatedBy, s.WaitingUpdatedAt, s.WaitingUpdatedBy, s.ModifiedAt, s.ModifiedBy,
            });
        });
        g.MapPost("/services/{id:guid}/verify", async (Guid id, CatalogueEditor editor, HttpContext http, CancellationToken ct)
            => ToResult(await ServiceCommands.VerifyAsync(editor, id, http.User.CurrentUser(), ct)));
        g.MapPost("/services/{id:guid}/retire", async (Guid id, CatalogueEditor editor, HttpContext http, CancellationToken ct)
            => ToResult(await ServiceCommands.RetireAsync(editor, id, http.User.CurrentUser(), ct)));
        g.MapGet("/services/{id:guid}/history", async (Guid id, DirectoryDbContext db, CancellationToken ct)
            => await db.Services.AnyAsync(s => s.Id == id, ct)
                ? Results.Ok(await CatalogueEditor.HistoryAsync(db.Database.GetDbConnection(), "service", id, ct))
                : Problems.NotFound());
        return app;
    }

    public static IResult ToResult(CommandResult r, Func<Guid, string>? created = null) => r.Outcome switch
    {
        CommandOutcome.Done when created is not null => Results.Created(created(r.Id!.Value), new { id = r.Id }),
        CommandOutcome.Done => Results.Ok(new { id = r.Id }),
        CommandOutcome.NotFound => Problems.NotFound(),
        CommandOutcome.Conflict => Problems.Conflict(r.Detail ?? "Die Aktion passt nicht zum aktuellen Stand."),
        _ => Problems.Validation(r.Errors!.ToDictionary()),
    };
}
