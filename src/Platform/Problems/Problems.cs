using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Netzwerk.Platform.Input;

namespace Netzwerk.Platform.Problems;

/// <summary>
/// RFC 9457 problem responses in German for every error: validation, unknown ids, wrong state,
/// malformed input and unexpected failures (without a stack trace).
/// </summary>
public static class Problems
{
    public static readonly Dictionary<int, string> Titles = new()
    {
        [400] = "Die Anfrage ist fehlerhaft.",
        [401] = "Anmeldung erforderlich.",
        [403] = "Keine Berechtigung für diese Aktion.",
        [404] = "Nicht gefunden.",
        [405] = "Diese Methode ist hier nicht erlaubt.",
        [409] = "Die Aktion passt nicht zum aktuellen Stand.",
        [413] = "Die Anfrage ist zu groß.",
        [415] = "Dieses Format wird nicht unterstützt.",
        [422] = "Die Eingaben sind nicht gültig.",
        [429] = "Zu viele Anfragen. Bitte später erneut versuchen.",
        [500] = "Ein unerwarteter Fehler ist aufgetreten.",
        [503] = "Der Dienst ist vorübergehend nicht erreichbar.",
    };

    public static IResult NotFound(string detail = "Der Eintrag existiert nicht oder ist für Sie nicht sichtbar.")
        => Results.Problem(statusCode: 404, title: Titles[404], detail: detail);

    public static IResult Conflict(string detail)
        => Results.Problem(statusCode: 409, title: Titles[409], detail: detail);

    public static IResult Forbidden(string detail = "Sie dürfen diese Aktion nicht ausführen.")
        => Results.Problem(statusCode: 403, title: Titles[403], detail: detail);

    public static IResult Unprocessable(string detail, IDictionary<string, string[]>? errors = null)
        => errors is null
            ? Results.Problem(statusCode: 422, title: Titles[422], detail: detail)
            : Results.ValidationProblem(errors, detail, statusCode: 422, title: Titles[422]);

    /// <summary>Field errors (FluentValidation or hand-made) as a 400 validation problem.</summary>
    public static IResult Validation(IDictionary<string, string[]> errors, string detail = "Bitte prüfen Sie die markierten Felder.")
        => Results.ValidationProblem(errors, detail, statusCode: 400, title: Titles[400]);

    public static IResult Validation(FluentValidation.Results.ValidationResult result)
        => Validation(result.Errors
            .GroupBy(e => ToCamel(e.PropertyName))
            .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).Distinct().ToArray()));

    private static string ToCamel(string name) =>
        string.IsNullOrEmpty(name) ? name : char.ToLowerInvariant(name[0]) + name[1..];

    public static IServiceCollection AddGermanProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            var status = ctx.ProblemDetails.Status ?? ctx.HttpContext.Response.StatusCode;
            // Framework-made problems carry English titles; replace them, keep our own German ones.
            if (Titles.TryGetValue(status, out var title) && (ctx.ProblemDetails.Title is null || IsAscii(ctx.ProblemDetails.Title) && !LooksGerman(ctx.ProblemDetails.Title)))
                ctx.ProblemDetails.Title = title;
            ctx.ProblemDetails.Type ??= $"https://netzwerk.example/probleme/{status}";
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier;
        });
        // Malformed JSON, wrong content types and oversized bodies throw instead of returning a bare 400,
        // so that the exception handler can answer with a German problem.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o => o.SerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()));
        return services;
    }

    private static bool IsAscii(string s) => s.All(c => c < 128);
    private static bool LooksGerman(string s) => s.Contains(" ist ") || s.Contains(" nicht ") || s.Contains("Bitte");

    public static IApplicationBuilder UseGermanProblems(this IApplicationBuilder app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex switch
            {
                BadHttpRequestException bad => bad.StatusCode,
                System.Text.Json.JsonException => 400,
                // A broken multipart body (or form) fails while the framework reads it.
                InvalidDataException => 400,
                UnauthorizedAccessException => 403,
                _ when Database.DatabaseFailures.IsUnavailable(ex) => 503,
                _ => 500,
            },
            ExceptionHandler = async ctx =>
            {
                var ex = ctx.Features.Get<IExceptionHandlerFeature>()?.Error;
                var status = ctx.Response.StatusCode;
                string detail = ex switch
                {
                    BadHttpRequestException { StatusCode: 413 } => "Die Anfrage überschreitet die erlaubte Größe.",
                    BadHttpRequestException { StatusCode: 415 } => "Bitte senden Sie die Daten als JSON (Content-Type: application/json).",
                    BadHttpRequestException { InnerException: InvalidInputException bad } => bad.Message,
                    BadHttpRequestException bad when bad.InnerException is System.Text.Json.JsonException
                        => "Der Inhalt ist kein gültiges JSON oder passt nicht zum erwarteten Format.",
                    InvalidDataException => "Der Inhalt (Formular oder Datei-Upload) konnte nicht gelesen werden.",
                    BadHttpRequestException bad when bad.Message.Contains("Required parameter")
                        => "Ein Pflichtparameter fehlt.",
                    BadHttpRequestException bad when bad.Message.Contains("Failed to bind parameter")
                        => "Ein Parameter hat ein ungültiges Format.",
                    BadHttpRequestException => "Die Anfrage konnte nicht gelesen werden.",
                    UnauthorizedAccessException => "Sie dürfen diese Aktion nicht ausführen.",
                    _ when status == 503 => "Die Datenbank ist vorübergehend nicht erreichbar. Bitte versuchen Sie es in einigen Sekunden erneut.",
                    _ => "Bitte versuchen Sie es erneut. Der Fehler wurde protokolliert.",
                };
                if (status == 503)
                {
                    // A database restart or failover: the request did not take effect as a whole (one transaction), so a
                    // retry is safe; tell clients and load balancers when.
                    ctx.Response.Headers.RetryAfter = "5";
                    ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Netzwerk.Errors")
                        .LogWarning("Database unavailable ({ExceptionType}) for request {TraceId}", ex?.GetType().Name, ctx.TraceIdentifier);
                }
                else if (status >= 500)
                {
                    // Log type and trace id only: exception messages may carry user input.
                    ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Netzwerk.Errors")
                        .LogError(ex, "Unhandled {ExceptionType} for request {TraceId}", ex?.GetType().Name, ctx.TraceIdentifier);
                }
                var problem = (ex as BadHttpRequestException)?.InnerException is System.Text.Json.JsonException json
                    // The body's offending field by name, like any other validation error.
                    ? new HttpValidationProblemDetails(new Dictionary<string, string[]> { [InputRules.FieldOf(json)] = [detail] })
                    : new ProblemDetails();
                problem.Status = status;
                problem.Title = Titles.GetValueOrDefault(status, Titles[400]);
                problem.Detail = detail;
                await ctx.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = ctx,
                    ProblemDetails = problem,
                });
            },
        });
        app.UseStatusCodePages();
        return app;
    }
}
