using System.Text;

namespace DpdkSharp.Generator.Parsing;

/// <summary>C string literal escapes, as clang prints a literal's value.</summary>
internal static class CString
{
    /// <summary>The characters a C literal's body (without quotes) stands for; bytes are read as UTF-8.</summary>
    public static string Unescape(string body)
    {
        var bytes = new List<byte>(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] != '\\' || i + 1 >= body.Length)
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(body[i].ToString()));
                continue;
            }
            var e = body[++i];
            switch (e)
            {
                case 'n': bytes.Add((byte)'\n'); break;
                case 't': bytes.Add((byte)'\t'); break;
                case 'r': bytes.Add((byte)'\r'); break;
                case 'a': bytes.Add(7); break;
                case 'b': bytes.Add(8); break;
                case 'f': bytes.Add(12); break;
                case 'v': bytes.Add(11); break;
                case 'e': bytes.Add(27); break;
                case 'x':
                {
                    // As many hex digits as follow; a narrow literal keeps the low byte.
                    var value = 0;
                    var start = i;
                    for (; i + 1 < body.Length && Uri.IsHexDigit(body[i + 1]); i++)
                        {
                            value = (value * 16 + Convert.ToInt32(body[i + 1].ToString(), 16)) & 0xFF;
                        }

                        bytes.Add(i > start ? (byte)value : (byte)'x');
                    break;
                }
                case >= '0' and <= '7':
                {
                    var value = 0;
                    var digits = 0;
                    for (; digits < 3 && i < body.Length && body[i] is >= '0' and <= '7'; digits++, i++)
                        {
                            value = value * 8 + (body[i] - '0');
                        }

                        bytes.Add((byte)value);
                    i--;
                    break;
                }
                default: bytes.AddRange(Encoding.UTF8.GetBytes(e.ToString())); break;
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }
}
