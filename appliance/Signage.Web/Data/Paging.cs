using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Signage.Contracts;
using Signage.Web.Problems;

namespace Signage.Web.Data;

/// <summary>What one part of a list's sort key is, so a cursor's part can be checked before SQL sees it.</summary>
public enum KeyPart
{
    Text,
    Integer,
}

/// <summary>
/// Cursor paging for every list endpoint (spec 27.1): <c>?cursor=&amp;limit=</c>, limit 1 to 200
/// (default 50), answered as <c>{ items, nextCursor }</c> with <c>nextCursor</c> null on the last page.
/// Keyset paging: the cursor is the sort key of the last item given (ending in the row's id, so the
/// order is total), and the next page is the rows after it — stable while rows come and go, and each
/// page costs one index range however deep it is. The key is base64url-encoded with a check, so
/// clients treat it as opaque. A limit out of range or a cursor this endpoint did not give out is 400, never a guess.
/// </summary>
public sealed class ListPage
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    private readonly string[]? _after;

    private ListPage(int size, string[]? after)
    {
        Size = size;
        _after = after;
    }

    /// <summary>How many items this page holds at most.</summary>
    public int Size { get; }

    /// <summary>The LIMIT to query with: one more than the page, to know whether another page follows.</summary>
    public int Fetch => Size + 1;

    /// <summary>True on the first page (no cursor).</summary>
    public bool First => _after is null;

    /// <summary>Reads <c>cursor</c> and <c>limit</c>; a problem to answer with when either is wrong.</summary>
    public static IResult? Read(string? cursor, int? limit, out ListPage page, params KeyPart[] key)
    {
        page = new ListPage(limit ?? DefaultLimit, null);
        if (limit is < 1 or > MaxLimit)
            return ProblemResponses.Problem(StatusCodes.Status400BadRequest, ProblemCodes.BadRequest,
                $"limit is between 1 and {MaxLimit} (default {DefaultLimit}).", new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]>
                {
                    ["limit"] = [$"limit is between 1 and {MaxLimit}."],
                } });
        if (cursor is null) return null;
        if (Decode(cursor, key) is not { } after) return BadCursor();
        page = new ListPage(page.Size, after);
        return null;
    }

    /// <summary>The 400 for a cursor this endpoint did not give out (also for one whose parts read but mean nothing, e.g. no such time).</summary>
    public static IResult BadCursor() =>
        ProblemResponses.Problem(StatusCodes.Status400BadRequest, ProblemCodes.BadRequest, "The cursor is not one this endpoint gave out.");

    /// <summary>The cursor's text part <paramref name="index"/>, or <paramref name="first"/> on the first page.</summary>
    public string Text(int index, string first) => _after?[index] ?? first;

    /// <summary>The cursor's integer part <paramref name="index"/>, or <paramref name="first"/> on the first page.</summary>
    public long Integer(int index, long first) => _after is null ? first : long.Parse(_after[index], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);

    /// <summary>The page of <paramref name="rows"/> (queried with <see cref="Fetch"/>) and the cursor after its last item.</summary>
    public ItemsResponse<T> Answer<T>(IReadOnlyList<T> rows, Func<T, string[]> key) => Answer(rows, key, r => r);

    /// <summary>As above, for rows whose sort key is not all in the item they answer with (a row's timestamp, a lower-cased email).</summary>
    public ItemsResponse<T> Answer<TRow, T>(IReadOnlyList<TRow> rows, Func<TRow, string[]> key, Func<TRow, T> item) =>
        new([.. rows.Take(Size).Select(item)], rows.Count > Size ? Encode(key(rows[Size - 1])) : null);

    /// <summary>An integer key part as a cursor holds it.</summary>
    public static string Part(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Each key part base64url-encoded (any text, a name holding a dot too, comes back whole), joined by
    /// dots, then a short check so a cursor typed or cut by hand is refused rather than read as some other position.</summary>
    public static string Encode(string[] parts)
    {
        var body = string.Join('.', parts.Select(p => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(p))));
        return $"{body}.{Check(body)}";
    }

    private static string Check(string body) => Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(body)).AsSpan(0, 6));

    private static readonly UTF8Encoding StrictUtf8 = new(false, true);

    private static string[]? Decode(string cursor, KeyPart[] key)
    {
        var dot = cursor.LastIndexOf('.');
        if (cursor.Length > 4096 || dot < 0 || cursor[(dot + 1)..] != Check(cursor[..dot])) return null;
        var encoded = cursor[..dot].Split('.');
        if (encoded.Length != key.Length) return null;
        var parts = new string[key.Length];
        for (var i = 0; i < key.Length; i++)
        {
            try
            {
                parts[i] = StrictUtf8.GetString(Base64Url.DecodeFromChars(encoded[i]));
            }
            catch (Exception e) when (e is FormatException or DecoderFallbackException)
            {
                return null;
            }
            if (key[i] == KeyPart.Integer && !long.TryParse(parts[i], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) return null;
        }
        return parts;
    }
}
