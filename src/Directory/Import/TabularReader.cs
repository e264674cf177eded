using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Netzwerk.Directory.Maintenance;
using Netzwerk.Platform.Input;

namespace Netzwerk.Directory.Import;

/// <summary>One line of a partner list: its line number in the file and the cells by (mapped) column name.</summary>
public sealed record SheetRow(int Line, Dictionary<string, string> Cells);

/// <summary>
/// Reads the coordinators' Excel/CSV partner lists: a header row with German column names (Träger, Angebot, PLZ …),
/// renamed through an optional mapping, one service per row.
/// </summary>
public static class TabularReader
{
    // Limits checked before the parser runs: a one-line file of a million columns kept CsvHelper busy for 24 s.
    public const int MaxColumns = 100, MaxLineLength = 65_536, MaxCellLength = 10_000;

    /// <summary>The standard columns and the spellings people use for them.</summary>
    public static readonly Dictionary<string, string[]> Columns = new()
    {
        ["ID"] = ["ID", "Externe ID", "Nr", "Nummer", "Kennung"],
        ["Träger"] = ["Träger", "Organisation", "Träger/Organisation", "Traeger", "Einrichtung"],
        ["Angebot"] = ["Angebot", "Maßnahme", "Angebotsname", "Dienst"],
        ["Beschreibung"] = ["Beschreibung", "Kurzbeschreibung"],
        ["Kategorie"] = ["Kategorie", "Kategorien", "Partnerart", "Art"],
        ["Straße"] = ["Straße", "Strasse", "Adresse", "Anschrift"],
        ["PLZ"] = ["PLZ", "Postleitzahl"],
        ["Ort"] = ["Ort", "Stadt", "Gemeinde"],
        ["Landkreis"] = ["Landkreis", "Kreis", "Bezirk"],
        ["Telefon"] = ["Telefon", "Tel.", "Tel", "Telefonnummer"],
        ["E-Mail"] = ["E-Mail", "Email", "Mail", "E-Mail-Adresse"],
        ["Website"] = ["Website", "Webseite", "Internet", "Homepage", "URL"],
        ["Sprachen"] = ["Sprachen", "Sprache"],
        ["Zielgruppen"] = ["Zielgruppen", "Zielgruppe"],
        ["Öffnungszeiten"] = ["Öffnungszeiten", "Oeffnungszeiten", "Sprechzeiten"],
        ["Barrierefrei"] = ["Barrierefrei", "Rollstuhlgerecht", "Stufenlos"],
        ["Plätze frei"] = ["Plätze frei", "Freie Plätze", "Kapazität"],
        ["Wartezeit (Tage)"] = ["Wartezeit (Tage)", "Wartezeit", "Wartezeit in Tagen"],
        ["Mindestalter"] = ["Mindestalter", "Alter ab"],
        ["Höchstalter"] = ["Höchstalter", "Alter bis"],
        ["Voraussetzungen"] = ["Voraussetzungen", "Zugangsvoraussetzungen", "Zugang"],
        ["Rechtsgrundlage"] = ["Rechtsgrundlage"],
        ["Kostenträger"] = ["Kostenträger", "Finanzierung"],
        ["Status"] = ["Status"],
    };

    /// <summary>"Einrichtung=Träger; Name=Angebot" (also ':' and ','): the file's column → a standard column.</summary>
    public static Dictionary<string, string> ParseMapping(string? mapping, FieldErrors errors)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrWhiteSpace(mapping)) return result;
        foreach (var pair in mapping.Split([';', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = pair.Split(['=', ':'], 2, StringSplitOptions.TrimEntries);
            var target = parts.Length == 2 ? Standard(parts[1]) : null;
            if (target is null) errors.Add("mapping", $"Zuordnung „{EntryRules.Shorten(pair)}“ nicht verständlich (Beispiel: Einrichtung=Träger; Name=Angebot).");
            else result[parts[0]] = target;
        }
        return result;
    }

    private static string Key(string s) => TermCatalogue.Fold(s).Replace(" ", "").Replace("-", "").Replace(".", "");

    public static string? Standard(string header)
    {
        var key = Key(header);
        return Columns.FirstOrDefault(c => c.Value.Any(v => Key(v) == key) || Key(c.Key) == key).Key;
    }

    private static List<string?> MapHeaders(IEnumerable<string> headers, Dictionary<string, string> mapping)
        => headers.Select(h => mapping.TryGetValue(h.Trim(), out var target) ? target : Standard(h)).ToList();

    public static List<SheetRow> ReadCsv(Stream stream, Dictionary<string, string> mapping, out List<string> unknownColumns)
    {
        using var reader = new StreamReader(stream, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        var text = reader.ReadToEnd();
        // German Excel saves CSV with ';' — take whichever separator the header line uses more.
        var firstLine = text.Split('\n', 2)[0];
        var delimiter = firstLine.Count(c => c == ';') > firstLine.Count(c => c == ',') ? ";" : ",";
        if (firstLine.Count(c => c == delimiter[0]) >= MaxColumns)
            throw new InvalidDataException($"Die Kopfzeile hat mehr als {MaxColumns} Spalten.");
        CheckLines(text);
        using var csv = new CsvReader(new StringReader(text), new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter, MaxFieldSize = MaxCellLength, BadDataFound = null, MissingFieldFound = null, DetectColumnCountChanges = false, TrimOptions = TrimOptions.Trim,
        });
        var rows = new List<SheetRow>();
        unknownColumns = [];
        if (!csv.Read()) return rows;
        csv.ReadHeader();
        var headers = csv.HeaderRecord ?? [];
        var mapped = MapHeaders(headers, mapping);
        unknownColumns.AddRange(headers.Where((h, i) => mapped[i] is null && h.Trim().Length > 0));
        while (csv.Read())
        {
            var cells = new Dictionary<string, string>();
            for (var i = 0; i < headers.Length; i++)
                if (mapped[i] is { } column && csv.TryGetField<string>(i, out var value) && !string.IsNullOrWhiteSpace(value))
                    cells[column] = value.Trim();
            if (cells.Count > 0) rows.Add(new SheetRow(csv.Parser.RawRow, cells));
        }
        return rows;
    }

    private static void CheckLines(string text)
    {
        var line = 0;
        foreach (var l in text.AsSpan().EnumerateLines())
        {
            line++;
            if (l.Length > MaxLineLength) throw new InvalidDataException($"Zeile {line} ist länger als {MaxLineLength} Zeichen.");
            if (!CleanText.IsClean(l)) throw new InvalidDataException($"Zeile {line} enthält unzulässige Steuerzeichen.");
        }
    }

    public static List<SheetRow> ReadXlsx(Stream stream, Dictionary<string, string> mapping, out List<string> unknownColumns)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        buffer.Position = 0;
        using var doc = SpreadsheetDocument.Open(buffer, false);
        var workbook = doc.WorkbookPart ?? throw new InvalidDataException("Keine Arbeitsmappe.");
        var sheet = workbook.Workbook.Sheets?.Elements<Sheet>().FirstOrDefault() ?? throw new InvalidDataException("Kein Tabellenblatt.");
        var part = (WorksheetPart)workbook.GetPartById(sheet.Id!);
        var shared = workbook.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToList() ?? [];
        var rows = new List<SheetRow>();
        unknownColumns = [];
        List<string?>? mapped = null;
        foreach (var row in part.Worksheet.Descendants<Row>())
        {
            var values = new Dictionary<int, string>();
            foreach (var cell in row.Elements<Cell>())
            {
                var value = CellText(cell, shared);
                if (string.IsNullOrWhiteSpace(value)) continue;
                var column = ColumnIndex(cell.CellReference?.Value);
                var at = $"Zeile {row.RowIndex?.Value}, Spalte {column + 1}";
                if (column >= MaxColumns) throw new InvalidDataException($"{at}: Die Tabelle hat mehr als {MaxColumns} Spalten.");
                if (value.Length > MaxCellLength) throw new InvalidDataException($"{at}: Eine Zelle darf höchstens {MaxCellLength} Zeichen enthalten.");
                if (!CleanText.IsClean(value)) throw new InvalidDataException($"{at}: Die Zelle enthält unzulässige Steuerzeichen.");
                values[column] = value.Trim();
            }
            var line = (int)(row.RowIndex?.Value ?? (uint)(rows.Count + 2));
            if (mapped is null)
            {
                if (values.Count == 0) continue;
                var width = values.Keys.Max() + 1;
                var headers = Enumerable.Range(0, width).Select(i => values.GetValueOrDefault(i, "")).ToList();
                mapped = MapHeaders(headers, mapping);
                unknownColumns.AddRange(headers.Where((h, i) => mapped[i] is null && h.Length > 0));
                continue;
            }
            var cells = values.Where(v => v.Key < mapped.Count && mapped[v.Key] is not null).ToDictionary(v => mapped[v.Key]!, v => v.Value);
            if (cells.Count > 0) rows.Add(new SheetRow(line, cells));
        }
        return rows;
    }

    private static string CellText(Cell cell, List<string> shared)
    {
        if (cell.DataType?.Value == CellValues.SharedString && int.TryParse(cell.CellValue?.Text, out var i) && i < shared.Count) return shared[i];
        if (cell.DataType?.Value == CellValues.InlineString) return cell.InlineString?.InnerText ?? "";
        if (cell.DataType?.Value == CellValues.Boolean) return cell.CellValue?.Text == "1" ? "ja" : "nein";
        return cell.CellValue?.Text ?? "";
    }

    private static int ColumnIndex(string? reference)
    {
        if (string.IsNullOrEmpty(reference)) return 0;
        var n = 0;
        foreach (var c in reference.TakeWhile(char.IsLetter)) n = n * 26 + (char.ToUpperInvariant(c) - 'A' + 1);
        return n - 1;
    }

    /// <summary>Writes rows as an .xlsx (tests and a template for coordinators).</summary>
    public static byte[] WriteXlsx(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        using var ms = new MemoryStream();
        using (var doc = SpreadsheetDocument.Create(ms, DocumentFormat.OpenXml.SpreadsheetDocumentType.Workbook))
        {
            var wb = doc.AddWorkbookPart();
            wb.Workbook = new Workbook();
            var ws = wb.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            ws.Worksheet = new Worksheet(data);
            uint r = 1;
            foreach (var values in rows.Prepend(headers.Cast<string?>().ToList()))
            {
                var row = new Row { RowIndex = r };
                var col = 0;
                foreach (var v in values)
                {
                    var reference = $"{ColumnName(col++)}{r}";
                    if (v is null) continue;
                    row.Append(new Cell { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(v)) });
                }
                data.Append(row);
                r++;
            }
            wb.Workbook.AppendChild(new Sheets(new Sheet { Id = wb.GetIdOfPart(ws), SheetId = 1, Name = "Partner" }));
            wb.Workbook.Save();
        }
        return ms.ToArray();
    }

    private static string ColumnName(int index)
    {
        var name = "";
        for (index++; index > 0; index = (index - 1) / 26) name = (char)('A' + (index - 1) % 26) + name;
        return name;
    }
}
