namespace Netzwerk.Bench.Search;

public static class SearchBench
{
    public static Task RunAsync(string[] args)
    {
        Console.WriteLine("search benchmark not written yet");
        return Task.CompletedTask;
    }
}
