namespace Netzwerk.Bench;

/// <summary>
/// CPU time by process group from /proc (Linux): this process (the app and the benchmark's clients), PostgreSQL,
/// RabbitMQ, everything else, and the machine's busy time. On a shared 2-core machine throughput alone is noisy; the
/// CPU each part spends per unit of work is the figure that says whether a change made the work cheaper.
/// </summary>
public sealed class CpuAccount
{
    private readonly Dictionary<string, double> _seconds;
    private readonly double _machineBusy;

    private CpuAccount(Dictionary<string, double> seconds, double machineBusy) => (_seconds, _machineBusy) = (seconds, machineBusy);

    public static CpuAccount Take()
    {
        var seconds = new Dictionary<string, double> { ["app"] = 0, ["postgres"] = 0, ["rabbitmq"] = 0, ["other"] = 0 };
        if (!OperatingSystem.IsLinux()) return new CpuAccount(seconds, 0);
        var self = Environment.ProcessId.ToString();
        const double ticks = 100.0; // USER_HZ on Linux
        foreach (var dir in System.IO.Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (!pid.All(char.IsAsciiDigit)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var comm = stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')];
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var cpu = (long.Parse(fields[11]) + long.Parse(fields[12])) / ticks;
                var group = pid == self ? "app"
                    : comm is "postgres" or "postmaster" ? "postgres"
                    : comm.StartsWith("beam", StringComparison.Ordinal) || comm is "erl_child_setup" or "epmd" or "inet_gethost" ? "rabbitmq"
                    : "other";
                seconds[group] += cpu;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
            {
                // the process ended while we read it
            }
        }
        var total = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(long.Parse).ToArray();
        var busy = (total.Sum() - total[3] - total[4]) / ticks; // all but idle and iowait
        return new CpuAccount(seconds, busy);
    }

    /// <summary>"app 16.1 + postgres 9.5 + rabbitmq 2.0 + other 0.8 = 28.4 ms per lifecycle (machine busy 97%)".</summary>
    public string PerUnit(CpuAccount before, int units, string unit, double elapsedSeconds)
    {
        var n = Math.Max(1, units);
        var parts = _seconds.Select(p => (p.Key, Ms: (p.Value - before._seconds[p.Key]) * 1000 / n)).ToList();
        var busy = (_machineBusy - before._machineBusy) / elapsedSeconds / Environment.ProcessorCount * 100;
        return string.Join(" + ", parts.Select(p => $"{p.Key} {p.Ms:0.0}")) +
               $" = {parts.Sum(p => p.Ms):0.0} ms CPU per {unit} (machine busy {busy:0}% of {Environment.ProcessorCount} cores)";
    }
}
