using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Netzwerk.Directory.Import;
using Netzwerk.Platform.Identity;

namespace Netzwerk.Directory.Pages.Pflege;

/// <summary>/pflege/import: upload a list (CSV, Excel, HSDS), see the dry-run preview or the row errors; export links.</summary>
[Authorize(Policy = Policies.Coordination)]
[RequestSizeLimit(ImportEndpoints.MaxUploadBytes + 64 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = ImportEndpoints.MaxUploadBytes + 64 * 1024)]
public sealed class ImportModel(CatalogueImporter importer) : PageModel
{
    public ImportReport? Report { get; private set; }
    public string Format { get; private set; } = ImportFormats.Csv;
    public string? Mapping { get; private set; }
    public string? Problem { get; private set; }

    public string? Message { get; private set; }

    public void OnGet() { }

    /// <summary>Confirms the entries of the import just written as verified (the form carries their ids).</summary>
    public async Task<IActionResult> OnPostVerifyAsync(List<Guid>? ids, [FromServices] Netzwerk.Directory.Maintenance.CatalogueEditor editor, CancellationToken ct)
    {
        var r = await Netzwerk.Directory.Maintenance.ServiceCommands.VerifyBatchAsync(editor, ids, User.CurrentUser(), ct);
        if (r.Outcome == Netzwerk.Directory.Maintenance.CommandOutcome.Done) Message = $"{r.Detail} Einträge gelten jetzt als geprüft (Importliste).";
        else { Problem = string.Join(" ", r.Errors?.Messages ?? []); Response.StatusCode = 400; }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(IFormFile? file, string? format, string? mapping, bool dryRun, CancellationToken ct)
    {
        Format = format ?? ImportFormats.Csv;
        Mapping = mapping;
        if (!ImportFormats.All.Contains(Format)) Problem = "Bitte wählen Sie ein Format.";
        else if (file is null || file.Length == 0) Problem = "Bitte wählen Sie eine Datei aus.";
        else if (file.Length > ImportEndpoints.MaxUploadBytes) Problem = $"Die Datei ist größer als {ImportEndpoints.MaxUploadBytes / 1024 / 1024} MB.";
        if (Problem is not null) { Response.StatusCode = 400; return Page(); }
        await using var stream = new MemoryStream();
        await file!.CopyToAsync(stream, ct);
        stream.Position = 0;
        Report = await importer.ImportAsync(Format, stream, mapping, dryRun, User.CurrentUser().Name, ct);
        if (Report.Errors.Count > 0) Response.StatusCode = 422;
        return Page();
    }
}
