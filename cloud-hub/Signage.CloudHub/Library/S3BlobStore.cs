using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Signage.CloudHub.Hosting;

namespace Signage.CloudHub.Library;

/// <summary>
/// Blobs as objects <c>&lt;prefix&gt;ab/abcdef…</c> in an S3-compatible bucket (AWS S3, MinIO, Ceph,
/// …), so hub replicas share them without a shared volume. Uploads are staged on the hub's disk (the
/// media validator reads a file), then PUT once per hash; an object that already exists is left as
/// it is (same name, same bytes). Reads are ranged GETs, so Range requests and resumed downloads work
/// as with the disk store.
/// </summary>
public sealed class S3BlobStore(IAmazonS3 s3, S3Settings settings, string dataDirectory) : IBlobStore
{
    private readonly BlobStaging _staging = new(dataDirectory);

    public static S3BlobStore Create(S3Settings settings, string dataDirectory)
    {
        var config = new AmazonS3Config
        {
            ForcePathStyle = settings.PathStyle,
            AuthenticationRegion = settings.Region,
            // Newer SDKs add CRC checksums (and aws-chunked bodies) to every request by default; many
            // S3-compatible servers do not understand them. Send them only where S3 requires them.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (settings.Endpoint is { } endpoint) config.ServiceURL = endpoint;
        else config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(settings.Region);
        // Without keys in the settings, the SDK's own chain (environment, instance role, …) applies.
        var client = settings.AccessKey is { } key && settings.SecretKey is { } secret
            ? new AmazonS3Client(new BasicAWSCredentials(key, secret), config)
            : new AmazonS3Client(config);
        return new S3BlobStore(client, settings, dataDirectory);
    }

    /// <summary>Fails start-up with one clear line when the bucket cannot be reached.</summary>
    public async Task CheckBucketAsync(CancellationToken cancellationToken)
    {
        try
        {
            await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = settings.Bucket, Prefix = settings.Prefix, MaxKeys = 1 }, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new StartupException($"S3 bucket '{settings.Bucket}' at {settings.Endpoint ?? settings.Region} is not usable: {e.Message}");
        }
    }

    public Task<StagedBlob?> StageAsync(Stream content, long maxBytes, CancellationToken cancellationToken) => _staging.StageAsync(content, maxBytes, cancellationToken);

    public async Task CommitAsync(StagedBlob blob, CancellationToken cancellationToken)
    {
        try
        {
            if (await SizeOfAsync(blob.Sha256, cancellationToken) is null)
            {
                await s3.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = settings.Bucket, Key = KeyOf(blob.Sha256), FilePath = blob.Path, ContentType = "application/octet-stream",
                    UseChunkEncoding = false,
                }, cancellationToken);
            }
        }
        finally
        {
            File.Delete(blob.Path);
        }
    }

    public async Task<Stream?> OpenReadAsync(string sha256, CancellationToken cancellationToken)
    {
        if (!FileBlobStore.IsSha256(sha256)) return null;
        return await SizeOfAsync(sha256, cancellationToken) is { } length ? new RangeReadStream(s3, settings.Bucket, KeyOf(sha256), length) : null;
    }

    private string KeyOf(string sha256) => $"{settings.Prefix}{sha256[..2]}/{sha256}";

    private async Task<long?> SizeOfAsync(string sha256, CancellationToken cancellationToken)
    {
        try
        {
            var head = await s3.GetObjectMetadataAsync(settings.Bucket, KeyOf(sha256), cancellationToken);
            return head.ContentLength;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    /// <summary>
    /// A read-only seekable view of one object: reading starts one ranged GET at the current position
    /// (to the end), seeking drops it. ASP.NET Core's Range handling seeks once and reads the range, so
    /// a Range request costs one GET of the bytes it needs.
    /// </summary>
    private sealed class RangeReadStream(IAmazonS3 s3, string bucket, string key, long length) : Stream
    {
        private long _position;
        private GetObjectResponse? _response;
        private Stream? _body;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override long Seek(long offset, SeekOrigin origin)
        {
            var target = origin switch { SeekOrigin.Current => _position + offset, SeekOrigin.End => length + offset, _ => offset };
            if (target < 0) throw new IOException("Cannot seek before the start of the blob.");
            if (target != _position) Drop();
            _position = target;
            return _position;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position >= length || buffer.Length == 0) return 0;
            if (_body is null)
            {
                _response = await s3.GetObjectAsync(new GetObjectRequest { BucketName = bucket, Key = key, ByteRange = new ByteRange(_position, length - 1) },
                    cancellationToken);
                _body = _response.ResponseStream;
            }
            var read = await _body.ReadAsync(buffer, cancellationToken);
            if (read == 0) throw new IOException($"The S3 object {key} ended at {_position} of {length} bytes.");
            _position += read;
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private void Drop()
        {
            _body?.Dispose();
            _response?.Dispose();
            (_body, _response) = (null, null);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) Drop();
            base.Dispose(disposing);
        }
    }
}
