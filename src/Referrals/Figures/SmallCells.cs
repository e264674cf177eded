namespace Netzwerk.Referrals.Figures;

/// <summary>
/// Protection of small groups. Every count the figures publish — shown or derivable as the difference of two shown ones —
/// is a cell; a <see cref="Line"/> says that one cell is the sum of others (a total and its rows, a funnel step and what
/// left it). Primary suppression hides every cell counting 1 to 4 people. Secondary suppression then makes sure no hidden
/// cell can be worked out by subtraction: a line holding exactly one hidden cell gets a second one (the smallest non-zero
/// part, else its total), until no line has exactly one. Zero is shown: it tells nothing about a person.
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
        return _suppressed = hidden;
    }
}
