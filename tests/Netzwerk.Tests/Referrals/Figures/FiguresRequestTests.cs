using Netzwerk.Referrals.Figures;

namespace Netzwerk.Tests.Referrals.Figures;

public sealed class FiguresRequestTests
{
    private static readonly TimeProvider Clock = new Netzwerk.Tests.Referrals.ManualTimeProvider(new DateTimeOffset(2026, 8, 15, 10, 0, 0, TimeSpan.Zero));

    private static (FiguresRequest? Request, Dictionary<string, string[]> Errors) Parse(params (string Key, string Value)[] query)
    {
        var errors = new Dictionary<string, string[]>();
        var r = FiguresRequest.Parse(name => query.FirstOrDefault(q => q.Key == name).Value, Clock, errors);
        return (r, errors);
    }

    [Fact]
    public void Quarter_month_and_default_periods_with_their_previous_period()
    {
        var q = Parse(("period", "2026-q3")).Request!;
        (q.Start, q.End, q.Previous).ShouldBe((new DateOnly(2026, 7, 1), new DateOnly(2026, 10, 1), (new DateOnly(2026, 4, 1), new DateOnly(2026, 7, 1))));
        q.PeriodLabel.ShouldBe("3. Quartal 2026");
        q.PreviousLabel.ShouldBe("2. Quartal 2026");
        var m = Parse(("period", "2026-01")).Request!;
        (m.Start, m.End, m.Previous.Start).ShouldBe((new DateOnly(2026, 1, 1), new DateOnly(2026, 2, 1), new DateOnly(2025, 12, 1)));
        Parse().Request!.Period.ShouldBe("2026-Q3", "the current quarter by the app's clock");
        var days = Parse(("from", "2026-03-01"), ("to", "2026-03-10")).Request!;
        (days.Start, days.End, days.Previous.Start).ShouldBe((new DateOnly(2026, 3, 1), new DateOnly(2026, 3, 11), new DateOnly(2026, 2, 19)));
    }

    [Theory]
    [InlineData("period", "2026-Q5")]
    [InlineData("period", "2026-13")]
    [InlineData("period", "1999-Q1")]
    [InlineData("partner", "kein-guid")]
    [InlineData("by", "case_reference")]
    [InlineData("from", "0001-01-01")]
    [InlineData("district", "a\u0000b")]
    public void Bad_parameters_name_their_field(string key, string value)
    {
        var (request, errors) = Parse((key, value));
        request.ShouldBeNull();
        errors.Keys.ShouldContain(key);
    }
}
