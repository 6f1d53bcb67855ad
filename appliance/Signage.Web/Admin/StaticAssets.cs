using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Signage.Web.Admin;

/// <summary>
/// The admin pages' CSS and JS, embedded in the binary (no wwwroot beside it): the shared
/// <c>admin.css</c> and <c>admin.js</c> from this library, plus the server's own <c>admin/</c>
/// resources (the hub's <c>hub.css</c> and <c>hub.js</c>). Loaded once; served with a content-hash
/// ETag and a day's caching, revalidated cheaply after that.
/// </summary>
public static class StaticAssets
{
    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);

    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    /// <summary>Address of an asset with its hash, so a new release is fetched at once.</summary>
    public static string Url(string name) => Assets.TryGetValue(name, out var asset) ? $"/admin/static/{name}?v={asset.ETag.Trim('"')[..12]}" : $"/admin/static/{name}";

    /// <summary>Returns the route so the server can attach its access rule.</summary>
    public static RouteHandlerBuilder MapAdminStatic(this IEndpointRouteBuilder app) => app.MapGet("/admin/static/{name}", Serve);

    private static IResult Serve(string name, HttpContext http)
    {
        if (!Assets.TryGetValue(name, out var asset)) return TypedResults.NotFound();
        http.Response.Headers.CacheControl = "public, max-age=86400";
        if (http.Request.Headers.IfNoneMatch == asset.ETag) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        http.Response.Headers.ETag = asset.ETag;
        return TypedResults.Bytes(asset.Bytes, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assets = new Dictionary<string, Asset>();
        // This library's shared files, then the running server's own (its entry assembly).
        Assembly[] assemblies = Assembly.GetEntryAssembly() is { } server ? [typeof(StaticAssets).Assembly, server] : [typeof(StaticAssets).Assembly];
        foreach (var assembly in assemblies)
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("admin/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            var name = resource["admin/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                ".svg" => "image/svg+xml",
                _ => "application/octet-stream",
            };
            assets[name] = new Asset(bytes, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))}\"");
        }
        return assets.ToFrozenDictionary();
    }
}
