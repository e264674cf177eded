using Netzwerk.Referrals.Figures;

namespace Netzwerk.Tests.Referrals.Figures;

/// <summary>
/// Protection of small groups, as an attacker would try it: every published cell and every line (total = Σ parts) is
/// an equation; a hidden cell is disclosed when those equations fix its value. The attacker below solves them exactly
/// (Gaussian elimination over the rationals) — no hidden cell may come out determined.
/// </summary>
public sealed class SmallCellsTests
{
    [Fact]
    public void Counts_below_five_are_hidden_and_zero_and_five_are_shown()
    {
        var c = new SmallCells();
        c.Cell("a", 4); c.Cell("b", 5); c.Cell("z", 0); c.Cell("one", 1);
        c.Text("a").ShouldBe("< 5");
        c.Text("one").ShouldBe("< 5");
        c.Text("b").ShouldBe("5");
        c.Text("z").ShouldBe("0");
        c.Value("a").ShouldBeNull();
    }

    [Fact]
    public void A_single_hidden_row_is_not_the_total_minus_the_others()
    {
        var c = new SmallCells();
        c.Cell("total", 30); c.Cell("x", 3); c.Cell("y", 12); c.Cell("z", 15);
        c.Line("total", ["x", "y", "z"]);
        c.IsHidden("x").ShouldBeTrue();
        c.IsHidden("y").ShouldBeTrue("the smallest other row is hidden with it");
        c.IsHidden("z").ShouldBeFalse();
        Disclosed(c).ShouldBeEmpty();
    }

    [Fact]
    public void A_hidden_total_with_one_part_hides_the_part()
    {
        var c = new SmallCells();
        c.Cell("total", 3); c.Cell("x", 3); c.Cell("y", 0);
        c.Line("total", ["x", "y"]);
        c.IsHidden("total").ShouldBeTrue();
        c.IsHidden("x").ShouldBeTrue();
        Disclosed(c).ShouldBeEmpty();
    }

    [Fact]
    public void A_derived_difference_below_five_is_protected_too()
    {
        // sent 20, accepted 18: the 2 not accepted are a group of two people, although no table prints that cell.
        var c = new SmallCells();
        c.Cell("sent", 20); c.Cell("accepted", 18); c.Cell("notAccepted", 2);
        c.Line("sent", ["accepted", "notAccepted"]);
        (c.IsHidden("sent") || c.IsHidden("accepted")).ShouldBeTrue();
        Disclosed(c).ShouldBeEmpty();
    }

    [Fact]
    public void A_forced_cell_spreads_over_its_lines()
    {
        var c = new SmallCells();
        c.Cell("total", 40); c.Cell("x", 20); c.Cell("y", 20);
        c.Line("total", ["x", "y"]);
        c.IsHidden("total").ShouldBeFalse();
        c.Force("total");
        c.IsHidden("total").ShouldBeTrue();
        c.IsHidden("x").ShouldBeTrue("x alone would give the total away with y");
        Disclosed(c).ShouldBeEmpty();
    }

    [Fact]
    public void Random_tables_with_margins_never_disclose_a_hidden_cell()
    {
        var rng = new Random(18);
        for (var round = 0; round < 400; round++)
        {
            var rows = rng.Next(1, 6);
            var cols = rng.Next(1, 5);
            var c = new SmallCells();
            var v = new long[rows, cols];
            for (var i = 0; i < rows; i++)
                for (var j = 0; j < cols; j++)
                {
                    v[i, j] = rng.Next(4) switch { 0 => 0, 1 => rng.Next(1, 5), _ => rng.Next(5, 40) };
                    c.Cell($"{i}:{j}", v[i, j]);
                }
            for (var i = 0; i < rows; i++)
            {
                var ii = i;
                c.Cell($"{i}:T", Enumerable.Range(0, cols).Sum(j => v[ii, j]));
                c.Line($"{i}:T", Enumerable.Range(0, cols).Select(j => $"{ii}:{j}"));
            }
            for (var j = 0; j < cols; j++)
            {
                var jj = j;
                c.Cell($"T:{j}", Enumerable.Range(0, rows).Sum(i => v[i, jj]));
                c.Line($"T:{j}", Enumerable.Range(0, rows).Select(i => $"{i}:{jj}"));
            }
            c.Cell("T:T", Enumerable.Range(0, rows).Sum(i => c[$"{i}:T"]));
            c.Line("T:T", Enumerable.Range(0, rows).Select(i => $"{i}:T"));
            c.Line("T:T", Enumerable.Range(0, cols).Select(j => $"T:{j}"));

            foreach (var key in c.Keys.Where(k => c[k] is > 0 and < SmallCells.Threshold)) c.IsHidden(key).ShouldBeTrue(key);
            Disclosed(c).ShouldBeEmpty($"round {round}");
        }
    }

    [Fact]
    public void Random_funnels_with_reasons_never_disclose_a_hidden_cell()
    {
        var rng = new Random(7);
        for (var round = 0; round < 400; round++)
        {
            var c = new SmallCells();
            // stage k = open_k + Σ drop_k,r + stage k+1 (as FiguresReports builds them)
            long next = rng.Next(0, 30);
            c.Cell("S4", next);
            for (var k = 3; k >= 1; k--)
            {
                var parts = new List<string> { $"S{k + 1}" };
                long sum = next;
                for (var r = 0; r < rng.Next(0, 4); r++)
                {
                    var n = rng.Next(3) == 0 ? rng.Next(1, 5) : rng.Next(0, 20);
                    c.Cell($"d{k}:{r}", n); parts.Add($"d{k}:{r}"); sum += n;
                }
                var open = rng.Next(0, 8);
                c.Cell($"o{k}", open); parts.Add($"o{k}"); sum += open;
                c.Cell($"S{k}", sum);
                c.Line($"S{k}", parts);
                next = sum;
            }
            Disclosed(c).ShouldBeEmpty($"round {round}");
        }
    }

    /// <summary>The hidden cells whose value the published cells and the lines determine.</summary>
    private static List<string> Disclosed(SmallCells c)
    {
        var keys = c.Keys.ToList();
        var unknown = keys.Where(c.IsHidden).ToList();
        if (unknown.Count == 0) return [];
        var col = unknown.Select((k, i) => (k, i)).ToDictionary(x => x.k, x => x.i);
        // Each line: total - Σ parts = 0, over the unknowns only (published values move to the right-hand side, irrelevant
        // for whether a value is determined). A cell is determined iff its unit vector lies in the row space.
        var lines = LinesOf(c);
        var matrix = new List<double[]>();
        foreach (var (total, parts) in lines)
        {
            var row = new double[unknown.Count];
            if (col.TryGetValue(total, out var t)) row[t] += 1;
            foreach (var p in parts) if (col.TryGetValue(p, out var pi)) row[pi] -= 1;
            if (row.Any(x => x != 0)) matrix.Add(row);
        }
        var basis = Reduce(matrix, unknown.Count);
        return unknown.Where(k =>
        {
            var e = new double[unknown.Count];
            e[col[k]] = 1;
            return Reduce([.. basis, e], unknown.Count).Count == basis.Count;
        }).ToList();
    }

    private static List<(string Total, string[] Parts)> LinesOf(SmallCells c)
    {
        var field = typeof(SmallCells).GetField("_lines", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!;
        var index = (Dictionary<string, int>)typeof(SmallCells).GetField("_index", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(c)!;
        var byIndex = index.ToDictionary(x => x.Value, x => x.Key);
        return ((List<(int Total, int[] Parts)>)field.GetValue(c)!).Select(l => (byIndex[l.Total], l.Parts.Select(p => byIndex[p]).ToArray())).ToList();
    }

    private static List<double[]> Reduce(List<double[]> rows, int n)
    {
        var m = rows.Select(r => (double[])r.Clone()).ToList();
        var basis = new List<double[]>();
        for (var colIdx = 0; colIdx < n && m.Count > 0; colIdx++)
        {
            var pivot = m.FindIndex(r => Math.Abs(r[colIdx]) > 1e-9);
            if (pivot < 0) continue;
            var p = m[pivot];
            m.RemoveAt(pivot);
            for (var i = 0; i < m.Count; i++)
            {
                var f = m[i][colIdx] / p[colIdx];
                if (f != 0) for (var j = 0; j < n; j++) m[i][j] -= f * p[j];
            }
            basis.Add(p);
        }
        return basis;
    }
}
