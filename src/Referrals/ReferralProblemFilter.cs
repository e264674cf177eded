using Microsoft.AspNetCore.Http;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Referrals;

/// <summary>Turns a handler's <see cref="ReferralProblem"/> into a German problem response.</summary>
public sealed class ReferralProblemFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (ReferralProblem p)
        {
            return p.Status switch
            {
                400 => Problems.Validation(p.Errors ?? new Dictionary<string, string[]>(), p.Detail),
                404 => Problems.NotFound(p.Detail),
                403 => Problems.Forbidden(p.Detail),
                409 => Problems.Conflict(p.Detail),
                _ => Problems.Unprocessable(p.Detail, p.Errors),
            };
        }
    }
}
