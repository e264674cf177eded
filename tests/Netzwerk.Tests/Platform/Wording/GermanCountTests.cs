using Netzwerk.Platform.Wording;

namespace Netzwerk.Tests.Platform.Wording;

public sealed class GermanCountTests
{
    [Theory]
    [InlineData(0, "0 freie Plätze")]
    [InlineData(1, "1 freier Platz")]
    [InlineData(3, "3 freie Plätze")]
    [InlineData(1250, "1.250 freie Plätze")]
    public void Free_places_take_singular_only_for_one(long n, string expected) => GermanCount.FreePlaces(n).ShouldBe(expected);

    [Theory]
    [InlineData(1, "1 Tag")]
    [InlineData(2, "2 Tage")]
    [InlineData(0, "0 Tage")]
    public void Days(long n, string expected) => GermanCount.Days(n).ShouldBe(expected);

    [Fact]
    public void Offers_and_any_other_noun()
    {
        GermanCount.Offers(1).ShouldBe("1 Angebot");
        GermanCount.Offers(12).ShouldBe("12 Angebote");
        GermanCount.Of(1, "Rückmeldung", "Rückmeldungen").ShouldBe("1 Rückmeldung");
        GermanCount.Of(-1, "Eintrag", "Einträge").ShouldBe("-1 Einträge");
    }
}
