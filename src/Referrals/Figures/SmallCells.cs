namespace Netzwerk.Referrals.Figures;

/// <summary>
/// Protection of small groups. Every count the figures publish — shown or derivable as the difference of two shown ones —
/// is a cell; a <see cref="Line"/> says that one cell is the sum of others (a total and its rows, a funnel step and what
/// left it). Primary suppression hides every cell counting 1 to 4 people. Secondary suppression then makes sure no hidden
/// cell can be worked out by subtraction: a line holding exactly one hidden cell gets a second one (the smallest non-zero
/// part, else its total), until no line has exactly one; then the lines are solved as an attacker would (linear algebra
/// over all of them at once) and any hidden cell they still determine gets a neighbour hidden, until none is determined.
/// Zero is shown: it tells nothing about a person.
/// Cells may be forced hidden from outside (what a wider view hid must stay hidden when a filter narrows onto it).
/// </summary>
public sealed class SmallCells
{
    public const int Threshold = 5;
    public const string Hidden = "< 5";

    private readonly List<long> _values = [];
    private readonly Dictionary<string, int> _index = [];
    private readonly List<(int Total, int[] Parts)> _lines = [];
    private readonly HashSet<int> _forced = [];
    private bool[]? _suppressed;

    public long this[string key] => _index.TryGetValue(key, out var i) ? _values[i] : 0;

    /// <summary>Adds a cell (or returns it when the key is known: the same group of people is the same cell in every table).</summary>
    public void Cell(string key, long value)
    {
        if (_index.TryGetValue(key, out var i))
        {
            if (_values[i] != value) throw new InvalidOperationException($"Cell {key} counted twice with different values.");
            return;
        }
        _index[key] = _values.Count;
        _values.Add(value);
        _suppressed = null;
    }

    /// <summary>total = Σ parts. Unknown keys are cells counting 0.</summary>
    public void Line(string total, IEnumerable<string> parts)
    {
        var ps = parts.Select(Ensure).Distinct().ToArray();
        if (ps.Length == 0) return;
        _lines.Add((Ensure(total), ps));
        _suppressed = null;
    }

    public void Force(string key)
    {
        _forced.Add(Ensure(key));
        _suppressed = null;
    }

    public bool IsHidden(string key) => _index.TryGetValue(key, out var i) && Solve()[i];

    /// <summary>The cell as published: its count, or "&lt; 5".</summary>
    public string Text(string key) => IsHidden(key) ? Hidden : this[key].ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The count when it may be published, else null.</summary>
    public long? Value(string key) => IsHidden(key) ? null : this[key];

    public IEnumerable<string> Keys => _index.Keys;

    private int Ensure(string key)
    {
        if (!_index.ContainsKey(key)) Cell(key, 0);
        return _index[key];
    }

    private bool[] Solve()
    {
        if (_suppressed is not null) return _suppressed;
        var hidden = _values.Select((v, i) => v is > 0 and < Threshold || _forced.Contains(i)).ToArray();
        while (true)
        {
            SpreadOverLines(hidden);
            // Two hidden cells per line still leave combinations of lines (a 2×2 block of a table with margins, say):
            // the attacker's algebra decides. A hidden cell the published cells determine gets one more neighbour hidden.
            var determined = Determined(hidden);
            if (determined < 0) break;
            var pick = _lines.Where(l => l.Total == determined || l.Parts.Contains(determined))
                           .SelectMany(l => l.Parts.Append(l.Total)).Where(i => !hidden[i])
                           .OrderBy(i => _values[i] == 0 ? 1 : 0).ThenBy(i => _values[i]).ThenBy(i => i).Cast<int?>().FirstOrDefault()
                       ?? _lines.SelectMany(l => l.Parts.Append(l.Total)).Where(i => !hidden[i]).OrderBy(i => _values[i]).Cast<int?>().FirstOrDefault();
            if (pick is null) break; // everything hidden
            hidden[pick.Value] = true;
        }
        return _suppressed = hidden;
    }

    private void SpreadOverLines(bool[] hidden)
    {
        bool changed;
        do
        {
            changed = false;
            foreach (var (total, parts) in _lines)
            {
                if ((hidden[total] ? 1 : 0) + parts.Count(p => hidden[p]) != 1) continue;
                // The smallest visible non-zero part costs the least information; a zero hidden next to it would protect
                // nothing (zeros are published elsewhere), so then the total goes, and only failing that a zero part.
                var pick = parts.Where(p => !hidden[p] && _values[p] > 0).OrderBy(p => _values[p]).ThenBy(p => p).Cast<int?>().FirstOrDefault()
                           ?? (hidden[total] ? (int?)null : total)
                           ?? parts.Where(p => !hidden[p]).Cast<int?>().FirstOrDefault();
                if (pick is null) continue; // a line of one part equal to its total: both hidden already
                hidden[pick.Value] = true;
                changed = true;
            }
        } while (changed);
    }

    /// <summary>
    /// A hidden cell whose value follows from the lines and the published cells, or -1. Each line is an equation over the
    /// hidden cells (published ones are constants); in reduced row echelon form a cell is determined exactly when some
    /// row has no other non-zero entry.
    /// </summary>
    private int Determined(bool[] hidden)
    {
        var unknown = Enumerable.Range(0, _values.Count).Where(i => hidden[i]).ToArray();
        if (unknown.Length == 0) return -1;
        var column = new Dictionary<int, int>();
        for (var i = 0; i < unknown.Length; i++) column[unknown[i]] = i;
        var rows = new List<double[]>();
        foreach (var (total, parts) in _lines)
        {
            var row = new double[unknown.Length];
            if (column.TryGetValue(total, out var t)) row[t] += 1;
            foreach (var p in parts) if (column.TryGetValue(p, out var c)) row[c] -= 1;
            if (row.Any(x => x != 0)) rows.Add(row);
        }
        var lead = 0;
        for (var col = 0; col < unknown.Length && lead < rows.Count; col++)
        {
            var pivot = -1;
            for (var r = lead; r < rows.Count; r++) if (Math.Abs(rows[r][col]) > 1e-9) { pivot = r; break; }
            if (pivot < 0) continue;
            (rows[lead], rows[pivot]) = (rows[pivot], rows[lead]);
            var pr = rows[lead];
            var f0 = pr[col];
            for (var j = 0; j < pr.Length; j++) pr[j] /= f0;
            for (var r = 0; r < rows.Count; r++)
            {
                if (r == lead || Math.Abs(rows[r][col]) < 1e-12) continue;
                var f = rows[r][col];
                var rr = rows[r];
                for (var j = 0; j < rr.Length; j++) rr[j] -= f * pr[j];
            }
            lead++;
        }
        for (var r = 0; r < lead; r++)
        {
            var nonZero = -1;
            var count = 0;
            for (var j = 0; j < unknown.Length && count < 2; j++)
                if (Math.Abs(rows[r][j]) > 1e-9) { nonZero = j; count++; }
            if (count == 1) return unknown[nonZero];
        }
        return -1;
    }
}
