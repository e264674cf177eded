using System.Globalization;
using System.Security.Claims;
using Netzwerk.Platform.Identity;
using Netzwerk.Platform.Time;

namespace Netzwerk.Referrals.Figures;

/// <summary>
/// What a figures request asks (the same query parameters for the page, <c>/api/figures</c> and the exports): a period —
/// <c>period=2026-07</c> (month) or <c>period=2026-Q3</c> (quarter), or <c>from</c>/<c>to</c> days — filters by partner
/// kind, partner, service, district, team and target group, and the dimension of the breakdown (<c>by</c>).
/// </summary>
public sealed record FiguresRequest(string Period, DateOnly Start, DateOnly End, string? Kind, Guid? Partner, Guid? Service,
    string? District, string? Team, string? TargetGroup, string By)
{
    /// <summary>Breakdown dimensions: query name → fact column and German label.</summary>
    public static readonly IReadOnlyDictionary<string, (string Column, string Label)> Dimensions = new Dictionary<string, (string, string)>
    {
        ["kind"] = ("category", "Partnerart"),
        ["partner"] = ("organization_id::text", "Partner"),
        ["service"] = ("service_id::text", "Angebot"),
        ["district"] = ("district", "Landkreis / Bezirk"),
        ["team"] = ("team", "Team"),
        ["targetGroup"] = ("target_group", "Zielgruppe"),
    };

    /// <summary>The active filters as dimension → value (the value as the fact column holds it as text).</summary>
    public IReadOnlyDictionary<string, string> Filters => new Dictionary<string, string?>
    {
        ["kind"] = Kind, ["partner"] = Partner?.ToString(), ["service"] = Service?.ToString(), ["district"] = District, ["team"] = Team,
        ["targetGroup"] = TargetGroup,
    }.Where(x => x.Value is not null).ToDictionary(x => x.Key, x => x.Value!);

    /// <summary>The period just before, of the same length (a month, a quarter, or as many days).</summary>
    public (DateOnly Start, DateOnly End) Previous
    {
        get
        {
            if (Period.Contains('Q')) return (Start.AddMonths(-3), Start);
            if (Period.Length == 7) return (Start.AddMonths(-1), Start);
            var days = End.DayNumber - Start.DayNumber;
            return (Start.AddDays(-days), Start);
        }
    }

    public string PeriodLabel => Label(Period, Start, End);
    public string PreviousLabel => Period.Contains('Q') || Period.Length == 7
        ? Label(Period.Contains('Q') ? QuarterName(Previous.Start) : Previous.Start.ToString("yyyy-MM", CultureInfo.InvariantCulture), Previous.Start, Previous.End)
        : Label("", Previous.Start, Previous.End);

    public FiguresRequest Without(string dimension, string by) => dimension switch
    {
        "kind" => this with { Kind = null, By = by },
        "partner" => this with { Partner = null, By = by },
        "service" => this with { Service = null, By = by },
        "district" => this with { District = null, By = by },
        "team" => this with { Team = null, By = by },
        "targetGroup" => this with { TargetGroup = null, By = by },
        _ => throw new ArgumentOutOfRangeException(nameof(dimension)),
    };

    /// <summary>The query string that asks for this again (links, exports). No personal data: ids and catalogue names only.</summary>
    public string Query()
    {
        var parts = new List<string> { "period=" + Uri.EscapeDataString(Period) };
        foreach (var (k, v) in Filters) parts.Add(k + "=" + Uri.EscapeDataString(v));
        parts.Add("by=" + By);
        return string.Join("&", parts);
    }

    private static string QuarterName(DateOnly start) => $"{start.Year}-Q{(start.Month - 1) / 3 + 1}";

    private static string Label(string period, DateOnly start, DateOnly end)
    {
        var de = CultureInfo.GetCultureInfo("de-DE");
        if (period.Contains('Q')) return $"{period[^1]}. Quartal {start.Year}";
        if (period.Length == 7) return start.ToString("MMMM yyyy", de);
        return $"{start.ToString("dd.MM.yyyy", de)} – {end.AddDays(-1).ToString("dd.MM.yyyy", de)}";
    }

    private const int MaxText = 200;
    private static readonly DateOnly FirstDay = new(2000, 1, 1), LastDay = new(2099, 12, 31);
    public const string OutsideData = "Der Zeitraum muss zwischen dem 01.01.2000 und dem 31.12.2099 liegen.";

    /// <summary>Parses the query; errors name the parameter (German, for an RFC 9457 problem or the page's error summary).</summary>
    public static FiguresRequest? Parse(Func<string, string?> get, TimeProvider clock, Dictionary<string, string[]> errors)
    {
        string? Text(string name)
        {
            var v = get(name);
            if (string.IsNullOrWhiteSpace(v)) return null;
            if (v.Length > MaxText || v.Any(char.IsControl)) { errors[name] = ["Der Wert ist zu lang oder enthält Steuerzeichen."]; return null; }
            return v.Trim();
        }
        Guid? Id(string name)
        {
            var v = Text(name);
            if (v is null) return null;
            if (Guid.TryParse(v, out var g)) return g;
            errors[name] = ["Bitte eine gültige Kennung angeben."];
            return null;
        }
        DateOnly? Day(string name)
        {
            var v = Text(name);
            if (v is null) return null;
            if (!DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                errors[name] = ["Bitte ein Datum im Format JJJJ-MM-TT angeben."];
            else if (d < FirstDay || d > LastDay) errors[name] = [OutsideData];
            else return d;
            return null;
        }

        var by = Text("by") ?? "kind";
        if (!Dimensions.ContainsKey(by)) { errors["by"] = ["Unbekannte Aufschlüsselung."]; by = "kind"; }
        var from = Day("from");
        var to = Day("to");
        var periodText = Text("period");
        string period;
        DateOnly start, end;
        var today = clock.Today();
        if (periodText is not null)
        {
            if (!TryPeriod(periodText, out start, out end)) { errors["period"] = ["Bitte einen Monat (JJJJ-MM) oder ein Quartal (JJJJ-Q1 … Q4) angeben."]; return null; }
            if (start < FirstDay || end > LastDay) { errors["period"] = [OutsideData]; return null; }
            period = periodText.ToUpperInvariant();
        }
        else if (from is not null || to is not null)
        {
            start = from ?? FirstDay;
            end = (to ?? today).AddDays(1);
            if (end <= start) { errors["to"] = ["Das Ende des Zeitraums liegt vor dem Anfang."]; return null; }
            period = "";
        }
        else
        {
            start = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1);
            end = start.AddMonths(3);
            period = QuarterName(start);
        }
        var request = new FiguresRequest(period, start, end, Text("kind"), Id("partner"), Id("service"), Text("district"), Text("team"),
            Text("targetGroup"), by);
        return errors.Count > 0 ? null : request;
    }

    private static bool TryPeriod(string text, out DateOnly start, out DateOnly end)
    {
        start = end = default;
        var t = text.ToUpperInvariant();
        if (t.Length == 7 && t[4] == '-' && t[5] == 'Q' && int.TryParse(t[..4], NumberStyles.None, CultureInfo.InvariantCulture, out var y)
            && t[6] is >= '1' and <= '4' && y is >= 2000 and <= 2099)
        {
            start = new DateOnly(y, (t[6] - '1') * 3 + 1, 1);
            end = start.AddMonths(3);
            return true;
        }
        if (DateOnly.TryParseExact(t + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var m) && m.Year is >= 2000 and <= 2099)
        {
            start = m;
            end = m.AddMonths(1);
            return true;
        }
        return false;
    }
}

/// <summary>
/// Whose referrals a user's figures count: Netzwerkkoordination, Administration and Teamleitung all; a Fallmanager their
/// own; a partner account its own organisation (not an access-link session: that is for one referral). Others none.
/// </summary>
public sealed record FiguresScope(string? CaseManagerId, Guid? OrganizationId, string Label)
{
    public static FiguresScope? Of(ClaimsPrincipal principal)
    {
        if (CurrentUser.From(principal) is not { } user) return null;
        if (user.IsInRole(Roles.NetworkCoordinator, Roles.Administrator, Roles.TeamLead)) return new(null, null, "alle Verweisungen");
        if (user.IsInRole(Roles.CaseManager)) return new(user.Id, null, "Ihre eigenen Verweisungen");
        if (user.IsInRole(Roles.Partner) && user.OrganizationId is { } org && principal.FindFirst(NetzwerkClaims.ReferralScope) is null)
            return new(null, org, "Verweisungen an Ihre Organisation");
        return null;
    }
}
