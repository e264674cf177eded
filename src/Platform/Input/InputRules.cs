using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Netzwerk.Platform.Input;

/// <summary>
/// Hostile input is refused at the border with a German 400 that names the field, before any handler runs:
/// JSON bodies through the serializer (<see cref="CleanStringConverter"/>, <see cref="NoNullItemsConverterFactory"/>,
/// duplicate keys), query strings and route values through <see cref="UseInputRules"/>, form fields bound by pages
/// through <see cref="CleanFormFilter"/> (after the page's own upload size limit applies).
/// </summary>
public static class InputRules
{
    public static IServiceCollection AddInputRules(this IServiceCollection services)
    {
        services.Configure<Microsoft.AspNetCore.Http.Json.JsonOptions>(o =>
        {
            o.SerializerOptions.Converters.Add(new CleanStringConverter());
            o.SerializerOptions.Converters.Add(new NoNullItemsConverterFactory());
            // {"status":"accepted","status":"cancelled"}: which one did the sender mean? Neither is taken.
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(o => o.Filters.Add(new CleanFormFilter()));
        return services;
    }

    /// <summary>After routing (route values are known, endpoint size limits are set), before authorization.</summary>
    public static IApplicationBuilder UseInputRules(this IApplicationBuilder app) => app.Use(async (http, next) =>
    {
        var field = FirstUncleanField(http.Request.Query) ?? FirstUncleanRouteValue(http);
        if (field is null)
        {
            await next(http);
            return;
        }
        await Refusal(field).ExecuteAsync(http);
    });

    public static IResult Refusal(string field) =>
        Problems.Problems.Validation(new Dictionary<string, string[]> { [field] = [CleanText.Message] });

    private static string? FirstUncleanField(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> values)
    {
        foreach (var (key, vs) in values)
        {
            if (!CleanText.IsClean(key)) return "?";
            foreach (var v in vs)
                if (v is not null && !CleanText.IsClean(v)) return key;
        }
        return null;
    }

    private static string? FirstUncleanRouteValue(HttpContext http)
    {
        foreach (var (key, value) in http.GetRouteData().Values)
            if (value is string s && !CleanText.IsClean(s)) return key;
        return null;
    }

    /// <summary>The field a body's JSON error points at ("$.openingHours[0].opens" → "openingHours[0].opens").</summary>
    public static string FieldOf(JsonException e) =>
        string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "body" : e.Path.StartsWith("$.") ? e.Path[2..] : e.Path.TrimStart('$');
}
