using System.Text;
using Microsoft.EntityFrameworkCore;
using Netzwerk.Referrals.Routes;

namespace Netzwerk.Referrals;

/// <summary>
/// One version of a route: how referrals to a kind of partner (optionally one organisation, service or district) run.
/// Immutable once written (the table refuses updates except <see cref="FirstUsedAt"/>); a running referral keeps
/// (<see cref="CategoryCode"/>, <see cref="Version"/>). The seven accessors below the steps are what the route was before
/// it had steps; they are computed, so callers that only need a deadline keep reading them.
/// </summary>
public sealed class ReferralRoute
{
    /// <summary>The route key (see <see cref="RouteKeys"/>): the partner kind for an unscoped route, else kind plus scope.</summary>
    public string CategoryCode { get; set; } = "";
    public int Version { get; set; }
    public string Name { get; set; } = "";
    /// <summary>Category code of the partner kind, or <c>*</c> for every kind without its own route.</summary>
    public string PartnerKind { get; set; } = "";
    public Guid? OrganizationId { get; set; }
    public Guid? ServiceId { get; set; }
    /// <summary>Landkreis or Stadt as the catalogue stores it on the service's location.</summary>
    public string? District { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset? FirstUsedAt { get; set; }

    private string _stepsJson = "[]";
    private RouteStep[]? _steps;

    /// <summary>The stored form of <see cref="Steps"/> (jsonb).</summary>
    public string StepsJson
    {
        get => _stepsJson;
        set { _stepsJson = value; _steps = null; }
    }

    /// <summary>Read once per instance: versions are cached and shared (<see cref="RouteVersions"/>).</summary>
    public IReadOnlyList<RouteStep> Steps
    {
        get => _steps ??= RouteStepJson.Read(_stepsJson);
        set { _stepsJson = RouteStepJson.Write(value); _steps = value.ToArray(); }
    }

    public string Key => CategoryCode;
    public RouteScope Scope => new(OrganizationId, ServiceId, District);

    public T? Step<T>() where T : RouteStep => Steps.OfType<T>().FirstOrDefault();

    public ConsentStep? Consent => Step<ConsentStep>();
    public ResponseStep? Response => Step<ResponseStep>();
    public ApprovalStep? Approval => Step<ApprovalStep>();
    public IReadOnlyList<IntakeQuestion> IntakeQuestions => Step<IntakeStep>()?.Questions ?? [];
    public int? AppointmentWithinWorkingDays => Step<AppointmentStep>()?.WithinWorkingDays;
    public int? AttendanceWorkingDays => Step<AttendanceStep>()?.WorkingDaysAfterAppointment;
    public int? ProgressEveryWeeks => Step<ProgressStep>()?.EveryWeeks;
    public int? GoalReviewEveryMonths => Step<GoalReviewStep>()?.EveryMonths;
    public int? CloseProposalAfterWorkingDays => Step<CloseProposalStep>()?.AfterWorkingDaysWithoutNews;

    // A stored version always has both steps (RouteValidation refuses a route without them).
    public string[] RequiredCategories => Consent?.RequiredCategories ?? [];
    public string DefaultFeedbackLevel => Consent?.DefaultFeedbackLevel ?? FeedbackLevels.Attendance;
    public int ResponseWorkingDays => Response?.ResponseWorkingDays ?? 0;
    public int[] ReminderWorkingDays => Response?.ReminderWorkingDays ?? [];
    public int EscalationWorkingDays => Response?.EscalationWorkingDays ?? 0;
    public string EscalationTarget => Response?.EscalationTarget ?? "";
    public bool ForwardingAllowed => Step<ForwardingStep>() is not null;
    /// <summary>The partner prompts switched on (none without the step).</summary>
    public PartnerPromptsStep Prompts => Step<PartnerPromptsStep>() ?? new PartnerPromptsStep(false, false, false, false);

    internal static void Configure(ModelBuilder model) => model.Entity<ReferralRoute>(e =>
    {
        e.ToTable("routes");
        e.HasKey(x => new { x.CategoryCode, x.Version });
        e.Ignore(x => x.Steps);
        // Computed from the steps; EF would otherwise take the question list for a navigation to a table of its own.
        e.Ignore(x => x.IntakeQuestions);
        e.Ignore(x => x.Consent);
        e.Ignore(x => x.Response);
        e.Ignore(x => x.Approval);
        e.Ignore(x => x.Scope);
        e.Ignore(x => x.Prompts);
        e.Property(x => x.StepsJson).HasColumnType("jsonb"); // named "steps" after the context's snake-case pass
    });
}

/// <summary>A route narrowed to one organisation, one service or one district (at most one of them).</summary>
public sealed record RouteScope(Guid? OrganizationId = null, Guid? ServiceId = null, string? District = null)
{
    public bool IsEmpty => OrganizationId is null && ServiceId is null && string.IsNullOrWhiteSpace(District);
}

/// <summary>
/// What <c>referrals.referrals.route_category</c> and <c>referrals.routes.category_code</c> hold: the route key. An unscoped
/// route's key is its partner kind (<c>schuldnerberatung</c>, <c>*</c>), as before scopes existed; a scoped one appends the
/// scope: <c>schuldnerberatung:service:{id}</c>, <c>schuldnerberatung:organization:{id}</c>,
/// <c>schuldnerberatung:district:landkreis-bautzen</c>.
/// </summary>
public static class RouteKeys
{
    public static string For(string partnerKind, RouteScope? scope) => scope switch
    {
        { ServiceId: { } s } => $"{partnerKind}:service:{s}",
        { OrganizationId: { } o } => $"{partnerKind}:organization:{o}",
        { District: { } d } when !string.IsNullOrWhiteSpace(d) => $"{partnerKind}:district:{Slug(d)}",
        _ => partnerKind,
    };

    public static string Slug(string text)
    {
        var sb = new StringBuilder();
        foreach (var ch in text.Trim().ToLowerInvariant())
        {
            var part = ch switch { 'ä' => "ae", 'ö' => "oe", 'ü' => "ue", 'ß' => "ss", _ => char.IsAsciiLetterOrDigit(ch) ? ch.ToString() : "-" };
            if (part == "-" && (sb.Length == 0 || sb[^1] == '-')) continue;
            sb.Append(part);
        }
        return sb.ToString().TrimEnd('-');
    }

    /// <summary>Most specific first: service, organisation, district, partner kind, default; lower ranks win.</summary>
    public static int Specificity(ReferralRoute r) =>
        (r.ServiceId is not null ? 0 : r.OrganizationId is not null ? 2 : r.District is not null ? 4 : 6)
        + (r.PartnerKind == RouteCatalogue.DefaultCategory ? 1 : 0);
}
