using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Netzwerk.Referrals.Figures;

/// <summary>The report's tables as CSV (one table; semicolons and a BOM, as German spreadsheet programs read it) or XLSX (a sheet per table): the same cells the page shows.</summary>
public static class FiguresExport
{
    public static IEnumerable<IReadOnlyList<string>> Lines(FigureTable table)
        => table.Rows.Select(r => (IReadOnlyList<string>)r.Labels.Concat(r.Cells.Select(c => c.Text)).ToList()).Prepend(table.Columns);

    public static byte[] Csv(FigureTable table)
    {
        var sb = new StringBuilder();
        foreach (var line in Lines(table)) sb.Append(string.Join(';', line.Select(Field))).Append("\r\n");
        return Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(sb.ToString())).ToArray();
    }

    // Catalogue names come from partners' own entries: one starting like a formula must stay text in a spreadsheet.
    private static string Field(string value)
    {
        if (value.Length > 0 && "=+-@\t\r".Contains(value[0]) && !IsFigure(value)) value = "'" + value;
        return value.IndexOfAny([';', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;
    }

    private static bool IsFigure(string value) => value.Length > 1 && (value[0] is '+' or '−') && char.IsDigit(value[1]);

    public static byte[] Xlsx(FiguresReport report)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new Workbook();
            var sheets = wb.Workbook.AppendChild(new Sheets());
            uint id = 1;
            foreach (var table in report.Tables)
            {
                var ws = wb.AddNewPart<WorksheetPart>();
                var data = new SheetData();
                ws.Worksheet = new Worksheet(data);
                uint r = 1;
                foreach (var line in Lines(table))
                {
                    var row = new Row { RowIndex = r };
                    var col = 0;
                    foreach (var v in line)
                        row.Append(new Cell { CellReference = $"{Column(col++)}{r}", DataType = CellValues.InlineString, InlineString = new InlineString(new Text(v)) });
                    data.Append(row);
                    r++;
                }
                // Sheet names: at most 31 characters, no []:*?/\
                var name = new string(table.Title.Where(ch => !"[]:*?/\\".Contains(ch)).Take(31).ToArray());
                sheets.Append(new Sheet { Id = wb.GetIdOfPart(ws), SheetId = id++, Name = name });
            }
            wb.Workbook.Save();
        }
        return ms.ToArray();
    }

    private static string Column(int index)
    {
        var name = "";
        for (index++; index > 0; index = (index - 1) / 26) name = (char)('A' + (index - 1) % 26) + name;
        return name;
    }
}
