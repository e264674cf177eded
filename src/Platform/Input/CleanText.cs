namespace Netzwerk.Platform.Input;

/// <summary>
/// The one rule for text from outside: no C0 control characters except tab, line feed and carriage return, and no
/// lone UTF-16 surrogates. PostgreSQL refuses NUL in text, and the rest has no business in a name, a note or a
/// search; refusing them at the border means no handler, query or log line ever sees them.
/// </summary>
public static class CleanText
{
    public const string Message = "Der Text enthält unzulässige Steuerzeichen oder ungültige Zeichen.";

    public static bool IsClean(ReadOnlySpan<char> text)
    {
        // Fast path first: almost all text has neither controls nor surrogates.
        var i = text.IndexOfAnyInRange('\0', '\u001f');
        while (i >= 0)
        {
            if (text[i] is not ('\t' or '\n' or '\r')) return false;
            var next = text[(i + 1)..].IndexOfAnyInRange('\0', '\u001f');
            i = next < 0 ? -1 : i + 1 + next;
        }
        return !text.ContainsAnyInRange('\ud800', '\udfff') || HasOnlyPairs(text);
    }

    private static bool HasOnlyPairs(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) i++;
            else if (char.IsSurrogate(text[i])) return false;
        }
        return true;
    }
}
