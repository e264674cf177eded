namespace Netzwerk.Platform.Time;

/// <summary>
/// Working days in Germany: Monday to Friday, except public holidays — the nationwide ones and those of Saxony, where the
/// pilot job centres are (Reformationstag, Buß- und Bettag). Days are German calendar days, whatever zone the time is in.
/// </summary>
public static class WorkingDays
{
    public static DateTimeOffset Add(DateTimeOffset from, int days)
    {
        var result = from;
        var added = 0;
        while (added < days)
        {
            result = result.AddDays(1);
            if (IsWorkingDay(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(result, GermanTime.Berlin).DateTime))) added++;
        }
        return result;
    }

    public static bool IsWorkingDay(DateOnly day) => day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && !IsPublicHoliday(day);

    public static bool IsPublicHoliday(DateOnly day)
    {
        if ((day.Month, day.Day) is (1, 1) or (5, 1) or (10, 3) or (10, 31) or (12, 25) or (12, 26)) return true;
        var easter = EasterSunday(day.Year);
        var fromEaster = day.DayNumber - easter.DayNumber;
        if (fromEaster is -2 or 1 or 39 or 50) return true; // Karfreitag, Ostermontag, Christi Himmelfahrt, Pfingstmontag
        // Buß- und Bettag: the Wednesday before 23 November.
        return day.Month == 11 && day.DayOfWeek == DayOfWeek.Wednesday && day.Day is >= 16 and <= 22;
    }

    /// <summary>Easter Sunday (Gregorian calendar; the anonymous algorithm of Meeus/Jones/Butcher).</summary>
    public static DateOnly EasterSunday(int year)
    {
        int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
        int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
        int m = (a + 11 * h + 22 * l) / 451, month = (h + l - 7 * m + 114) / 31, dayOfMonth = (h + l - 7 * m + 114) % 31 + 1;
        return new DateOnly(year, month, dayOfMonth);
    }
}
