using Netzwerk.Platform.Time;

namespace Netzwerk.Tests.Platform.Time;

/// <summary>Deadlines count German working days: weekends and public holidays (nationwide and Saxony's) do not count.</summary>
public sealed class WorkingDaysTests
{
    [Theory]
    [InlineData(2024, 3, 31)]
    [InlineData(2025, 4, 20)]
    [InlineData(2026, 4, 5)]
    [InlineData(2027, 3, 28)]
    [InlineData(2038, 4, 25)]
    public void Easter_sunday(int year, int month, int day) => WorkingDays.EasterSunday(year).ShouldBe(new DateOnly(year, month, day));

    [Theory]
    [InlineData("2026-01-01")] [InlineData("2026-04-03")] [InlineData("2026-04-06")] [InlineData("2026-05-01")]
    [InlineData("2026-05-14")] [InlineData("2026-05-25")] [InlineData("2026-10-03")] [InlineData("2026-10-31")]
    [InlineData("2026-11-18")] [InlineData("2025-11-19")] [InlineData("2026-12-25")] [InlineData("2026-12-26")]
    public void Public_holidays(string day) => WorkingDays.IsPublicHoliday(DateOnly.Parse(day)).ShouldBeTrue();

    [Theory]
    [InlineData("2026-04-02")] [InlineData("2026-04-07")] [InlineData("2026-11-11")] [InlineData("2026-11-25")] [InlineData("2026-12-24")]
    public void Ordinary_days(string day) => WorkingDays.IsPublicHoliday(DateOnly.Parse(day)).ShouldBeFalse();

    [Theory]
    // Christmas: Thursday 24th counts; Friday 25th, the weekend and nothing else are skipped.
    [InlineData("2026-12-23T09:00:00Z", 2, "2026-12-28T09:00:00Z")]
    // Easter: Good Friday, the weekend and Easter Monday are skipped.
    [InlineData("2026-04-02T09:00:00Z", 1, "2026-04-07T09:00:00Z")]
    // Weekends: Monday + 5 = next Monday; Friday + 1 and Saturday + 1 = Monday.
    [InlineData("2026-11-23T09:00:00Z", 5, "2026-11-30T09:00:00Z")]
    [InlineData("2026-11-20T09:00:00Z", 1, "2026-11-23T09:00:00Z")]
    [InlineData("2026-11-21T09:00:00Z", 1, "2026-11-23T09:00:00Z")]
    // Buß- und Bettag (Wednesday 18 November 2026, Saxony): Monday + 5 = Tuesday.
    [InlineData("2026-11-16T09:00:00Z", 5, "2026-11-24T09:00:00Z")]
    [InlineData("2026-11-18T09:00:00Z", 10, "2026-12-02T09:00:00Z")]
    // 23:30 UTC is already the next day in Germany: the 25th (00:30 in Berlin) and the 26th are holidays there, the 27th a
    // Sunday; the first German working day is Monday the 28th, which begins at 23:00 UTC on the 27th.
    [InlineData("2026-12-24T23:30:00Z", 1, "2026-12-27T23:30:00Z")]
    public void Adding_working_days(string from, int days, string expected)
        => WorkingDays.Add(DateTimeOffset.Parse(from), days).ShouldBe(DateTimeOffset.Parse(expected));
}
