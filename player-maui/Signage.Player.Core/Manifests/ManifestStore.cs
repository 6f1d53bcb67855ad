using System.Text.Json;
using Signage.Contracts;
using Signage.Player.Core.Storage;

namespace Signage.Player.Core.Manifests;

/// <summary>The CURRENT, PREVIOUS and STAGED manifests (spec 28.2), in memory and on disk. Every file is
/// replaced atomically, so a crash leaves either the old or the new manifest, never half of one.</summary>
public sealed class ManifestStore(PlayerPaths paths)
{
    public sealed record CorruptFile(string FileName, string Error);

    private readonly Lock _gate = new();
    private LoadedManifest? _current;
    private LoadedManifest? _previous;
    private LoadedManifest? _staged;

    /// <summary>Raised after any of the three changes.</summary>
    public event Action? Changed;

    public LoadedManifest? Current => Read(() => _current);

    public LoadedManifest? Previous => Read(() => _previous);

    public LoadedManifest? Staged => Read(() => _staged);

    /// <summary>The ETag to send as If-None-Match: the newest manifest we hold.</summary>
    public string? NewestEtag => Read(() => (_staged ?? _current)?.Etag);

    /// <summary>LOAD_LOCAL: reads the files; returns the ones that could not be used (LOCAL_MANIFEST_CORRUPT).</summary>
    public IReadOnlyList<CorruptFile> Load()
    {
        var corrupt = new List<CorruptFile>();
        var current = Read(paths.CurrentManifest, corrupt);
        var previous = Read(paths.PreviousManifest, corrupt);
        var staged = Read(paths.StagedManifest, corrupt);
        lock (_gate)
        {
            (_current, _previous, _staged) = (current, previous, staged);
        }

        Changed?.Invoke();
        return corrupt;
    }

    public void Stage(LoadedManifest manifest)
    {
        Write(paths.StagedManifest, manifest);
        lock (_gate)
        {
            _staged = manifest;
        }

        Changed?.Invoke();
    }

    public void DiscardStaged()
    {
        AtomicFile.TryDelete(paths.StagedManifest);
        lock (_gate)
        {
            _staged = null;
        }

        Changed?.Invoke();
    }

    /// <summary>previous ← current, current ← staged (spec 28.5). Returns the replaced current, if any.</summary>
    public LoadedManifest? ApplyStaged()
    {
        LoadedManifest staged;
        LoadedManifest? replaced;
        lock (_gate)
        {
            staged = _staged ?? throw new InvalidOperationException("Nothing is staged.");
            replaced = _current;
        }

        // Previous first: a crash between the two writes leaves current == previous, both good.
        if (replaced is not null && replaced.Etag != staged.Etag)
        {
            Write(paths.PreviousManifest, replaced);
        }

        Write(paths.CurrentManifest, staged);
        AtomicFile.TryDelete(paths.StagedManifest);
        lock (_gate)
        {
            if (replaced is not null && replaced.Etag != staged.Etag)
            {
                _previous = replaced;
            }

            _current = staged;
            _staged = null;
        }

        Changed?.Invoke();
        return replaced;
    }

    /// <summary>Assets no eviction may touch: everything the three manifests reference.</summary>
    public IReadOnlySet<string> ProtectedHashes()
    {
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        lock (_gate)
        {
            foreach (var manifest in new[] { _current, _previous, _staged })
            {
                if (manifest is not null)
                {
                    hashes.UnionWith(manifest.AssetHashes);
                }
            }
        }

        return hashes;
    }

    private static LoadedManifest? Read(string path, List<CorruptFile> corrupt)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var response = JsonSerializer.Deserialize(File.ReadAllBytes(path), ContractsJsonContext.Default.ManifestResponse)
                ?? throw new JsonException("the file holds null");
            return LoadedManifest.From(response);
        }
        catch (Exception ex) when (ex is JsonException or InvalidManifestException or IOException or FormatException)
        {
            corrupt.Add(new CorruptFile(Path.GetFileName(path), ex.Message));
            return null;
        }
    }

    private static void Write(string path, LoadedManifest manifest) =>
        AtomicFile.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(manifest.Response, ContractsJsonContext.Default.ManifestResponse));

    private T Read<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }
}
