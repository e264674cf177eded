using System.Collections;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Netzwerk.Platform.Input;

/// <summary>
/// The text rule (<see cref="CleanText"/>) for what a page binds from a form: handler arguments and [BindProperty]
/// properties, and the text properties of a bound input object one level down.
/// </summary>
public sealed class CleanFormFilter : IAsyncPageFilter
{
    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var field = context.HandlerArguments.Select(a => Unclean(a.Key, a.Value, nested: true)).FirstOrDefault(f => f is not null)
            ?? context.ActionDescriptor.BoundProperties.OfType<Microsoft.AspNetCore.Mvc.Infrastructure.IPropertyInfoParameterDescriptor>()
                .Select(p => Unclean(p.PropertyInfo.Name, p.PropertyInfo.GetValue(context.HandlerInstance), nested: true))
                .FirstOrDefault(f => f is not null);
        if (field is null)
        {
            await next();
            return;
        }
        context.Result = new Refused(InputRules.Refusal(field));
    }

    private sealed class Refused(Microsoft.AspNetCore.Http.IResult problem) : Microsoft.AspNetCore.Mvc.IActionResult
    {
        public Task ExecuteResultAsync(Microsoft.AspNetCore.Mvc.ActionContext context) => problem.ExecuteAsync(context.HttpContext);
    }

    private static string? Unclean(string name, object? value, bool nested) => value switch
    {
        null => null,
        string s => CleanText.IsClean(s) ? null : name,
        IEnumerable<string?> list => list.Any(s => s is not null && !CleanText.IsClean(s)) ? name : null,
        IEnumerable or { } when value.GetType().IsValueType => null,
        _ when nested => value.GetType().GetProperties()
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0 && (p.PropertyType == typeof(string) || typeof(IEnumerable<string>).IsAssignableFrom(p.PropertyType)))
            .Select(p => Unclean($"{name}.{p.Name}", p.GetValue(value), nested: false))
            .FirstOrDefault(f => f is not null),
        _ => null,
    };
}
