namespace Signage.CloudHub.Hosting;

/// <summary>
/// Where the hub listens, its database and its blob directory. Each comes from the command line,
/// else its environment variable: <c>--urls</c> / <c>SIGNAGE_HUB_URLS</c> (default
/// <c>http://0.0.0.0:5090</c>), <c>--db</c> / <c>SIGNAGE_HUB_DB</c> (an Npgsql connection string,
/// required) and <c>--data-dir</c> / <c>SIGNAGE_HUB_DATA_DIR</c> (content-addressed blobs; share it
/// between replicas, e.g. a network volume). <c>--blob-store s3</c> / <c>SIGNAGE_HUB_BLOB_STORE=s3</c>
/// keeps the blobs in an S3-compatible bucket instead (<see cref="S3Settings"/>); the data directory
/// then only stages uploads.
/// </summary>
public sealed record HubSettings(string Urls, string ConnectionString, string DataDirectory, S3Settings? S3 = null)
{
    public const string DefaultUrls = "http://0.0.0.0:5090";

    public const string Usage = """
        signage-hub: the multi-tenant cloud hub.

        Options:
          --urls <urls>        Addresses to listen on, ';'-separated. Env: SIGNAGE_HUB_URLS.
                               Default: http://0.0.0.0:5090
          --db <connection>    Npgsql connection string, e.g.
                               "Host=db;Database=signage;Username=hub;Password=...". Env: SIGNAGE_HUB_DB.
          --data-dir <path>    Shared-library blobs. Env: SIGNAGE_HUB_DATA_DIR. Default: ./hub-data
          --blob-store <disk|s3>  Where blobs live. Env: SIGNAGE_HUB_BLOB_STORE. Default: disk
                               With s3 (each also as SIGNAGE_HUB_S3_*, e.g. SIGNAGE_HUB_S3_BUCKET):
          --s3-bucket <name>     required
          --s3-region <region>   default us-east-1
          --s3-endpoint <url>    an S3-compatible server, e.g. http://minio:9000 (default: AWS)
          --s3-path-style <bool> bucket in the path, not the host name (default: true with an endpoint)
          --s3-prefix <prefix>   key prefix, e.g. "signage/" (default none)
                               Keys: SIGNAGE_HUB_S3_ACCESS_KEY and SIGNAGE_HUB_S3_SECRET_KEY (environment
                               only); without them the AWS SDK's own chain (instance role, …) applies.
          --help               Show this help.
        First platform admin (only when none exists): SIGNAGE_HUB_ADMIN_EMAIL, SIGNAGE_HUB_ADMIN_PASSWORD.
        """;

    public static HubSettings From(IConfiguration commandLine, Func<string, string?> environment)
    {
        var db = FirstNonBlank(commandLine["db"], environment("SIGNAGE_HUB_DB"))
            ?? throw new StartupException("No database: pass --db \"<Npgsql connection string>\" or set SIGNAGE_HUB_DB.");
        return new HubSettings(
            Urls: FirstNonBlank(commandLine["urls"], environment("SIGNAGE_HUB_URLS")) ?? DefaultUrls,
            ConnectionString: db,
            DataDirectory: Path.GetFullPath(FirstNonBlank(commandLine["data-dir"], environment("SIGNAGE_HUB_DATA_DIR")) ?? "hub-data"),
            S3: (FirstNonBlank(commandLine["blob-store"], environment("SIGNAGE_HUB_BLOB_STORE")) ?? "disk").ToLowerInvariant() switch
            {
                "disk" => null,
                "s3" => S3Settings.From(name => FirstNonBlank(commandLine["s3-" + name], environment("SIGNAGE_HUB_S3_" + name.ToUpperInvariant().Replace('-', '_'))),
                    environment),
                var other => throw new StartupException($"Unknown blob store '{other}': use disk or s3."),
            });
    }

    private static string? FirstNonBlank(params string?[] values) => values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
}

/// <summary>An S3-compatible bucket for the shared library's blobs (<c>Library/S3BlobStore.cs</c>).</summary>
public sealed record S3Settings(string Bucket, string Region, string? Endpoint, bool PathStyle, string Prefix, string? AccessKey, string? SecretKey)
{
    public static S3Settings From(Func<string, string?> setting, Func<string, string?> environment)
    {
        var bucket = setting("bucket") ?? throw new StartupException("The s3 blob store needs a bucket: --s3-bucket or SIGNAGE_HUB_S3_BUCKET.");
        var endpoint = setting("endpoint");
        if (endpoint is not null && !Uri.TryCreate(endpoint, UriKind.Absolute, out _))
            throw new StartupException($"SIGNAGE_HUB_S3_ENDPOINT '{endpoint}' is not an absolute URL (e.g. http://minio:9000).");
        var pathStyle = setting("path-style") is { } text
            ? bool.TryParse(text, out var parsed) ? parsed : throw new StartupException($"s3-path-style must be true or false, not '{text}'.")
            : endpoint is not null;
        var accessKey = environment("SIGNAGE_HUB_S3_ACCESS_KEY");
        var secretKey = environment("SIGNAGE_HUB_S3_SECRET_KEY");
        if (string.IsNullOrEmpty(accessKey) != string.IsNullOrEmpty(secretKey))
            throw new StartupException("Set both SIGNAGE_HUB_S3_ACCESS_KEY and SIGNAGE_HUB_S3_SECRET_KEY, or neither.");
        return new S3Settings(bucket, setting("region") ?? "us-east-1", endpoint, pathStyle, setting("prefix") ?? "",
            string.IsNullOrEmpty(accessKey) ? null : accessKey, string.IsNullOrEmpty(secretKey) ? null : secretKey);
    }

    /// <summary>Never prints the secret (records print every property).</summary>
    public override string ToString() => $"s3://{Bucket}/{Prefix} at {Endpoint ?? Region}";
}

/// <summary>A setting or resource the hub cannot start without; reported as one line, exit code 2.</summary>
public sealed class StartupException(string message) : Exception(message);
