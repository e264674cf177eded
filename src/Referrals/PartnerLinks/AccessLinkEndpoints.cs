using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Netzwerk.Platform.Audit;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Problems;

namespace Netzwerk.Referrals.PartnerLinks;

public static class AccessLinkEndpoints
{
    public const string LinkClaim = "link";

    public static IEndpointRouteBuilder MapAccessLinks(this IEndpointRouteBuilder app)
    {
        // Opening the e-mailed link: a short partner session bound to the one referral.
        app.MapGet("/zugang/{token}", async (string token, string? antwort, HttpContext http, AccessLinks links, AuditLog audit,
            PartnerLinkSettings settings, TimeProvider clock, CancellationToken ct) =>
        {
            var remote = http.Connection.RemoteIpAddress?.ToString();
            var link = await links.OpenAsync(token, ct);
            if (link is null)
            {
                await audit.RecordAsync(new AuditEvent("sign-in", "partner-link", "unbekannt", "denied", "invalid, expired or revoked link"),
                    "anonym", "anonym", remote, ct);
                return Results.Redirect("/zugang-ungueltig");
            }
            var claims = new List<Claim>
            {
                new(NetzwerkClaims.Subject, $"link:{link.Id}"),
                new(NetzwerkClaims.Name, $"Partner (Zugangslink {link.Reference})"),
                new(NetzwerkClaims.Role, Roles.Partner),
                new(NetzwerkClaims.OrganizationId, link.OrganizationId.ToString()),
                new(NetzwerkClaims.ReferralScope, link.ReferralId.ToString()),
                new(LinkClaim, link.Id.ToString()),
                new(LinkPurposes.Claim, link.Purpose),
            };
            var now = clock.GetUtcNow();
            var expires = now.Add(settings.SessionLifetime) < link.ExpiresAt ? now.Add(settings.SessionLifetime) : link.ExpiresAt;
            // Any previous session in this browser ends: the link session is the only one.
            await http.SignOutAsync(AuthenticationSetup.CookieScheme);
            await http.SignInAsync(AuthenticationSetup.CookieScheme,
                new ClaimsPrincipal(new ClaimsIdentity(claims, AuthenticationSetup.CookieScheme, NetzwerkClaims.Name, NetzwerkClaims.Role)),
                new AuthenticationProperties { ExpiresUtc = expires, AllowRefresh = false, IsPersistent = false });
            await audit.RecordAsync(new AuditEvent("sign-in", "partner-link", link.Id.ToString(), "ok", $"referral={link.ReferralId}"),
                $"link:{link.Id}", Roles.Partner, remote, ct);
            // A prompt's link leads to what it asks for: the attendance mail's two answers to their confirmation page.
            if (link.Purpose == Lifecycle.PromptKinds.Attendance)
                return Results.Redirect(antwort is Prompts.PromptMail.Attended or Prompts.PromptMail.NotAttended
                    ? $"/partner/verweisungen/{link.ReferralId}/teilnahme?antwort={antwort}"
                    : $"/partner/verweisungen/{link.ReferralId}/teilnahme");
            // The progress request's link: the referral's page, which offers just the progress and outcome answers (LinkPurposes).
            return Results.Redirect($"/partner/verweisungen/{link.ReferralId}");
        }).AllowAnonymous().RequireRateLimiting(RateLimitPolicies.AccessLink).ExcludeFromDescription();

        app.MapPost("/api/referrals/{id:guid}/access-links/revoke", async (Guid id, HttpContext http, AccessLinks links,
            Deputies deputies, UserDirectory users, AuditLog audit, CancellationToken ct) =>
        {
            var me = http.User.CurrentUser();
            var link = await links.ForReferralAsync(id, ct);
            if (link is null || !await MayRevokeAsync(me, link, deputies, users, ct)) return Problems.NotFound();
            var revoked = await links.RevokeAsync(id, $"revoked by {me.Role}", ct);
            await audit.RecordAsync(new AuditEvent("revoke", "partner-link", link.Id.ToString(), "ok", $"referral={id};active={revoked}"), ct);
            return Results.Ok(new { revoked });
        })
        .RequireAuthorization(p => p.RequireClaim(NetzwerkClaims.Role, Roles.CaseManager, Roles.TeamLead, Roles.NetworkCoordinator, Roles.Administrator))
        .WithTags("Zugangslinks");
        return app;
    }

    private static async Task<bool> MayRevokeAsync(CurrentUser me, AccessLinks.Link link, Deputies deputies, UserDirectory users, CancellationToken ct)
    {
        if (me.IsInRole(Roles.NetworkCoordinator, Roles.Administrator)) return true;
        if (me.Role == Roles.CaseManager) return await deputies.MayActForAsync(me.Id, link.CaseManagerId, ct);
        if (me.Role == Roles.TeamLead)
            return me.Id == link.CaseManagerId || (me.Team is not null && (await users.FindAsync(link.CaseManagerId, ct))?.Team == me.Team);
        return false;
    }

    /// <summary>A link session ends as soon as its link is revoked or expires, not only at cookie expiry.</summary>
    public static async Task ValidateLinkSessionAsync(CookieValidatePrincipalContext ctx)
    {
        var linkId = ctx.Principal?.FindFirst(LinkClaim)?.Value;
        if (linkId is null) return;
        var links = ctx.HttpContext.RequestServices.GetRequiredService<AccessLinks>();
        if (!Guid.TryParse(linkId, out var id) || !await links.IsValidAsync(id, ctx.HttpContext.RequestAborted))
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(AuthenticationSetup.CookieScheme);
        }
    }
}
