using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Html;

namespace Netzwerk.Referrals.Figures;

/// <summary>
/// Server-rendered SVG bar charts of a report table: no script, no third-party files, prints as it shows. The SVG is an
/// image with a title and a description (role="img"); the numbers themselves are in the table next to it, which screen
/// readers read instead. A hidden ("&lt; 5") cell draws no bar, only its label.
/// </summary>
public static class FigureCharts
{
    private static readonly string[] Fills = ["#1f5f8b", "#7a9a2e"];

    /// <summary>Horizontal bars: one per row, for the given value columns (at most two series).</summary>
    public static IHtmlContent Bars(FigureTable table, int[] columns, string id)
    {
        var rows = table.Rows.Where(r => !r.IsTotal).ToList();
        var labelCount = rows.FirstOrDefault()?.Labels.Count ?? 1;
        var max = rows.SelectMany(r => columns.Select(c => r.Cells[c].Value ?? 0)).DefaultIfEmpty(0).Max();
        const int labelWidth = 220, barArea = 360, barHeight = 16, gap = 10;
        var rowHeight = columns.Length * barHeight + gap;
        var height = Math.Max(rows.Count * rowHeight + 30, 60);
        var series = string.Join(" und ", columns.Select(c => table.Columns[c + labelCount]));
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"""<figure class="chart" data-chart="{id}"><svg role="img" aria-labelledby="{id}-t {id}-d" viewBox="0 0 {labelWidth + barArea + 70} {height}" width="100%" preserveAspectRatio="xMinYMin meet">""");
        sb.Append(CultureInfo.InvariantCulture, $"""<title id="{id}-t">{E(table.Title)}</title>""");
        sb.Append(CultureInfo.InvariantCulture, $"""<desc id="{id}-d">{E($"Balkendiagramm: {series} je Zeile der Tabelle „{table.Title}“. Die Zahlen stehen in der Tabelle daneben; Werte unter 5 werden nicht gezeichnet.")}</desc>""");
        var y = 10;
        foreach (var row in rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"""<text x="0" y="{y + barHeight - 3}" font-size="12" fill="#222">{E(Short(string.Join(" – ", row.Labels), 34))}</text>""");
            for (var i = 0; i < columns.Length; i++)
            {
                var cell = row.Cells[columns[i]];
                var w = max > 0 && cell.Value is { } v ? Math.Max(1, v / max * barArea) : 0;
                var by = y + i * barHeight;
                if (w > 0)
                    sb.Append(CultureInfo.InvariantCulture, $"""<rect x="{labelWidth}" y="{by}" width="{w:0.#}" height="{barHeight - 3}" fill="{Fills[i % 2]}"/>""");
                sb.Append(CultureInfo.InvariantCulture, $"""<text x="{labelWidth + w + 4:0.#}" y="{by + barHeight - 5}" font-size="11" fill="#222">{E(cell.Text)}</text>""");
            }
            y += rowHeight;
        }
        if (columns.Length > 1)
            for (var i = 0; i < columns.Length; i++)
                sb.Append(CultureInfo.InvariantCulture, $"""<rect x="{labelWidth + i * 170}" y="{height - 14}" width="10" height="10" fill="{Fills[i % 2]}"/><text x="{labelWidth + i * 170 + 14}" y="{height - 5}" font-size="11" fill="#222">{E(table.Columns[columns[i] + labelCount])}</text>""");
        sb.Append("</svg></figure>");
        return new HtmlString(sb.ToString());
    }

    private static string Short(string s, int n) => s.Length <= n ? s : s[..(n - 1)] + "…";
    private static string E(string s) => WebUtility.HtmlEncode(s);
}
