using System.Globalization;
using System.Text;

namespace ViraLoop.Analytics;

/// <summary>
/// Escaping for ClickHouse 18.16, which has no query parameters: SQL string literals, TabSeparated fields (both ways)
/// and identifiers. Everything a value can hold goes through here; nothing is interpolated raw.
/// </summary>
internal static class ClickHouseText
{
    /// <summary>A single-quoted SQL string literal: backslash, quote and every control character escaped.</summary>
    public static string Literal(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        sb.Append('\'');
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\'': sb.Append("\\'"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\0': sb.Append("\\0"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('\'').ToString();
    }

    /// <summary>Appends one TabSeparated field: backslash, tab, newline, carriage return, NUL, backspace, form feed escaped.</summary>
    public static void AppendField(StringBuilder sb, string value)
    {
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\t': sb.Append("\\t"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\0': sb.Append("\\0"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default: sb.Append(c); break;
            }
        }
    }

    /// <summary>Reads one TabSeparated field back (ClickHouse also escapes the single quote on output).</summary>
    public static string Unescape(ReadOnlySpan<char> field)
    {
        if (field.IndexOf('\\') < 0)
        {
            return field.ToString();
        }

        var sb = new StringBuilder(field.Length);
        for (var i = 0; i < field.Length; i++)
        {
            var c = field[i];
            if (c != '\\' || i + 1 >= field.Length)
            {
                sb.Append(c);
                continue;
            }

            var e = field[++i];
            switch (e)
            {
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case '0': sb.Append('\0'); break;
                case 'b': sb.Append('\b'); break;
                case 'f': sb.Append('\f'); break;
                case 'a': sb.Append('\a'); break;
                case 'v': sb.Append('\v'); break;
                case 'x' when i + 2 < field.Length && char.IsAsciiHexDigit(field[i + 1]) && char.IsAsciiHexDigit(field[i + 2]):
                    sb.Append((char)int.Parse(field.Slice(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                default: sb.Append(e); break;
            }
        }

        return sb.ToString();
    }

    /// <summary>TabSeparated output, split into rows of unescaped fields.</summary>
    public static List<string[]> ParseRows(string tsv)
    {
        var rows = new List<string[]>();
        foreach (var line in tsv.Split('\n'))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split('\t');
            var row = new string[parts.Length];
            for (var i = 0; i < parts.Length; i++)
            {
                row[i] = Unescape(parts[i]);
            }

            rows.Add(row);
        }

        return rows;
    }

    /// <summary>Database names we create: letters, digits and underscores only (they are interpolated as identifiers).</summary>
    public static string Identifier(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 64 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(name[0]))
        {
            throw new ArgumentException($"'{name}' is not a valid ClickHouse database name here (letters, digits, underscores; not starting with a digit).");
        }

        return name;
    }

    public static string DateTime(DateTimeOffset ts) => ts.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Date(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Number(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}
