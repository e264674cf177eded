using System.Xml.Linq;
using Netzwerk.Platform.Identity;
using Netzwerk.Referrals;
using Netzwerk.Referrals.Routes;
using Shouldly;
using Xunit;

namespace Netzwerk.Tests.Referrals.Routes;

public sealed class RoutePictureTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void The_default_route_is_drawn_with_todays_timers_states_and_actors()
    {
        var svg = XDocument.Parse(RoutePicture.Svg(DefaultRoutes.Standard(DateTimeOffset.UnixEpoch)));
        var root = svg.Root!;
        root.Attribute("role")!.Value.ShouldBe("img");
        var labelledBy = root.Attribute("aria-labelledby")!.Value.Split(' ');
        root.Element(Svg + "title")!.Attribute("id")!.Value.ShouldBe(labelledBy[0]);
        root.Element(Svg + "desc")!.Attribute("id")!.Value.ShouldBe(labelledBy[1]);
        root.Element(Svg + "title")!.Value.ShouldBe("Verweisungsweg „Standardweg“, Version 1");
        var text = string.Join("\n", root.Descendants(Svg + "text").Select(t => t.Value));
        foreach (var state in new[] { "Entwurf", "Gesendet", "Angenommen", "In Betreuung", "Erfolgreich abgeschlossen /", "Ohne Erfolg beendet", "Abgelehnt", "Warteliste", "Storniert" })
            text.ShouldContain(state);
        text.ShouldContain("Antwort in 5 Arbeitstagen, Erinnerung nach 3, Eskalation an Teamleitung nach 10");
        text.ShouldContain("bestätigt die Teilnahme 2 Arbeitstage nach dem Termin");
        foreach (var actor in new[] { "Fallmanager/in:", "Partner:", "System:" }) text.ShouldContain(actor);
        text.ShouldNotContain("Freigabe durch Teamleitung");
        root.Element(Svg + "desc")!.Value.ShouldContain("Antwort in 5 Arbeitstagen");
        root.Descendants().ShouldNotContain(e => e.Name.LocalName == "script" || e.Name.LocalName == "image" || e.Name.LocalName == "foreignObject");
    }

    [Fact]
    public void Every_step_is_annotated_at_its_state()
    {
        var route = new ReferralRoute
        {
            CategoryCode = "schuldnerberatung", PartnerKind = "schuldnerberatung", Version = 3, Name = "Schulden <&> Zuweisung",
            Steps =
            [
                new ConsentStep([DataCategories.Contact, DataCategories.Reason], FeedbackLevels.Full), new ApprovalStep(),
                new IntakeStep([new IntakeQuestion("a", "Frage?", true, DataCategories.Reason), new IntakeQuestion("b", "Noch eine?", false, DataCategories.Contact)]),
                new ResponseStep(7, [2, 5], 12, Roles.NetworkCoordinator), new AppointmentStep(10), new AttendanceStep(3),
                new ProgressStep(2), new GoalReviewStep(6), new CloseProposalStep(40),
            ],
        };
        var stages = RoutePicture.Facts(route);
        stages.Select(s => s.Name).ShouldBe(["Entwurf", "Freigabe durch Teamleitung", "Gesendet", "Angenommen", "In Betreuung",
            "Erfolgreich abgeschlossen / Ohne Erfolg beendet"]);
        string At(string stage) => string.Join(" | ", stages.Single(s => s.Name == stage).Facts.Select(f => $"{f.Actor}: {f.Text}"));
        At("Entwurf").ShouldContain("Fallmanager/in: beantwortet 2 Fragen zur Aufnahme");
        At("Entwurf").ShouldContain("legt die Verweisung der Teamleitung vor");
        At("Freigabe durch Teamleitung").ShouldStartWith("Teamleitung:");
        At("Gesendet").ShouldContain("Antwort in 7 Arbeitstagen, Erinnerungen nach 2 und 5, Eskalation an Netzwerkkoordination nach 12");
        At("Gesendet").ShouldNotContain("Weiterleitung");
        At("Angenommen").ShouldContain("System: Termin erwartet innerhalb von 10 Arbeitstagen");
        At("Angenommen").ShouldContain("3 Arbeitstage nach dem Termin");
        At("In Betreuung").ShouldContain("Partner: berichtet alle 2 Wochen");
        At("In Betreuung").ShouldContain("Fallmanager/in: prüft alle 6 Monate am Ziel aus dem Kooperationsplan");
        At("In Betreuung").ShouldContain("System: schlägt nach 40 Arbeitstagen ohne Nachricht den Abschluss vor");

        var svg = XDocument.Parse(RoutePicture.Svg(route)); // the name is escaped: the document still parses
        svg.Root!.Element(Svg + "title")!.Value.ShouldBe("Verweisungsweg „Schulden <&> Zuweisung“, Version 3");
        svg.Root.Descendants(Svg + "rect").ShouldContain(r => r.Attribute("stroke-dasharray") != null); // the approval is a step, not a state
    }

    /// <summary>
    /// docs/standardweg.svg (shown in the README) is the default route's picture. Stale → this fails; regenerate with
    /// <c>NZ_REGENERATE_DOCS=1 deploy/test.sh --filter "FullyQualifiedName~RoutePictureTests"</c>.
    /// </summary>
    [Fact]
    public void The_readme_picture_is_the_default_routes_current_picture()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "standardweg.svg");
        var expected = RoutePicture.Svg(DefaultRoutes.Standard(DateTimeOffset.UnixEpoch));
        if (Environment.GetEnvironmentVariable("NZ_REGENERATE_DOCS") == "1")
        {
            System.IO.Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, expected);
        }
        File.Exists(path).ShouldBeTrue($"{path} fehlt");
        File.ReadAllText(path).ShouldBe(expected);
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Netzwerk.sln"))) return dir.FullName;
        throw new InvalidOperationException("Netzwerk.sln not found above " + AppContext.BaseDirectory);
    }
}
