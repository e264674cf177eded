using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Netzwerk.Directory.Catalogue;
using Netzwerk.Directory.Export;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Input;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Directory.Import;

/// <summary>
/// <c>POST /api/directory/imports?format=…&amp;dryRun=…&amp;mapping=…</c> (file as multipart "file" or raw body) and
/// <c>GET /api/directory/exports?format=hsds-json|hsds-csv</c>. Coordinators only.
/// </summary>
public static class ImportEndpoints
{
    public const long MaxUploadBytes = 20 * 1024 * 1024;

    public static IEndpointRouteBuilder MapCatalogueImportExport(this IEndpointRouteBuilder app)
    {
        var g = app.MapGroup("/api/directory").RequireAuthorization(Policies.Coordination).WithTags("Import und Export");

        g.MapPost("/imports", async (HttpContext http, CatalogueImporter importer, string? format, bool? dryRun, string? mapping, CancellationToken ct) =>
        {
            if (format is null || !ImportFormats.All.Contains(format))
                return Problems.Validation(new Dictionary<string, string[]> { ["format"] = [$"Bitte geben Sie das Format an: {string.Join(", ", ImportFormats.All)}."] });
            if (http.Request.ContentLength > MaxUploadBytes) return TooLarge();
            var sizeFeature = http.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (sizeFeature is { IsReadOnly: false }) sizeFeature.MaxRequestBodySize = MaxUploadBytes;

            using var buffer = new MemoryStream();
            if (http.Request.HasFormContentType)
            {
                IFormCollection form;
                try { form = await http.Request.ReadFormAsync(ct); }
                // A multipart body that ends early or breaks its own boundaries: the client's error, not ours.
                catch (Exception e) when (e is InvalidDataException or IOException && !ct.IsCancellationRequested)
                {
                    return Problems.Validation(new Dictionary<string, string[]> { ["file"] = ["Der Upload ist unvollständig oder beschädigt. Bitte senden Sie die Datei erneut."] });
                }
                var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
                if (file is null) return Problems.Validation(new Dictionary<string, string[]> { ["file"] = ["Bitte wählen Sie eine Datei aus."] });
                if (file.Length > MaxUploadBytes) return TooLarge();
                await file.CopyToAsync(buffer, ct);
                mapping ??= form["mapping"].FirstOrDefault();
                if (mapping is not null && !CleanText.IsClean(mapping)) return InputRules.Refusal("mapping");
            }
            else if (!await CopyLimitedAsync(http.Request.Body, buffer, ct)) return TooLarge();
            if (buffer.Length == 0) return Problems.Validation(new Dictionary<string, string[]> { ["file"] = ["Die Datei ist leer."] });
            buffer.Position = 0;

            var report = await importer.ImportAsync(format, buffer, mapping, dryRun ?? false, http.User.CurrentUser().Name, ct);
            return report.Errors.Count > 0
                ? Results.Json(report, statusCode: StatusCodes.Status422UnprocessableEntity)
                : Results.Ok(report);
        });

        g.MapGet("/exports", async (DirectoryDbContext db, string? format, bool? includeRetired, CancellationToken ct) =>
        {
            var services = await HsdsExport.ServicesAsync(db, includeRetired ?? false, ct);
            var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd");
            return format switch
            {
                null or "hsds-json" => Results.File(HsdsExport.Json(services), "application/json", $"netzwerk-katalog-hsds-{stamp}.json"),
                "hsds-csv" => Results.File(HsdsExport.CsvPackage(services), "application/zip", $"netzwerk-katalog-hsds-csv-{stamp}.zip"),
                _ => Problems.Validation(new Dictionary<string, string[]> { ["format"] = ["Bitte wählen Sie hsds-json oder hsds-csv."] }),
            };
        });
        return app;
    }

    private static IResult TooLarge() => Results.Problem(statusCode: 413, title: Problems.Titles[413],
        detail: $"Die Datei ist größer als {MaxUploadBytes / 1024 / 1024} MB.");

    private static async Task<bool> CopyLimitedAsync(Stream source, Stream target, CancellationToken ct)
    {
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(chunk, ct)) > 0)
        {
            total += read;
            if (total > MaxUploadBytes) return false;
            await target.WriteAsync(chunk.AsMemory(0, read), ct);
        }
        return true;
    }
}
