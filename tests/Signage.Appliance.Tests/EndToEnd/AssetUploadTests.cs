using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Signage.Appliance.Tests.Infrastructure;
using Signage.Contracts;
using Signage.Media.Tests;
using Signage.Media.Tests.Builders;
using static Signage.Appliance.Tests.Infrastructure.ApplianceApi;

namespace Signage.Appliance.Tests.EndToEnd;

/// <summary>Upload sessions, resumable content and completion, against the native binary (spec 13).</summary>
public sealed class AssetUploadTests : ApplianceApiTests
{
    private AssetClient? _assetClient;

    private AssetClient AssetApi => _assetClient ??= new AssetClient(Api);

    private AssetFolders Folders => new(Temp.Combine("data"));

    [Theory]
    [InlineData(Fixture.Jpeg, "IMAGE", "image/jpeg", null)]
    [InlineData(Fixture.Png, "IMAGE", "image/png", null)]
    [InlineData(Fixture.H264Aac, "VIDEO", "video/mp4", 1000L)]
    [InlineData(Fixture.H264AacMoovLast, "VIDEO", "video/mp4", 1000L)]
    public async Task Valid_files_become_ready_with_metadata_read_from_their_bytes(string fixture, string mediaType, string contentType, long? durationMs)
    {
        var bytes = Fixture.Read(fixture);
        var asset = await AssetApi.UploadAsync(fixture, bytes);

        Assert.Equal(AssetStatuses.Ready, asset.Status);
        Assert.Equal((mediaType, contentType, 160, 90), (asset.MediaType, asset.ContentType, asset.Width, asset.Height));
        if (durationMs is { } expected) Assert.InRange(asset.DurationMs!.Value, expected - 50, expected + 50);
        else Assert.Null(asset.DurationMs);
        Assert.Equal(AssetClient.Sha256(bytes), asset.Sha256);
        Assert.Equal(bytes.Length, asset.SizeBytes);
        Assert.NotNull(asset.ReadyAtUtc);
        Assert.Null(asset.FailureReason);
        Assert.Equal($"{AssetApi.AssetsPath}/{asset.AssetId}/thumbnail", asset.ThumbnailUrl);

        // Stored content-addressed, byte for byte; nothing left in uploads/.
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Folders.BlobOf(asset.Sha256!)));
        Assert.Empty(Folders.Files(Folders.Uploads));
    }

    [Theory]
    [InlineData(Fixture.Jpeg)]
    [InlineData(Fixture.Png)]
    [InlineData(Fixture.H264Aac)]
    public async Task Thumbnail_is_a_jpeg_made_by_ffmpeg_and_cacheable_by_its_sha256(string fixture)
    {
        var asset = await AssetApi.UploadAsync(fixture, Fixture.Read(fixture));

        var response = await Api.AsAdmin(HttpMethod.Get, asset.ThumbnailUrl!);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        var jpeg = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xFF, 0xD8 }, jpeg[..2]);
        Assert.Equal($"\"{asset.Sha256}\"", response.Headers.ETag?.Tag);
        Assert.True(File.Exists(Folders.ThumbnailOf(asset.Sha256!)));

        using var again = Request(HttpMethod.Get, asset.ThumbnailUrl!, Api.Admin.AccessToken);
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{asset.Sha256}\""));
        Assert.Equal(HttpStatusCode.NotModified, (await Api.Process.Client.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task Session_says_where_to_put_the_bytes_and_until_when_and_the_asset_is_uploading()
    {
        var response = await AssetApi.StartAsync("menu.jpg", 1234);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var session = (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.UploadSessionResponse))!;

        Assert.Equal($"{AssetApi.AssetsPath}/uploads/{session.UploadId}/content", session.UploadUrl);
        Assert.Equal($"{AssetApi.AssetsPath}/uploads/{session.UploadId}", response.Headers.Location?.ToString());
        var expires = DateTimeOffset.Parse(session.ExpiresAtUtc, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(expires - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        var asset = await AssetApi.AssetAsync(session.AssetId);
        Assert.Equal((AssetStatuses.Uploading, "menu.jpg", "menu.jpg", 1234L, (string?)null), (asset.Status, asset.DisplayName, asset.FileName, asset.SizeBytes, asset.ThumbnailUrl));
        Assert.Equal(new UploadStatusResponse(session.UploadId, session.AssetId, 1234, 0, session.ExpiresAtUtc, UploadStates.Open), await AssetApi.StatusAsync(session.UploadId));
    }

    [Fact]
    public async Task Display_name_defaults_to_the_file_name_and_can_be_given()
    {
        var named = await AssetApi.UploadAsync("IMG_0042.jpg", Fixture.Read(Fixture.Jpeg), displayName: "  Happy hour poster ");
        var unnamed = await AssetApi.UploadAsync("IMG_0043.png", Fixture.Read(Fixture.Png));
        Assert.Equal(("Happy hour poster", "IMG_0042.jpg"), (named.DisplayName, named.FileName));
        Assert.Equal(("IMG_0043.png", "IMG_0043.png"), (unnamed.DisplayName, unnamed.FileName));
    }

    [Theory]
    [InlineData("../menu.jpg")]
    [InlineData("posters/menu.jpg")]
    [InlineData("C:\\posters\\menu.jpg")]
    [InlineData("..")]
    [InlineData("menu..jpg")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("menu\u0000.jpg")]
    [InlineData("menu\n.jpg")]
    public async Task File_names_that_are_paths_empty_or_hold_control_characters_are_422_and_create_nothing(string fileName)
    {
        var response = await AssetApi.StartAsync(fileName, 100);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("VALIDATION_FAILED", problem.GetProperty("code").GetString());
        Assert.Equal(["fileName"], problem.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Empty((await AssetApi.ListAsync()).Items);
    }

    [Fact]
    public async Task File_name_of_256_characters_is_422_and_of_255_is_accepted()
    {
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await AssetApi.StartAsync(new string('a', 252) + ".jpg", 100)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await AssetApi.StartAsync(new string('a', 251) + ".jpg", 100)).StatusCode);
    }

    [Fact]
    public async Task A_session_over_1_GiB_is_413_FILE_SIZE_EXCEEDED_and_creates_nothing()
    {
        var response = await AssetApi.StartAsync("film.mp4", (1L << 30) + 1);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("FILE_SIZE_EXCEEDED", problem.GetProperty("code").GetString());
        Assert.Equal(1L << 30, problem.GetProperty("maxSizeBytes").GetInt64());
        Assert.Empty((await AssetApi.ListAsync()).Items);
        Assert.Equal(HttpStatusCode.Created, (await AssetApi.StartAsync("film.mp4", 1L << 30)).StatusCode);
    }

    [Fact]
    public async Task Size_below_one_byte_a_malformed_sha256_and_a_blank_display_name_are_422_naming_each_field()
    {
        var response = await Api.AsAdmin(HttpMethod.Post, $"{AssetApi.AssetsPath}/uploads",
            Json("""{"fileName":"menu.jpg","sizeBytes":0,"sha256":"abc","displayName":" "}"""));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var errors = (await ProblemAsync(response)).GetProperty("errors");
        Assert.Equal(["displayName", "sha256", "sizeBytes"], errors.EnumerateObject().Select(p => p.Name).Order());
    }

    [Theory]
    [InlineData("""{"fileName":"menu.jpg","sizeBytes":"ten"}""", "MALFORMED_JSON")]
    [InlineData("""{"fileName":42,"sizeBytes":10}""", "MALFORMED_JSON")]
    [InlineData("""{"sizeBytes":10}""", "MALFORMED_JSON")]
    [InlineData("""{"fileName":"menu.jpg","sizeBytes":10""", "MALFORMED_JSON")]
    public async Task Wrong_types_missing_fields_and_broken_json_are_400(string json, string code)
    {
        var response = await Api.AsAdmin(HttpMethod.Post, $"{AssetApi.AssetsPath}/uploads", Json(json));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await ProblemAsync(response)).GetProperty("code").GetString());
        Assert.Empty((await AssetApi.ListAsync()).Items);
    }

    [Fact]
    public async Task A_partial_put_is_resumed_with_content_range_and_completing_early_is_409()
    {
        var bytes = Fixture.Read(Fixture.H264Aac);
        var session = await AssetApi.StartOkAsync("clip.mp4", bytes.Length, AssetClient.Sha256(bytes));

        var first = await AssetApi.PutAsync(session.UploadUrl, bytes[..3000], start: 0, total: bytes.Length);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(3000, (await first.Content.ReadFromJsonAsync(ContractsJsonContext.Default.UploadStatusResponse))!.ReceivedBytes);

        var early = await AssetApi.CompleteAsync(session.UploadId);
        Assert.Equal(HttpStatusCode.Conflict, early.StatusCode);
        var incomplete = await ProblemAsync(early);
        Assert.Equal(("UPLOAD_INCOMPLETE", 3000L, (long)bytes.Length),
            (incomplete.GetProperty("code").GetString(), incomplete.GetProperty("receivedBytes").GetInt64(), incomplete.GetProperty("sizeBytes").GetInt64()));
        Assert.Equal(AssetStatuses.Uploading, (await AssetApi.AssetAsync(session.AssetId)).Status);

        var wrongOffset = await AssetApi.PutAsync(session.UploadUrl, bytes[2000..], start: 2000, total: bytes.Length);
        Assert.Equal(HttpStatusCode.Conflict, wrongOffset.StatusCode);
        var mismatch = await ProblemAsync(wrongOffset);
        Assert.Equal(("UPLOAD_OFFSET_MISMATCH", 3000L), (mismatch.GetProperty("code").GetString(), mismatch.GetProperty("receivedBytes").GetInt64()));

        var rest = await AssetApi.PutAsync(session.UploadUrl, bytes[3000..], start: 3000, total: bytes.Length);
        Assert.Equal(HttpStatusCode.OK, rest.StatusCode);
        Assert.Equal(bytes.Length, (await AssetApi.StatusAsync(session.UploadId)).ReceivedBytes);

        Assert.Equal(HttpStatusCode.Accepted, (await AssetApi.CompleteAsync(session.UploadId)).StatusCode);
        var asset = await AssetApi.SettledAsync(session.AssetId);
        Assert.Equal(AssetStatuses.Ready, asset.Status);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Folders.BlobOf(asset.Sha256!)));
    }

    [Fact]
    public async Task Bytes_that_arrived_before_the_connection_dropped_are_kept_and_the_upload_resumes_from_there()
    {
        // A valid 70 MB video (sparse on disk): more than one 64 MiB checkpoint.
        var path = Temp.Combine("long.mp4");
        await using (var file = File.Create(path)) Mp4Builder.Write(file, new Mp4Spec { Video = VideoTrackSpec.At(25, 100, 28_000) });
        var size = new FileInfo(path).Length;
        string sha;
        await using (var file = File.OpenRead(path)) sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(file));
        var session = await AssetApi.StartOkAsync("long.mp4", size, sha);
        const long checkpoint = 64L * 1024 * 1024;

        // A raw connection that promises the whole file, sends 65 MiB once the server reads (it says
        // "100 Continue" when the endpoint starts reading), waits for the checkpoint, and hangs up.
        using (var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp))
        {
            await socket.ConnectAsync(Api.Process.BaseAddress.Host, Api.Process.BaseAddress.Port);
            var head = $"PUT {session.UploadUrl} HTTP/1.1\r\nHost: {Api.Process.BaseAddress.Authority}\r\nAuthorization: Bearer {Api.Admin.AccessToken}\r\n" +
                $"Content-Type: application/octet-stream\r\nContent-Length: {size}\r\nExpect: 100-continue\r\n\r\n";
            await socket.SendAsync(Encoding.ASCII.GetBytes(head));
            var answer = new byte[256];
            var read = await socket.ReceiveAsync(answer).WaitAsync(TimeSpan.FromSeconds(10));
            Assert.StartsWith("HTTP/1.1 100 Continue", Encoding.ASCII.GetString(answer, 0, read), StringComparison.Ordinal);
            await using (var file = File.OpenRead(path))
            {
                var chunk = new byte[1024 * 1024];
                for (var sent = 0L; sent < checkpoint + chunk.Length; sent += chunk.Length)
                {
                    await file.ReadExactlyAsync(chunk);
                    await socket.SendAsync(chunk);
                }
            }
            // Durable progress is visible while the connection is still open.
            await Until(async () => (await AssetApi.StatusAsync(session.UploadId)).ReceivedBytes == checkpoint);
            socket.Shutdown(SocketShutdown.Both);
        }

        // Once the dropped request has finished, completing says how far the upload got.
        JsonElement incomplete = default;
        await Until(async () =>
        {
            incomplete = await ProblemAsync(await AssetApi.CompleteAsync(session.UploadId));
            return incomplete.GetProperty("code").GetString() == "UPLOAD_INCOMPLETE";
        });
        var received = incomplete.GetProperty("receivedBytes").GetInt64();
        Assert.InRange(received, checkpoint, checkpoint + 1024 * 1024);
        Assert.Equal(received, new FileInfo(Path.Combine(Folders.Uploads, session.UploadId + ".part")).Length);

        await using (var rest = File.OpenRead(path))
        {
            rest.Position = received;
            Assert.Equal(HttpStatusCode.OK, (await AssetApi.PutAsync(session.UploadUrl, new StreamContent(rest), size - received, start: received, total: size)).StatusCode);
        }
        Assert.Equal(HttpStatusCode.Accepted, (await AssetApi.CompleteAsync(session.UploadId)).StatusCode);
        var asset = await AssetApi.SettledAsync(session.AssetId);
        Assert.Equal((AssetStatuses.Ready, sha), (asset.Status, asset.Sha256)); // the declared checksum held: every byte in place
    }

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + AssetClient.PollLimit;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within the poll limit.");
            await Task.Delay(AssetClient.PollInterval);
        }
    }

    [Fact]
    public async Task A_body_longer_than_declared_is_413_and_none_of_it_is_kept()
    {
        var bytes = Fixture.Read(Fixture.Png);
        var session = await AssetApi.StartOkAsync("logo.png", bytes.Length - 100);

        var response = await AssetApi.PutAsync(session.UploadUrl, bytes);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal(("PAYLOAD_TOO_LARGE", 0L), (problem.GetProperty("code").GetString(), problem.GetProperty("receivedBytes").GetInt64()));
        Assert.Equal(0, (await AssetApi.StatusAsync(session.UploadId)).ReceivedBytes);
        Assert.Empty(Folders.Files(Folders.Uploads));
    }

    [Fact]
    public async Task A_chunked_body_longer_than_declared_after_a_resume_is_413_and_keeps_only_the_earlier_bytes()
    {
        var bytes = Fixture.Read(Fixture.Png);
        var session = await AssetApi.StartOkAsync("logo.png", bytes.Length);
        Assert.Equal(HttpStatusCode.OK, (await AssetApi.PutAsync(session.UploadUrl, bytes[..300], start: 0, total: bytes.Length)).StatusCode);

        // No Content-Length (chunked), and more bytes than remain: the server finds out while reading.
        var content = new StreamContent(new MemoryStream([.. bytes[300..], .. new byte[500]]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.ContentRange = new ContentRangeHeaderValue(300, bytes.Length - 1, bytes.Length);
        using var request = Request(HttpMethod.Put, session.UploadUrl, Api.Admin.AccessToken, content);
        request.Headers.TransferEncodingChunked = true;
        var response = await Api.Process.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(300, (await AssetApi.StatusAsync(session.UploadId)).ReceivedBytes);
        Assert.Equal(bytes[..300], await File.ReadAllBytesAsync(Path.Combine(Folders.Uploads, session.UploadId + ".part")));
    }

    [Theory]
    [InlineData("bytes 0-9")]
    [InlineData("bytes 10-5/100")]
    [InlineData("items 0-9/100")]
    [InlineData("bytes 0-9/*")]
    [InlineData("bytes 0-9/999")]
    public async Task Content_range_must_be_well_formed_and_name_the_declared_size(string contentRange)
    {
        var session = await AssetApi.StartOkAsync("menu.jpg", 100);
        var content = new ByteArrayContent(new byte[10]);
        content.Headers.TryAddWithoutValidation("Content-Range", contentRange);

        var response = await Api.AsAdmin(HttpMethod.Put, session.UploadUrl, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("INVALID_CONTENT_RANGE", (await ProblemAsync(response)).GetProperty("code").GetString());
        Assert.Equal(0, (await AssetApi.StatusAsync(session.UploadId)).ReceivedBytes);
    }

    [Fact]
    public async Task A_put_without_content_range_starts_the_file_over()
    {
        var bytes = Fixture.Read(Fixture.Jpeg);
        var session = await AssetApi.StartOkAsync("poster.jpg", bytes.Length);
        Assert.Equal(HttpStatusCode.OK, (await AssetApi.PutAsync(session.UploadUrl, new byte[1000], start: 0, total: bytes.Length)).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await AssetApi.PutAsync(session.UploadUrl, bytes)).StatusCode);

        Assert.Equal(HttpStatusCode.Accepted, (await AssetApi.CompleteAsync(session.UploadId)).StatusCode);
        Assert.Equal(AssetClient.Sha256(bytes), (await AssetApi.SettledAsync(session.AssetId)).Sha256);
    }

    [Fact]
    public async Task Completing_twice_answers_the_same_and_content_after_completion_is_409()
    {
        var bytes = Fixture.Read(Fixture.Jpeg);
        var session = await AssetApi.StartOkAsync("poster.jpg", bytes.Length);
        await AssetApi.PutAsync(session.UploadUrl, bytes);

        Assert.Equal(HttpStatusCode.Accepted, (await AssetApi.CompleteAsync(session.UploadId)).StatusCode);
        var again = await AssetApi.CompleteAsync(session.UploadId);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.Equal(session.AssetId, (await again.Content.ReadFromJsonAsync(ContractsJsonContext.Default.AssetResponse))!.AssetId);

        var late = await AssetApi.PutAsync(session.UploadUrl, bytes);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Equal("UPLOAD_COMPLETED", (await ProblemAsync(late)).GetProperty("code").GetString());
        Assert.Equal(AssetStatuses.Ready, (await AssetApi.SettledAsync(session.AssetId)).Status);
        Assert.Equal(UploadStates.Completed, (await AssetApi.StatusAsync(session.UploadId)).State);
    }

    [Fact]
    public async Task An_expired_session_refuses_content_and_completion()
    {
        var bytes = Fixture.Read(Fixture.Jpeg);
        var session = await AssetApi.StartOkAsync("poster.jpg", bytes.Length);
        await AssetApi.PutAsync(session.UploadUrl, bytes);
        await using (var connection = new SqliteConnection($"Data Source={Temp.Combine("data", "appliance.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE asset_upload SET expires_at_utc = '2020-01-01T00:00:00.000Z';";
            command.ExecuteNonQuery();
        }

        var put = await AssetApi.PutAsync(session.UploadUrl, bytes);
        var complete = await AssetApi.CompleteAsync(session.UploadId);

        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Conflict), (put.StatusCode, complete.StatusCode));
        Assert.Equal("UPLOAD_EXPIRED", (await ProblemAsync(put)).GetProperty("code").GetString());
        Assert.Equal("UPLOAD_EXPIRED", (await ProblemAsync(complete)).GetProperty("code").GetString());
        Assert.Equal(UploadStates.Expired, (await AssetApi.StatusAsync(session.UploadId)).State);
    }

    [Fact]
    public async Task Upload_sessions_are_limited_to_30_an_hour_per_tenant()
    {
        for (var i = 0; i < 30; i++) Assert.Equal(HttpStatusCode.Created, (await AssetApi.StartAsync($"photo-{i}.jpg", 100)).StatusCode);

        var editor = await Api.CreateUserAsync("editor@venue.test", Roles.VenueEditor);
        var refused = await new AssetClient(Api, editor.AccessToken).StartAsync("one-more.jpg", 100);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var problem = await ProblemAsync(refused);
        Assert.Equal("RATE_LIMITED", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("retryAfterSeconds").GetInt32() > 0);
        Assert.Equal("0", refused.Headers.GetValues("X-RateLimit-Remaining").Single());
    }

    [Fact]
    public async Task Unknown_upload_ids_are_404()
    {
        var unknown = $"{AssetApi.AssetsPath}/uploads/upl_00000000000000000000000000000000";
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Get, unknown)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AssetApi.PutAsync($"{unknown}/content", new byte[10])).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.AsAdmin(HttpMethod.Post, $"{unknown}/complete")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await AssetApi.PutAsync($"{AssetApi.AssetsPath}/uploads/..%2F..%2Fappliance.db/content", new byte[10])).StatusCode);
        Assert.Empty(Folders.Files(Folders.Uploads));
    }
}
