using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using System.Text;

namespace Netzwerk.Directory.Search;

/// <summary>C# twin of SQL <c>directory.fold</c>, used to mark matched words for "why it matched".</summary>
public static class GermanText
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(UnicodeRanges.All);

    public static string Fold(string text)
    {
        var lower = text.ToLowerInvariant().Replace("ß", "ss");
        var decomposed = lower.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark) sb.Append(c);
        return sb.ToString().Normalize(NormalizationForm.FormC).Replace("ae", "a").Replace("oe", "o").Replace("ue", "u");
    }

    /// <summary>Query tokens as people type them: words, numbers and hyphenated words (P-Konto).</summary>
    public static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var sb = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || (c == '-' && sb.Length > 0)) sb.Append(c);
            else Flush();
        }
        Flush();
        return tokens;

        void Flush()
        {
            var t = sb.ToString().Trim('-');
            if (t.Length > 0 && t.Length <= 60 && !tokens.Contains(t, StringComparer.OrdinalIgnoreCase)) tokens.Add(t);
            sb.Clear();
        }
    }

    /// <summary>
    /// HTML-encoded <paramref name="text"/> with every word whose folded form starts with one of the
    /// <paramref name="stems"/> wrapped in &lt;mark&gt;; null when nothing matched.
    /// </summary>
    public static string? Highlight(string? text, IReadOnlyCollection<string> stems)
    {
        if (string.IsNullOrEmpty(text) || stems.Count == 0) return null;
        var sb = new StringBuilder(text.Length + 16);
        var matched = false;
        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i]))
            {
                sb.Append(Html.Encode(text[i].ToString()));
                i++;
                continue;
            }
            var start = i;
            while (i < text.Length && char.IsLetterOrDigit(text[i])) i++;
            var word = text[start..i];
            var folded = Fold(word);
            if (stems.Any(s => s.Length > 0 && folded.StartsWith(s, StringComparison.Ordinal)))
            {
                matched = true;
                sb.Append("<mark>").Append(Html.Encode(word)).Append("</mark>");
            }
            else sb.Append(Html.Encode(word));
        }
        return matched ? sb.ToString() : null;
    }
}
