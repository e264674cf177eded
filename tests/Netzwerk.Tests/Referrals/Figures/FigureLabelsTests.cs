using Netzwerk.Referrals.Figures;

namespace Netzwerk.Tests.Referrals.Figures;

public sealed class FigureLabelsTests
{
    [Theory]
    [InlineData("team-kamenz", "Team Kamenz")]
    [InlineData("team-bautzen-nord", "Team Bautzen Nord")]
    public void Teams_read_as_words_not_as_codes(string code, string expected) => FiguresReports.TeamLabel(code).ShouldBe(expected);
}
