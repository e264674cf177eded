using System.Globalization;
using System.Text;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals.Lifecycle;

namespace Netzwerk.Referrals.Routes;

/// <summary>
/// A route drawn as an accessible SVG: the referral's states as boxes, the route's steps and timers written at the state they
/// belong to, and who acts. The same facts come as a list (<see cref="Facts"/>) for the page and the SVG's &lt;desc&gt;.
/// Server-rendered text only: no script, no external files.
/// </summary>
public static class RoutePicture
{
    public const string CaseManager = "Fallmanager/in";
    public const string TeamLead = "Teamleitung";
    public const string Partner = "Partner";
    public const string System = "System";

    /// <summary>A state (or the approval, which happens between two states) with what happens there.</summary>
    public sealed record Stage(string Name, bool IsStep, IReadOnlyList<Fact> Facts);

    public sealed record Fact(string Actor, string Text);

    public static IReadOnlyList<Stage> Facts(ReferralRoute route)
    {
        var stages = new List<Stage>();
        var draft = new List<Fact>();
        if (route.Consent is { } consent)
        {
            draft.Add(new(CaseManager, $"holt die Einwilligung ein für: {string.Join(", ", consent.RequiredCategories.Select(Category))}"));
            draft.Add(new(CaseManager, $"vereinbart die Rückmeldung: {FeedbackLevels.German.GetValueOrDefault(consent.DefaultFeedbackLevel, consent.DefaultFeedbackLevel)}"));
        }
        if (route.IntakeQuestions.Count > 0)
            draft.Add(new(CaseManager, route.IntakeQuestions.Count == 1 ? "beantwortet 1 Frage zur Aufnahme" : $"beantwortet {route.IntakeQuestions.Count} Fragen zur Aufnahme"));
        draft.Add(new(CaseManager, route.Approval is null ? "sendet die Verweisung" : "legt die Verweisung der Teamleitung vor"));
        stages.Add(new(ReferralStatus.German[ReferralStatus.Draft], false, draft));

        if (route.Approval is not null)
            stages.Add(new(StepKinds.Label(StepKinds.Approval), true, [new(TeamLead, "gibt die Verweisung frei, erst dann wird sie gesendet")]));

        var sent = new List<Fact>();
        if (route.Response is { } r)
        {
            var reminders = r.ReminderWorkingDays.Length switch
            {
                0 => "",
                1 => $", Erinnerung nach {r.ReminderWorkingDays[0]}",
                _ => $", Erinnerungen nach {string.Join(", ", r.ReminderWorkingDays[..^1])} und {r.ReminderWorkingDays[^1]}",
            };
            sent.Add(new(Partner, "nimmt an, lehnt ab oder setzt auf die Warteliste"));
            sent.Add(new(System, $"Antwort in {r.ResponseWorkingDays} Arbeitstagen{reminders}, Eskalation an {Target(r.EscalationTarget)} nach {r.EscalationWorkingDays}"));
        }
        if (route.ForwardingAllowed) sent.Add(new(Partner, "kann eine Weiterleitung an einen anderen Partner vorschlagen"));
        stages.Add(new(ReferralStatus.German[ReferralStatus.Requested], false, sent));

        var accepted = new List<Fact>();
        if (route.AppointmentWithinWorkingDays is { } appointment)
            accepted.Add(new(System, $"Termin erwartet innerhalb von {appointment} Arbeitstagen nach der Annahme"));
        else accepted.Add(new(Partner, "nennt einen Termin"));
        if (route.AttendanceWorkingDays is { } attendance)
            accepted.Add(new(Partner, $"bestätigt die Teilnahme {attendance} Arbeitstage nach dem Termin"));
        stages.Add(new(ReferralStatus.German[ReferralStatus.Accepted], false, accepted));

        var care = new List<Fact>();
        if (route.ProgressEveryWeeks is { } weeks)
            care.Add(new(Partner, weeks == 1 ? "berichtet jede Woche über den Verlauf" : $"berichtet alle {weeks} Wochen über den Verlauf"));
        if (route.GoalReviewEveryMonths is { } months)
            care.Add(new(CaseManager, months == 1 ? "prüft jeden Monat am Ziel aus dem Kooperationsplan" : $"prüft alle {months} Monate am Ziel aus dem Kooperationsplan"));
        if (route.CloseProposalAfterWorkingDays is { } quiet)
            care.Add(new(System, $"schlägt nach {quiet} Arbeitstagen ohne Nachricht den Abschluss vor"));
        care.Add(new(Partner, "schlägt ein Ergebnis vor"));
        stages.Add(new(ReferralStatus.German[ReferralStatus.InProgress], false, care));

        stages.Add(new($"{ReferralStatus.German[ReferralStatus.Completed]} / {ReferralStatus.German[ReferralStatus.Failed]}", false,
            [new(CaseManager, "schließt die Verweisung ab (nur sie oder er, oder die Vertretung)")]));
        return stages;
    }

    /// <summary>The states off the main path, and how a referral gets there.</summary>
    public static readonly IReadOnlyList<(string State, string From)> SidePaths =
    [
        (ReferralStatus.German[ReferralStatus.Rejected], "Partner lehnt ab"),
        (ReferralStatus.German[ReferralStatus.OnHold], "Partner setzt auf die Warteliste"),
        (ReferralStatus.German[ReferralStatus.Cancelled], "Storno oder Widerruf der Einwilligung"),
    ];

    private const int Width = 1000, WrapAt = 96, Margin = 20, BoxWidth = 230, BoxHeight = 44, Line = 18, Gap = 26, TextX = Margin + BoxWidth + 24;

    public static string Svg(ReferralRoute route)
    {
        var stages = Facts(route);
        var id = "weg-" + RouteKeys.Slug(route.CategoryCode == RouteCatalogue.DefaultCategory ? "standard" : route.CategoryCode.Replace("*", "alle")) + "-v" + route.Version;
        var body = new StringBuilder();
        var y = Margin + 40;
        for (var i = 0; i < stages.Count; i++)
        {
            var stage = stages[i];
            var lines = stage.Facts.SelectMany(f => Wrap($"{f.Actor}: {f.Text}").Select((text, n) => (Actor: n == 0 ? f.Actor : null, Text: n == 0 ? text[(f.Actor.Length + 2)..] : text))).ToList();
            var height = Math.Max(BoxHeight, lines.Count * Line + 14);
            body.Append(CultureInfo.InvariantCulture, $"""  <g class="stage">{"\n"}""");
            body.Append(CultureInfo.InvariantCulture,
                $"""    <rect x="{Margin}" y="{y}" width="{BoxWidth}" height="{height}" rx="8" fill="{(stage.IsStep ? "#fff8e1" : "#e8f0fe")}" stroke="#1a3d7c" stroke-width="1.5"{(stage.IsStep ? " stroke-dasharray=\"6 4\"" : "")}/>{"\n"}""");
            var nameLines = stage.Name.Split(" / ");
            for (var n = 0; n < nameLines.Length; n++)
                body.Append(CultureInfo.InvariantCulture,
                    $"""    <text x="{Margin + BoxWidth / 2}" y="{y + height / 2 + 5 + (n * 2 - nameLines.Length + 1) * 9}" text-anchor="middle" font-weight="bold">{E(nameLines[n] + (n < nameLines.Length - 1 ? " /" : ""))}</text>{"\n"}""");
            for (var l = 0; l < lines.Count; l++)
            {
                if (lines[l].Actor is { } actor)
                    body.Append(CultureInfo.InvariantCulture, $"""    <text x="{TextX}" y="{y + 20 + l * Line}"><tspan font-weight="bold">{E(actor)}:</tspan> {E(lines[l].Text)}</text>{"\n"}""");
                else
                    body.Append(CultureInfo.InvariantCulture, $"""    <text x="{TextX + 16}" y="{y + 20 + l * Line}">{E(lines[l].Text)}</text>{"\n"}""");
            }
            body.Append("  </g>\n");
            y += height;
            if (i < stages.Count - 1)
            {
                body.Append(CultureInfo.InvariantCulture,
                    $"""  <line x1="{Margin + BoxWidth / 2}" y1="{y}" x2="{Margin + BoxWidth / 2}" y2="{y + Gap - 2}" stroke="#1a3d7c" stroke-width="1.5" marker-end="url(#{id}-arrow)"/>{"\n"}""");
                y += Gap;
            }
        }
        y += 36;
        body.Append(CultureInfo.InvariantCulture, $"""  <text x="{Margin}" y="{y}" font-weight="bold">Nebenwege</text>{"\n"}""");
        y += 12;
        var sideWidth = (Width - 2 * Margin - 2 * 16) / 3;
        for (var i = 0; i < SidePaths.Count; i++)
        {
            var x = Margin + i * (sideWidth + 16);
            body.Append(CultureInfo.InvariantCulture,
                $"""  <rect x="{x}" y="{y}" width="{sideWidth}" height="{BoxHeight}" rx="8" fill="#f3f3f3" stroke="#555" stroke-width="1.5"/>{"\n"}""");
            body.Append(CultureInfo.InvariantCulture,
                $"""  <text x="{x + sideWidth / 2}" y="{y + 27}" text-anchor="middle" font-weight="bold">{E(SidePaths[i].State)}</text>{"\n"}""");
            body.Append(CultureInfo.InvariantCulture,
                $"""  <text x="{x + sideWidth / 2}" y="{y + BoxHeight + 18}" text-anchor="middle" font-size="12">{E(SidePaths[i].From)}</text>{"\n"}""");
        }
        var height_ = y + BoxHeight + 36;

        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {Width} {height_}" width="{Width}" height="{height_}" font-family="sans-serif" font-size="13" fill="#111">{"\n"}""");
        svg.Append(CultureInfo.InvariantCulture, $"""  <title id="{id}-title">{E(Title(route))}</title>{"\n"}""");
        svg.Append(CultureInfo.InvariantCulture, $"""  <desc id="{id}-desc">{E(Description(stages))}</desc>{"\n"}""");
        svg.Append(CultureInfo.InvariantCulture,
            $"""  <defs><marker id="{id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#1a3d7c"/></marker></defs>{"\n"}""");
        svg.Append(CultureInfo.InvariantCulture, $"""  <rect x="0" y="0" width="{Width}" height="{height_}" fill="#ffffff"/>{"\n"}""");
        svg.Append(CultureInfo.InvariantCulture, $"""  <text x="{Margin}" y="{Margin + 12}" font-size="17" font-weight="bold">{E(Title(route))}</text>{"\n"}""");
        svg.Append(body);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    public static string Title(ReferralRoute route) => $"Verweisungsweg „{route.Name}“, Version {route.Version}";

    public static string Description(IReadOnlyList<Stage> stages) =>
        string.Join(" ", stages.Select(s => $"{s.Name}: {string.Join("; ", s.Facts.Select(f => $"{f.Actor}: {f.Text}"))}."))
        + " Nebenwege: " + string.Join("; ", SidePaths.Select(p => $"{p.State} ({p.From})")) + ".";

    public static string Target(string role) => role switch
    {
        Roles.TeamLead => "Teamleitung",
        Roles.NetworkCoordinator => "Netzwerkkoordination",
        _ => role,
    };

    private static string Category(string code) => DataCategories.German.GetValueOrDefault(code, code);

    /// <summary>SVG text does not wrap by itself.</summary>
    private static IEnumerable<string> Wrap(string text)
    {
        var line = new StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > WrapAt)
            {
                yield return line.ToString();
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        if (line.Length > 0) yield return line.ToString();
    }

    // Only what XML needs: umlauts stay readable in the file.
    private static string E(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;");
}
