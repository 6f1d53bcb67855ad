using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Signage.Contracts;
using Signage.Media.Tests.Builders;
using Signage.TestInfrastructure;

namespace Signage.CloudHub.Tests;

/// <summary>
/// The shared library's blob behaviour, the same for every store behind IBlobStore: checked uploads
/// stored by hash, one copy per hash across tenants, whole and ranged (resumed) downloads, and
/// another tenant's appliance answered 404. Run against the disk store and against a real
/// S3-compatible server (s3rver).
/// </summary>
public abstract class BlobStoreTests(HubApi hub)
{
    protected HubApi Hub => hub;

    /// <summary>How many stored copies of this blob the store holds.</summary>
    protected abstract Task<int> StoredCopiesAsync(string sha256);

    [Fact]
    public async Task An_uploaded_image_is_checked_from_its_bytes_and_stored_by_its_hash()
    {
        var tenant = await Hub.CreateTenantAsync("Uploaders");
        var png = PngBuilder.Build(640, 360);
        var asset = await Hub.UploadAsync(tenant, "Logo", png);
        Assert.Equal(("IMAGE", "image/png", 640, 360), (asset.MediaType, asset.MimeType, asset.Width!.Value, asset.Height!.Value));
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(png)), asset.Sha256);

        var garbage = new ByteArrayContent("this is not an image at all"u8.ToArray());
        using var refused = await Hub.RawAsync(HttpMethod.Post, "/v1/library/assets?name=Fake", tenant.AdminToken, garbage);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var library = await Hub.SendAsync<ItemsResponse<HubAsset>>(HttpMethod.Get, "/v1/library/assets", tenant.AdminToken, null);
        Assert.Equal([asset.AssetId], library.Items.Select(a => a.AssetId));
    }

    [Fact]
    public async Task The_same_file_from_two_tenants_is_stored_once_and_both_can_download_it()
    {
        var png = PngBuilder.Build(300, 200);
        var sha = Convert.ToHexStringLower(SHA256.HashData(png));
        var downloads = new List<byte[]>();
        foreach (var name in new[] { "Twins A", "Twins B" })
        {
            var tenant = await Hub.CreateTenantAsync(name);
            var venue = await Hub.CreateVenueAsync(tenant, name + " venue");
            Assert.Equal(sha, (await Hub.UploadAsync(tenant, "Same", png)).Sha256);
            var appliance = await Hub.EnrollAsync((await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId)).Code, "app_" + sha[..6] + name[^1],
                new EnrollVenue("l", name, "Europe/London"));
            using var blob = await Hub.RawAsync(HttpMethod.Get, $"/v1/sync/blobs/{sha}", appliance.Credential);
            downloads.Add(await blob.Content.ReadAsByteArrayAsync());
        }
        Assert.All(downloads, d => Assert.Equal(png, d));
        Assert.Equal(1, await StoredCopiesAsync(sha));
        Assert.Empty(Directory.GetFiles(Path.Combine(Hub.DataDirectory, "staging")));
    }

    [Fact]
    public async Task A_blob_downloads_by_hash_and_resumes_with_range_but_only_for_the_appliances_own_tenant()
    {
        var tenant = await Hub.CreateTenantAsync("Downloaders");
        var venue = await Hub.CreateVenueAsync(tenant, "Down");
        var png = PngBuilder.Build(800, 600);
        var asset = await Hub.UploadAsync(tenant, "Big", png);
        var appliance = await Hub.EnrollAsync((await Hub.CreateEnrollmentCodeAsync(tenant, venue.VenueId)).Code, "app_down", new EnrollVenue("l", "Down", "Europe/London"));

        using var whole = await Hub.RawAsync(HttpMethod.Get, $"/v1/sync/blobs/{asset.Sha256}", appliance.Credential);
        Assert.Equal(png, await whole.Content.ReadAsByteArrayAsync());
        using var tail = await Hub.RawAsync(HttpMethod.Get, $"/v1/sync/blobs/{asset.Sha256}", appliance.Credential, null,
            r => r.Headers.Range = new RangeHeaderValue(100, null));
        Assert.Equal(HttpStatusCode.PartialContent, tail.StatusCode);
        Assert.Equal(png[100..], await tail.Content.ReadAsByteArrayAsync());
        using var middle = await Hub.RawAsync(HttpMethod.Get, $"/v1/sync/blobs/{asset.Sha256}", appliance.Credential, null,
            r => r.Headers.Range = new RangeHeaderValue(10, 19));
        Assert.Equal(HttpStatusCode.PartialContent, middle.StatusCode);
        Assert.Equal(png[10..20], await middle.Content.ReadAsByteArrayAsync());
        Assert.Equal(png.Length, middle.Content.Headers.ContentRange!.Length);
        using var missing = await Hub.RawAsync(HttpMethod.Get, $"/v1/sync/blobs/{new string('a', 64)}", appliance.Credential);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        var stranger = await Hub.CreateTenantAsync("Strangers");
        var strangerVenue = await Hub.CreateVenueAsync(stranger, "Strange");
        var strangerAppliance = await Hub.EnrollAsync((await Hub.CreateEnrollmentCodeAsync(stranger, strangerVenue.VenueId)).Code, "app_strange",
            new EnrollVenue("l", "Strange", "Europe/London"));
        using var refused = await Hub.RawAsync(HttpMethod.Get, $"/v1/sync/blobs/{asset.Sha256}", strangerAppliance.Credential);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        var strangerChanges = await Hub.AllChangesAsync(strangerAppliance.Credential);
        Assert.DoesNotContain(strangerChanges, c => c.EntityId == asset.AssetId || c.EntityId == venue.VenueId);
    }
}

public sealed class DiskBlobStoreTests(HubFixture fixture) : BlobStoreTests(fixture.Hub), IClassFixture<HubFixture>
{
    protected override Task<int> StoredCopiesAsync(string sha256) =>
        Task.FromResult(Directory.GetFiles(Path.Combine(Hub.DataDirectory, "blobs"), sha256, SearchOption.AllDirectories).Length);
}

public sealed class S3BlobStoreTests(S3HubFixture fixture) : BlobStoreTests(fixture.Hub), IClassFixture<S3HubFixture>
{
    /// <summary>Copies in the bucket; the hub's own disk must hold none.</summary>
    protected override async Task<int> StoredCopiesAsync(string sha256)
    {
        Assert.False(Directory.Exists(Path.Combine(Hub.DataDirectory, "blobs")) && Directory.EnumerateFiles(Path.Combine(Hub.DataDirectory, "blobs"), "*", SearchOption.AllDirectories).Any());
        using var s3 = fixture.Client();
        var listed = await s3.ListObjectsV2Async(new ListObjectsV2Request { BucketName = S3Server.Bucket });
        return listed.S3Objects?.Count(o => o.Key.EndsWith(sha256, StringComparison.Ordinal)) ?? 0;
    }
}

/// <summary>A real s3rver and a hub whose blob store is its bucket.</summary>
public sealed class S3HubFixture : IAsyncLifetime
{
    private S3Server _s3 = null!;

    public HubApi Hub { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _s3 = await S3Server.StartAsync();
        Hub = await HubApi.StartAsync(_s3.HubEnvironment);
    }

    /// <summary>A client of the same bucket, to look at what the hub stored.</summary>
    public AmazonS3Client Client() => new(new BasicAWSCredentials(S3Server.AccessKey, S3Server.SecretKey), new AmazonS3Config
    {
        ServiceURL = _s3.Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1",
        RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED, ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
    });

    public async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        await _s3.DisposeAsync();
    }
}
