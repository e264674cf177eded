// Benchmarks: `deploy/bench.sh search|referrals|import|figures|loop|chaos|all`. Each prints its figures, the last line a summary.
using Netzwerk.Bench.Chaos;
using Netzwerk.Bench.Figures;
using Netzwerk.Bench.Loop;
using Netzwerk.Bench.Referrals;
using Netzwerk.Bench.Search;

var which = args.FirstOrDefault() ?? "all";
var rest = args.Skip(1).ToArray();
switch (which)
{
    case "search": await SearchBench.RunAsync(rest); break;
    case "referrals": await ReferralBench.RunAsync(rest); break;
    case "import": await ImportBench.RunAsync(rest); break;
    case "figures": await FiguresBench.RunAsync(rest); break;
    case "loop": await LoopBench.RunAsync(rest); break;
    case "chaos": await ChaosBench.RunAsync(rest); break;  // through deploy/bench.sh chaos (deploy/chaos.sh)
    case "all":
        await SearchBench.RunAsync(rest);
        await ReferralBench.RunAsync(rest);
        break;
    default:
        Console.Error.WriteLine("Aufruf: bench.sh search|referrals|import|figures|loop|chaos|all");
        return 2;
}
return 0;
