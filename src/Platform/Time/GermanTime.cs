namespace Netzwerk.Platform.Time;

/// <summary>
/// The system clock, with German local time. Job centres count days (consent dates, expiry, absences, deadlines)
/// in Europe/Berlin, whatever zone the server runs in — servers and containers often run in UTC, where from 23:00
/// (22:00 in summer) the "today" would still be Germany's yesterday.
/// </summary>
public sealed class GermanTime : TimeProvider
{
    public static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    public static readonly GermanTime Clock = new();

    public override TimeZoneInfo LocalTimeZone => Berlin;

    /// <summary>Today's calendar day in Germany.</summary>
    public static DateOnly Today => Clock.Today();
}

public static class CalendarDay
{
    /// <summary>Today's calendar day in the clock's local zone (the app's clock is <see cref="GermanTime"/>).</summary>
    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(clock.GetLocalNow().Date);
}
