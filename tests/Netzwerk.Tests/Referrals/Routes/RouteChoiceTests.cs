using Netzwerk.Platform.Identity;
using Netzwerk.Referrals;
using Netzwerk.Referrals.Routes;
using Shouldly;
using Xunit;

namespace Netzwerk.Tests.Referrals.Routes;

/// <summary>Which route a new referral takes: the most specific that fits (service > organisation > district > kind > default).</summary>
public sealed class RouteChoiceTests
{
    private static readonly Guid Service = Guid.NewGuid(), Organization = Guid.NewGuid();

    private static ReferralRoute Route(string kind, RouteScope? scope, int version = 1) => new()
    {
        CategoryCode = RouteKeys.For(kind, scope), PartnerKind = kind, Version = version, Name = kind,
        ServiceId = scope?.ServiceId, OrganizationId = scope?.OrganizationId, District = scope?.District,
        Steps = DefaultRoutes.Steps([DataCategories.Contact], FeedbackLevels.Outcome, true),
    };

    private static readonly string[] Kinds = ["schuldnerberatung", RouteCatalogue.DefaultCategory];

    [Fact]
    public void The_most_specific_route_wins_step_by_step()
    {
        var all = new List<ReferralRoute>
        {
            Route(RouteCatalogue.DefaultCategory, null), Route("schuldnerberatung", null),
            Route("schuldnerberatung", new RouteScope(District: "Landkreis Bautzen")),
            Route("schuldnerberatung", new RouteScope(OrganizationId: Organization)),
            Route("schuldnerberatung", new RouteScope(ServiceId: Service)),
        };
        for (var expected = all.Count - 1; expected >= 0; expected--)
        {
            RouteCatalogue.Choose(all, Kinds).ShouldBeSameAs(all[expected]);
            all.RemoveAt(expected);
        }
    }

    [Fact]
    public void The_latest_version_of_a_key_is_taken_and_a_kind_beats_the_default_at_the_same_scope()
    {
        var v1 = Route("schuldnerberatung", null);
        var v2 = Route("schuldnerberatung", null, 2);
        RouteCatalogue.Choose([Route(RouteCatalogue.DefaultCategory, null, 9), v1, v2], Kinds).ShouldBeSameAs(v2);
        var districtDefault = Route(RouteCatalogue.DefaultCategory, new RouteScope(District: "Landkreis Bautzen"));
        var districtKind = Route("schuldnerberatung", new RouteScope(District: "Landkreis Bautzen"));
        RouteCatalogue.Choose([districtDefault, districtKind, v1], Kinds).ShouldBeSameAs(districtKind);
    }

    [Fact]
    public void Route_keys_say_kind_and_scope()
    {
        RouteKeys.For("schuldnerberatung", null).ShouldBe("schuldnerberatung");
        RouteKeys.For("*", new RouteScope()).ShouldBe("*");
        RouteKeys.For("schuldnerberatung", new RouteScope(District: "Landkreis Görlitz")).ShouldBe("schuldnerberatung:district:landkreis-goerlitz");
        RouteKeys.For("jugendamt", new RouteScope(ServiceId: Service)).ShouldBe($"jugendamt:service:{Service}");
        RouteKeys.For("jugendamt", new RouteScope(OrganizationId: Organization)).ShouldBe($"jugendamt:organization:{Organization}");
    }

    [Fact]
    public void The_old_accessors_read_the_steps()
    {
        var route = DefaultRoutes.Standard(DateTimeOffset.UnixEpoch);
        (route.ResponseWorkingDays, route.EscalationWorkingDays, route.EscalationTarget, route.DefaultFeedbackLevel, route.ForwardingAllowed)
            .ShouldBe((5, 10, Roles.TeamLead, FeedbackLevels.Outcome, true));
        route.ReminderWorkingDays.ShouldBe([3]);
        route.RequiredCategories.ShouldBe([DataCategories.Contact]);
        route.AttendanceWorkingDays.ShouldBe(2);
        (route.Approval, route.ProgressEveryWeeks, route.GoalReviewEveryMonths, route.CloseProposalAfterWorkingDays, route.AppointmentWithinWorkingDays)
            .ShouldBe((null, null, null, null, null));
        var sucht = DefaultRoutes.All(DateTimeOffset.UnixEpoch).Single(r => r.Key == "suchtberatung");
        (sucht.ForwardingAllowed, sucht.EscalationTarget).ShouldBe((false, Roles.NetworkCoordinator));
    }
}
