using System.Globalization;

namespace Netzwerk.Platform.Wording;

/// <summary>
/// A count with its noun in the right number ("1 freier Platz", "3 freie Plätze", "1.250 Angebote"). German inflects the
/// adjective too, so callers pass the whole singular and plural phrase rather than a suffix.
/// </summary>
public static class GermanCount
{
    private static readonly CultureInfo De = CultureInfo.GetCultureInfo("de-DE");

    /// <summary>Only exactly one takes the singular; zero and every other number take the plural ("0 Tage").</summary>
    public static string Of(long count, string singular, string plural)
        => $"{count.ToString("N0", De)} {(count == 1 ? singular : plural)}";

    public static string Days(long count) => Of(count, "Tag", "Tage");
    public static string FreePlaces(long count) => Of(count, "freier Platz", "freie Plätze");
    public static string Offers(long count) => Of(count, "Angebot", "Angebote");
}
