namespace Netzwerk.Bench.Referrals;

public static class ReferralBench
{
    public static Task RunAsync(string[] args)
    {
        Console.WriteLine("referrals benchmark not written yet");
        return Task.CompletedTask;
    }
}
